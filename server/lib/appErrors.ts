/**
 * Typed errors of the API and the use cases: thrown anywhere, turned into HTTP responses in exactly one
 * place (`server/api/middleware/errors.ts`). Each error has a stable machine `code`, an HTTP `status`, a
 * human `message`, optional `details` (for validation: the offending fields) and the original `cause`.
 * (The indexer's retryable/fatal errors live next door in `errors.ts`.)
 *
 * Never put a secret (API key, session token, passphrase, private key) into a message or details: they
 * are returned to the client and logged.
 */
import { isError, type ErrorDescription, type Interface } from "ethers";

export interface AppErrorOptions {
  code: string;
  status: number;
  message: string;
  details?: unknown;
  cause?: unknown;
  /** Whether the message may be shown to the client; internal errors are masked. */
  expose?: boolean;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  readonly expose: boolean;

  constructor(options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status;
    this.details = options.details;
    this.expose = options.expose ?? options.status < 500;
  }
}

/** One offending field of a request, named by where it was found (`body.amount`, `query.limit`, `params.id`). */
export interface FieldIssue {
  field: string;
  message: string;
  code: string;
}

export class ValidationError extends AppError {
  constructor(message: string, issues: FieldIssue[], cause?: unknown) {
    super({ code: "ValidationFailed", status: 400, message, details: { fields: issues }, cause });
  }
}

/**
 * The resource does not exist *or the caller may not see it*: object-level authorisation answers with
 * this error too, so a guessed id of another organisation reveals nothing (not even that it exists).
 */
export class NotFoundError extends AppError {
  constructor(what: string, id?: string, cause?: unknown) {
    super({ code: "NotFound", status: 404, message: id === undefined ? `${what} not found` : `${what} ${id} not found`, cause });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown, cause?: unknown) {
    super({ code, status: 409, message, details, cause });
  }
}

export class ForbiddenError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super({ code, status: 403, message, details });
  }
}

export class UnauthorizedError extends AppError {
  constructor(code: string, message: string) {
    super({ code, status: 401, message });
  }
}

export class InternalError extends AppError {
  constructor(message: string, cause?: unknown) {
    super({ code: "InternalError", status: 500, message, cause, expose: false });
  }
}

/** The chain is unreachable or did not answer in time (retrying later may succeed). */
export class ChainUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    // The message is ours and safe to show (the cause, which may carry an RPC URL, is not shown).
    super({ code: "ChainUnavailable", status: 503, message, cause, expose: true });
  }
}

/** A chain value as JSON: bigints become decimal strings so that error details stay serialisable. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  return value;
}

/** Finds revert data in the shapes ethers v6 and Hardhat put it (nested `error`/`info`/`data`). */
function findRevertData(err: unknown, depth = 0): string | undefined {
  if (depth > 6 || err === null || typeof err !== "object") return undefined;
  const candidate = (err as { data?: unknown }).data;
  if (typeof candidate === "string" && /^0x[0-9a-fA-F]{8}/.test(candidate)) return candidate;
  for (const key of ["error", "info", "cause", "data"]) {
    const found = findRevertData((err as Record<string, unknown>)[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Turns a failed contract call into an AppError whose `code` is the custom error's name from the ABI
 * (`ReceivableInsufficientAmount`), with its arguments as details. A revert no ABI knows becomes
 * `ContractReverted`; anything that is not a revert yields undefined for the caller to handle.
 */
export function decodeContractError(err: unknown, interfaces: readonly Interface[]): AppError | undefined {
  if (err instanceof AppError) return err;
  const data = findRevertData(err);
  if (data === undefined) {
    if (isError(err, "CALL_EXCEPTION")) {
      return new ConflictError("ContractReverted", "the transaction was reverted by the contract", undefined, err);
    }
    return undefined;
  }
  for (const iface of interfaces) {
    let parsed: ErrorDescription | null;
    try {
      parsed = iface.parseError(data);
    } catch {
      parsed = null;
    }
    if (parsed !== null) {
      const description = parsed;
      const args: Record<string, unknown> = {};
      description.fragment.inputs.forEach((input, i) => {
        args[input.name === "" ? String(i) : input.name] = jsonSafe(description.args[i]);
      });
      return new ConflictError(description.name, `the contract refused: ${description.name}`, { args }, err);
    }
  }
  return new ConflictError("ContractReverted", "the transaction was reverted by the contract", { data }, err);
}
