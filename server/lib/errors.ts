// The indexer's error kinds. A RetryableError (the node is down, a timeout, a refused range) is
// retried with backoff and never skips a block; a FatalError (a reorg deeper than the window, a reset
// chain, a log the ABIs cannot decode, a second writer) stops the indexer with a message saying why,
// because guessing would make the database silently diverge from the chain.

export class IndexerError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  constructor(code: string, message: string, { retryable, cause }: { retryable: boolean; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.retryable = retryable;
    this.name = new.target.name;
  }
}

export class RetryableError extends IndexerError {
  constructor(message: string, cause?: unknown, code = "RETRYABLE") {
    super(code, message, { retryable: true, cause });
  }
}

/** The node answered in a way that may succeed with a smaller block range (too many results, range limit). */
export class RangeTooLargeError extends RetryableError {
  constructor(message: string, cause?: unknown) {
    super(message, cause, "RANGE_TOO_LARGE");
  }
}

/** The chain changed under a multi-call read (a reorg in flight); read again. */
export class InconsistentReadError extends RetryableError {
  constructor(message: string) {
    super(message, undefined, "INCONSISTENT_READ");
  }
}

/**
 * The node's blocks contradict each other and reading them again gives the same answer: a block's
 * parent hash is not the hash of the block before it, yet that block is still on the chain (so it is
 * not a reorganisation). Hardhat's `hardhat_mine` of more than two blocks produces such blocks
 * (parentHash zero); a faulty or misconfigured node can too. Nothing after it can be indexed safely:
 * the indexer backs off (up to INDEXER_MAX_BACKOFF_MS), warns, and reports it as `last_error` and in
 * `/ready` until the node serves a consistent chain.
 */
export class ChainInconsistentError extends RetryableError {
  constructor(message: string) {
    super(message, undefined, "CHAIN_INCONSISTENT");
  }
}

export class FatalError extends IndexerError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retryable: false, cause });
  }
}

export class ReorgTooDeepError extends FatalError {
  constructor(message: string) {
    super("REORG_TOO_DEEP", message);
  }
}

export class ChainResetError extends FatalError {
  constructor(message: string) {
    super("CHAIN_RESET", message);
  }
}

export class UnknownLogError extends FatalError {
  constructor(message: string, cause?: unknown) {
    super("UNKNOWN_LOG", message, cause);
  }
}

export class WriterConflictError extends FatalError {
  constructor(message: string) {
    super("WRITER_CONFLICT", message);
  }
}

export class DeploymentMismatchError extends FatalError {
  constructor(message: string) {
    super("DEPLOYMENT_MISMATCH", message);
  }
}
