/**
 * Sends each organisation's transactions with its own key and answers once the transaction is mined.
 * A contract revert — found when the transaction is estimated, or when it was mined reverted (a race
 * lost to another transaction) — is decoded from the ABIs into a 4xx AppError named after the custom
 * error; 503 `ChainUnavailable` means the node could not be reached. Organisations that keep their own
 * key have no signer here: their confirmations and quotes arrive as EIP-712 signatures that a relayer
 * key submits.
 *
 * Nonces come from the nonce book in the database (nonces.ts), shared by every API process holding the
 * key: taken under the key's lock, the signed transaction recorded before it is broadcast and bound to
 * the request's Idempotency-Key. A request retried with that key finds what it already sent (matched by
 * the call it makes) and waits for it instead of sending again. Transactions are pipelined: a key's
 * next transaction does not wait for the previous one to be mined, so many land in one block. A
 * transaction the node dropped is broadcast again; one whose nonce another transaction took is
 * reported replaced; a nonce the chain refused for good is given back or its gap filled with a no-op.
 */
import {
  AbiCoder,
  AbstractSigner,
  isError,
  keccak256,
  resolveAddress,
  Transaction,
  TransactionResponse,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
  type Interface,
} from "ethers";
import { AppError, ChainUnavailableError, ConflictError, decodeContractError, ForbiddenError } from "../lib/appErrors";
import type { Logger } from "../lib/logger";
import type { Sql } from "../db/sql";
import { createNonceStore, keyedMutex, type NonceStore, type SignedCall, type TrackedTransaction } from "./nonces";
import { currentRequestScope, type RequestScope } from "./requestScope";

export interface SentTransaction {
  txHash: string;
  blockNumber: number;
  receipt: TransactionReceipt;
}

export interface SignerRegistry {
  /** The organisation's own signer when the server holds its key (for signing typed data; send through `send`). */
  signerOf(organisation: string): Signer | undefined;
  /** The platform operator's signer (OPERATOR_ROLE), when configured. */
  operator(): Signer | undefined;
  /** Who submits relayed EIP-712 signatures (pays gas only; gains no right from it). */
  relayer(): Signer | undefined;
  /**
   * Sends the transaction `call` makes as `who` (through a signer whose `sendTransaction` is the nonce
   * manager) and waits until it is mined.
   */
  send(who: string, call: (signer: Signer) => Promise<{ hash: string }>): Promise<SentTransaction>;
  /** Every organisation address the server holds a key for. */
  custodial(): string[];
  /** Looks after transactions still pending in the book (left by a crash or dropped by the node). */
  recover(): Promise<void>;
  /** Stops the receipt poller and the recovery timer. */
  close(): void;
}

export interface SignerRegistryOptions {
  provider: Provider;
  /** Lower-case address → signer (already connected, or connectable, to `provider`). Must sign transactions locally. */
  organisations: ReadonlyMap<string, Signer>;
  operator?: Signer;
  relayer?: Signer;
  /** ABIs used to decode reverts. */
  interfaces: readonly Interface[];
  /** The nonce book's database handle (its own connection: it runs short write transactions). */
  sql: Sql;
  /** The chain the nonces belong to (`chainIdentity().chainKey`) and its id. */
  chain: { chainKey: string; chainId: bigint };
  /** How often receipts are polled, in ms (follow the chain's block time; see receiptPollMs). */
  pollMs?: number;
  /** After how long without a receipt a transaction is checked for being dropped or replaced (default 20 polls, at least 3 s). */
  staleMs?: number;
  /** How long a request waits for its receipt before answering 503 TransactionNotYetMined (default 50 s, under the server's request timeout). */
  receiptTimeoutMs?: number;
  /** How often the book is swept for pending transactions nobody waits for (default 15 s; 0 = never). */
  sweepMs?: number;
  logger?: Logger;
}

/** Receipt polling interval for a chain whose blocks come every `blockTimeMs`: a quarter of it, within 50 ms..1 s. */
export function receiptPollMs(blockTimeMs: number): number {
  return Math.min(1_000, Math.max(50, Math.round(blockTimeMs / 4)));
}

/** The average time between the last `span` blocks, in ms (1 s when the chain is younger than that). */
export async function observedBlockTimeMs(provider: Provider, span = 20): Promise<number> {
  const head = await provider.getBlock("latest");
  if (head === null || head.number < span) return 1_000;
  const earlier = await provider.getBlock(head.number - span);
  if (earlier === null) return 1_000;
  return Math.max(1, ((head.timestamp - earlier.timestamp) * 1000) / span);
}

const coder = AbiCoder.defaultAbiCoder();
/** More new blocks than this between two polls: every waiter asks for its receipt instead of the blocks being read. */
const MAX_SCANNED_BLOCKS = 16;
const NOOP_CALL = "0x";

function message(err: unknown): string {
  if (err instanceof Error) {
    const nested = (err as { error?: { message?: unknown }; info?: { error?: { message?: unknown } } }).error?.message ?? (err as { info?: { error?: { message?: unknown } } }).info?.error?.message;
    return `${err.message} ${typeof nested === "string" ? nested : ""}`;
  }
  return String(err);
}

const isAlreadyKnown = (err: unknown) => /already known|known transaction|already imported|AlreadyKnown|transaction already exists/i.test(message(err));
const isNonceTaken = (err: unknown) =>
  isError(err, "NONCE_EXPIRED") || isError(err, "REPLACEMENT_UNDERPRICED") || /nonce too low|nonce has already been used|OldNonce|replacement transaction underpriced/i.test(message(err));
// A node that cannot queue a transaction whose nonce is ahead (Hardhat automining): an earlier nonce
// is still on its way (from this process's queue or another process sharing the key).
const isNonceAhead = (err: unknown) => /nonce too high|future nonce|NonceTooHigh|transactions can't be queued/i.test(message(err));
const isOutOfFunds = (err: unknown) => isError(err, "INSUFFICIENT_FUNDS") || /insufficient funds/i.test(message(err));
const isUnreachable = (err: unknown) =>
  isError(err, "NETWORK_ERROR") || isError(err, "TIMEOUT") || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|fetch failed|failed to detect network/i.test(message(err));

/** A signer whose `sendTransaction` hands the request to the nonce manager; everything else is the key's own. */
class ManagedSigner extends AbstractSigner {
  constructor(
    private readonly inner: Signer,
    provider: Provider,
    private readonly submit: (tx: TransactionRequest) => Promise<TransactionResponse>,
  ) {
    super(provider);
  }
  getAddress(): Promise<string> {
    return this.inner.getAddress();
  }
  connect(provider: Provider | null): ManagedSigner {
    if (provider === null) throw new Error("a managed signer needs a provider");
    return new ManagedSigner(this.inner.connect(provider), provider, this.submit);
  }
  signTransaction(tx: TransactionRequest): Promise<string> {
    return this.inner.signTransaction(tx);
  }
  signMessage(msg: string | Uint8Array): Promise<string> {
    return this.inner.signMessage(msg);
  }
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    return this.inner.signTypedData(domain, types, value);
  }
  override sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    return this.submit(tx);
  }
}

interface Waiter {
  tracked: TrackedTransaction;
  since: number;
  checkedAt: number;
  /** Whether its receipt was asked for at least once (right after it started waiting). */
  askedOnce: boolean;
  resolve(receipt: TransactionReceipt): void;
  reject(err: Error): void;
}

export function createSignerRegistry(input: SignerRegistryOptions): SignerRegistry {
  const { provider, interfaces } = input;
  const pollMs = input.pollMs ?? 250;
  const staleMs = input.staleMs ?? Math.max(3_000, 20 * pollMs);
  const receiptTimeoutMs = input.receiptTimeoutMs ?? 50_000;
  const book: NonceStore = createNonceStore({ sql: input.sql, chainKey: input.chain.chainKey });
  const connect = (signer: Signer): Signer => (signer.provider === null ? signer.connect(provider) : signer);
  const log = input.logger;

  function resolve(who: string): Signer | undefined {
    if (who === "operator") return input.operator;
    if (who === "relayer") return input.relayer ?? input.operator;
    return input.organisations.get(who.toLowerCase());
  }

  // ─── chain reads that must not be served from ethers' 250 ms request cache ──────────────────────
  async function chainCount(address: string, tag: "pending" | "latest"): Promise<bigint> {
    const rpc = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
    if (typeof rpc.send === "function") return BigInt((await rpc.send("eth_getTransactionCount", [address, tag])) as string);
    return BigInt(await provider.getTransactionCount(address, tag));
  }

  // Once per process and key, the book is reconciled with the chain before the key's first send.
  const synced = new Map<string, Promise<void>>();
  function ensureSynced(address: string): Promise<void> {
    let p = synced.get(address);
    if (p === undefined) {
      p = chainCount(address, "pending").then(async (count) => {
        await book.sync(address, count);
      });
      p.catch(() => synced.delete(address));
      synced.set(address, p);
    }
    return p;
  }
  async function resync(address: string): Promise<void> {
    synced.delete(address);
    await ensureSynced(address);
  }

  // Fee data changes by the block: asked at most once a second, shared by every send.
  let fees: { at: number; value: Promise<Partial<TransactionRequest>> } | undefined;
  function feeFields(): Promise<Partial<TransactionRequest>> {
    if (fees === undefined || Date.now() - fees.at > 1_000) {
      const value = provider.getFeeData().then((f) =>
        f.maxFeePerGas !== null && f.maxPriorityFeePerGas !== null
          ? { type: 2, maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas }
          : { type: 0, gasPrice: f.gasPrice ?? 0n },
      );
      value.catch(() => (fees = undefined));
      fees = { at: Date.now(), value };
    }
    return fees.value;
  }

  /** The response ethers expects from `sendTransaction`; `from` is given (recovering it from the signature costs a public-key recovery per write). */
  function responseOf(raw: string, from: string): TransactionResponse {
    const t = Transaction.from(raw);
    return new TransactionResponse(
      {
        blockNumber: null,
        blockHash: null,
        hash: t.hash as string,
        index: 0,
        type: t.type ?? 0,
        to: t.to,
        from,
        nonce: t.nonce,
        gasLimit: t.gasLimit,
        gasPrice: t.gasPrice ?? 0n,
        maxPriorityFeePerGas: t.maxPriorityFeePerGas,
        maxFeePerGas: t.maxFeePerGas,
        maxFeePerBlobGas: null,
        data: t.data,
        value: t.value,
        chainId: t.chainId,
        signature: t.signature as NonNullable<Transaction["signature"]>,
        accessList: t.accessList,
        blobVersionedHashes: null,
        authorizationList: null,
      },
      provider,
    );
  }

  /** A failed estimate or call: the decoded revert (4xx), or 503 when the node is unreachable. */
  function classify(err: unknown): AppError {
    if (err instanceof AppError) return err;
    const decoded = decodeContractError(err, interfaces);
    if (decoded !== undefined) return decoded;
    if (isOutOfFunds(err)) {
      return new ConflictError("SignerInsufficientFunds", "the sending key has too little native currency to pay for gas; fund it and retry");
    }
    return new ChainUnavailableError(isUnreachable(err) ? "the chain node cannot be reached" : "the chain did not accept the transaction", err);
  }

  // Reverts seen at broadcast (a node that mines on submission reports them there), kept for the receipt.
  const revertedAtBroadcast = new Map<string, AppError>();

  type Broadcast = "sent" | "nonce-taken" | "refused";
  async function broadcast(tracked: { txHash: string; raw: string }): Promise<{ outcome: Broadcast; error?: unknown }> {
    const deadline = Date.now() + staleMs;
    let dropped = 0;
    for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
      try {
        return await broadcastOnce(tracked);
      } catch (err) {
        // Sending the same signed bytes again is harmless (the node knows them or takes them once), so a
        // dropped connection is retried a few times before the chain is called unreachable.
        const retry = isNonceAhead(err) || (isUnreachable(err) && ++dropped <= 3);
        if (!retry || Date.now() >= deadline) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  async function broadcastOnce(tracked: { txHash: string; raw: string }): Promise<{ outcome: Broadcast; error?: unknown }> {
    try {
      await provider.broadcastTransaction(tracked.raw);
      return { outcome: "sent" };
    } catch (err) {
      if (isAlreadyKnown(err)) return { outcome: "sent" };
      const decoded = decodeContractError(err, interfaces);
      if (decoded !== undefined) {
        // Mined and reverted (automining nodes answer the submission with the revert).
        revertedAtBroadcast.set(tracked.txHash, decoded);
        return { outcome: "sent" };
      }
      if (isNonceTaken(err)) {
        const receipt = await provider.getTransactionReceipt(tracked.txHash).catch(() => null);
        return receipt === null ? { outcome: "nonce-taken", error: err } : { outcome: "sent" };
      }
      if (isOutOfFunds(err)) return { outcome: "refused", error: err };
      throw err;
    }
  }

  async function sign(signer: Signer, address: string, nonce: bigint, fields: TransactionRequest): Promise<SignedCall & { callHash: string }> {
    const raw = await signer.signTransaction({ ...fields, from: address, nonce: Number(nonce), chainId: input.chain.chainId });
    return { txHash: keccak256(raw), raw, callHash: "" };
  }

  /** Fills a nonce nobody will use with a 0-value transfer to itself, so later nonces are not stuck. */
  async function fillGap(signer: Signer, address: string, nonce: bigint): Promise<void> {
    const fee = await feeFields();
    const signed = await sign(signer, address, nonce, { to: address, value: 0n, data: NOOP_CALL, gasLimit: 21_000n, ...fee });
    await book.replace(address, nonce, { ...signed, callHash: NOOP_CALL });
    log?.warn({ address, nonce: nonce.toString(), txHash: signed.txHash }, "signers: filling a nonce gap with a no-op");
    await broadcast(signed).catch(() => undefined);
  }

  // Broadcasts of one key leave this process in nonce order, in rounds: everything committed while the
  // previous round was on the wire goes out together — one JSON-RPC batch when the provider batches
  // (ethers' JsonRpcProvider does), which the node takes in order — so a burst costs one round trip, not
  // one per transaction. What a round could not place (an earlier nonce not yet known to the node, a
  // dropped connection) is retried one by one, in nonce order, before the next round goes.
  interface Queued {
    tracked: { txHash: string; raw: string };
    resolve(result: { outcome: Broadcast; error?: unknown }): void;
    reject(err: unknown): void;
  }
  const rounds = new Map<string, Queued[]>();
  function queueBroadcast(address: string, tracked: { txHash: string; raw: string }): Promise<{ outcome: Broadcast; error?: unknown }> {
    return new Promise((resolve, reject) => {
      const queue = rounds.get(address);
      if (queue !== undefined) {
        queue.push({ tracked, resolve, reject });
        return;
      }
      rounds.set(address, [{ tracked, resolve, reject }]);
      void drainBroadcasts(address);
    });
  }
  async function drainBroadcasts(address: string): Promise<void> {
    const queue = rounds.get(address) as Queued[];
    while (queue.length > 0) {
      const round = queue.splice(0);
      const first = await Promise.allSettled(round.map((q) => broadcastOnce(q.tracked)));
      for (const [i, q] of round.entries()) {
        const tried = first[i] as PromiseSettledResult<{ outcome: Broadcast; error?: unknown }>;
        if (tried.status === "fulfilled") {
          q.resolve(tried.value);
          continue;
        }
        try {
          q.resolve(await broadcast(q.tracked));
        } catch (err) {
          q.reject(err);
        }
      }
    }
    rounds.delete(address);
  }

  /** What a request bound to an Idempotency-Key already sent, loaded once per request. */
  const boundCache = new WeakMap<RequestScope, Promise<(TrackedTransaction & { used?: boolean })[]>>();
  async function alreadySent(scope: RequestScope, callHash: string): Promise<TrackedTransaction | undefined> {
    if (scope.idempotency === undefined) return undefined;
    let rows = boundCache.get(scope);
    if (rows === undefined) {
      rows = book.bound(scope.idempotency);
      boundCache.set(scope, rows);
    }
    const match = (await rows).find((t) => t.used !== true && t.callHash === callHash && (t.state === "SENT" || t.state === "MINED"));
    if (match !== undefined) match.used = true;
    return match;
  }

  async function submit(signer: Signer, address: string, request: TransactionRequest, sent: { tracked?: TrackedTransaction }): Promise<TransactionResponse> {
    const to = request.to === undefined || request.to === null ? null : (await resolveAddress(request.to, provider)).toLowerCase();
    if (to === null) throw new Error("signers: contract creation is not sent through the nonce manager");
    const data = request.data ?? "0x";
    const value = request.value === undefined || request.value === null ? 0n : BigInt(request.value);
    const callHash = keccak256(coder.encode(["address", "uint256", "bytes"], [to, value, data]));
    return submitPlanned(signer, address, sent, {
      callHash,
      gasLimit: async () => {
        try {
          // Gas used can grow a little when earlier transactions of the block change the state it reads.
          return ((await provider.estimateGas({ from: address, to, data, value })) * 5n) / 4n + 10_000n;
        } catch (err) {
          throw classify(err);
        }
      },
      build: async () => ({ to, data, value }),
    });
  }

  interface Plan {
    /** What a resumed request matches an already-sent transaction on. */
    callHash: string;
    gasLimit: () => Promise<bigint>;
    /** The call, built under the key's lock. */
    build: () => Promise<{ to: string; data: string; value: bigint }>;
  }

  async function submitPlanned(signer: Signer, address: string, sent: { tracked?: TrackedTransaction }, plan: Plan): Promise<TransactionResponse> {
    const scope = currentRequestScope();
    const { callHash } = plan;
    if (scope !== undefined) {
      const previous = await alreadySent(scope, callHash);
      if (previous !== undefined) {
        sent.tracked = previous;
        scope.sent.push({ txHash: previous.txHash, nonce: previous.nonce, address });
        return responseOf(previous.raw, address);
      }
    }

    const gas = await plan.gasLimit();
    const fee = await feeFields().catch((err: unknown) => {
      throw classify(err);
    });
    await ensureSynced(address).catch((err: unknown) => {
      throw classify(err);
    });
    const fields: TransactionRequest = { gasLimit: gas, ...fee };
    for (let attempt = 0; ; attempt++) {
      // Broadcasts of one key leave this process in nonce order (queued as each nonce is committed).
      let broadcasting: Promise<{ outcome: Broadcast; error?: unknown }> | undefined;
      const tracked = await book.assign(
        address,
        async (nonce) => ({ ...(await sign(signer, address, nonce, { ...fields, ...(await plan.build()) })), callHash }),
        scope?.idempotency,
        (t) => {
          broadcasting = queueBroadcast(address, t);
        },
      );
      sent.tracked = tracked;
      scope?.sent.push({ txHash: tracked.txHash, nonce: tracked.nonce, address });
      let result: { outcome: Broadcast; error?: unknown };
      try {
        result = await (broadcasting as Promise<{ outcome: Broadcast; error?: unknown }>);
      } catch (err) {
        // Unknown whether the node has it: it stays in the book (and bound to the request's key);
        // the recovery sweep broadcasts it again or finds it mined.
        log?.warn({ address, nonce: tracked.nonce.toString(), txHash: tracked.txHash, err: message(err) }, "signers: broadcast failed");
        throw classify(err);
      }
      if (result.outcome === "sent") return responseOf(tracked.raw, address);
      if (scope !== undefined) scope.sent = scope.sent.filter((s) => s.txHash !== tracked.txHash);
      if (result.outcome === "nonce-taken" && attempt < 3) {
        // Something else (the key used outside this book) took the nonce: never ours to wait for.
        await book.settle(address, tracked.nonce, { state: "REPLACED" });
        log?.warn({ address, nonce: tracked.nonce.toString() }, "signers: nonce already used on chain; resynchronising");
        await resync(address);
        continue;
      }
      // Refused for good: nothing of ours will be mined with this nonce.
      if ((await book.release(address, tracked.nonce)) === "gap") await fillGap(signer, address, tracked.nonce);
      throw classify(result.error);
    }
  }

  // ─── receipts ───────────────────────────────────────────────────────────────────────────────────
  const waiting = new Map<string, Waiter>();
  let timer: NodeJS.Timeout | undefined;
  let lastHead = -1;
  let closed = false;

  function schedule() {
    if (timer !== undefined || closed || waiting.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void tick().finally(schedule);
    }, pollMs);
  }

  async function tick(): Promise<void> {
    const now = Date.now();
    for (const w of waiting.values()) {
      if (now - w.since < receiptTimeoutMs) continue;
      waiting.delete(w.tracked.txHash);
      w.reject(
        new AppError({
          code: "TransactionNotYetMined",
          status: 503,
          message: "the transaction was sent but is not mined yet; retry with the same Idempotency-Key for its outcome (it is never sent twice)",
          details: { txHash: w.tracked.txHash, nonce: w.tracked.nonce.toString() },
          expose: true,
        }),
      );
    }
    let head: number;
    try {
      head = await provider.getBlockNumber();
    } catch {
      return; // unreachable for now: keep waiting
    }
    // Receipts are asked for only where they can be: each waiter once when it starts waiting, then when
    // a new block carries its hash, or when it has waited long (a reorganisation, a skipped block, a
    // dropped transaction). A batch of waiters thus costs one block read per block, not one receipt
    // query per waiter and poll.
    let carried: Set<string> | "unknown" = new Set();
    if (head !== lastHead) {
      carried = head - lastHead > MAX_SCANNED_BLOCKS || lastHead < 0 ? "unknown" : await hashesIn(lastHead + 1, head);
      lastHead = head;
    }
    await Promise.all(
      [...waiting.values()].map(async (w) => {
        const stale = now - w.since >= staleMs && now - w.checkedAt >= staleMs;
        const due = !w.askedOnce || carried === "unknown" || carried.has(w.tracked.txHash.toLowerCase()) || stale;
        if (!due) return;
        w.askedOnce = true;
        const receipt = await provider.getTransactionReceipt(w.tracked.txHash).catch(() => null);
        if (receipt !== null) {
          waiting.delete(w.tracked.txHash);
          w.resolve(receipt);
          return;
        }
        if (stale) {
          w.checkedAt = now;
          const lost = await checkLost(w.tracked).catch(() => undefined);
          if (lost === "replaced") {
            waiting.delete(w.tracked.txHash);
            w.reject(new ConflictError("TransactionReplaced", "another transaction took this transaction's nonce; it was not executed", { txHash: w.tracked.txHash }));
          }
        }
      }),
    );
  }

  /** The hashes of the transactions in blocks `from`..`to`; "unknown" when a block cannot be read. */
  async function hashesIn(from: number, to: number): Promise<Set<string> | "unknown"> {
    try {
      const blocks = await Promise.all(Array.from({ length: to - from + 1 }, (_, i) => provider.getBlock(from + i)));
      const hashes = new Set<string>();
      for (const block of blocks) {
        if (block === null) return "unknown";
        for (const hash of block.transactions) hashes.add(hash.toLowerCase());
      }
      return hashes;
    } catch {
      return "unknown";
    }
  }

  /** A transaction with no receipt for a while: still in the pool, dropped (broadcast again), or replaced. */
  async function checkLost(tracked: TrackedTransaction): Promise<"pending" | "rebroadcast" | "replaced"> {
    if ((await provider.getTransaction(tracked.txHash)) !== null) return "pending";
    if ((await chainCount(tracked.address, "latest")) > tracked.nonce) {
      if ((await provider.getTransactionReceipt(tracked.txHash)) !== null) return "pending";
      await book.settle(tracked.address, tracked.nonce, { state: "REPLACED" });
      log?.warn({ address: tracked.address, nonce: tracked.nonce.toString(), txHash: tracked.txHash }, "signers: transaction replaced");
      return "replaced";
    }
    log?.warn({ address: tracked.address, nonce: tracked.nonce.toString(), txHash: tracked.txHash }, "signers: transaction dropped by the node; broadcasting it again");
    const result = await broadcast(tracked);
    if (result.outcome === "nonce-taken") {
      await book.settle(tracked.address, tracked.nonce, { state: "REPLACED" });
      return "replaced";
    }
    return "rebroadcast";
  }

  function waitMined(tracked: TrackedTransaction): Promise<TransactionReceipt> {
    return new Promise<TransactionReceipt>((resolve, reject) => {
      const existing = waiting.get(tracked.txHash);
      if (existing !== undefined) {
        // Two waiters on one transaction (a resumed request while the first still waits).
        const first = existing;
        waiting.set(tracked.txHash, {
          ...first,
          resolve: (r) => {
            first.resolve(r);
            resolve(r);
          },
          reject: (e) => {
            first.reject(e);
            reject(e);
          },
        });
      } else {
        waiting.set(tracked.txHash, { tracked, since: Date.now(), checkedAt: 0, askedOnce: false, resolve, reject });
      }
      schedule();
    });
  }

  async function outcome(tracked: TrackedTransaction, receipt: TransactionReceipt): Promise<SentTransaction> {
    const mined = receipt.status === 1;
    await book.settle(tracked.address, tracked.nonce, { state: mined ? "MINED" : "REVERTED", blockNumber: receipt.blockNumber, blockHash: receipt.blockHash });
    const scope = currentRequestScope();
    const entry = scope?.sent.find((s) => s.txHash === tracked.txHash);
    if (entry !== undefined) {
      entry.blockNumber = receipt.blockNumber;
      entry.blockHash = receipt.blockHash;
    }
    if (mined) return { txHash: receipt.hash, blockNumber: receipt.blockNumber, receipt };
    const known = revertedAtBroadcast.get(tracked.txHash);
    revertedAtBroadcast.delete(tracked.txHash);
    if (known !== undefined) throw known;
    // Replayed on the state the block left: what made it revert (usually a race lost in the same block).
    const t = Transaction.from(tracked.raw);
    try {
      await provider.call({ from: tracked.address, to: t.to, data: t.data, value: t.value, blockTag: receipt.blockNumber });
    } catch (err) {
      const decoded = decodeContractError(err, interfaces);
      if (decoded !== undefined) throw decoded;
    }
    throw new ConflictError("TransactionReverted", "the transaction was mined but reverted (the state it relied on changed)", { txHash: receipt.hash });
  }

  // ─── recovery sweep ─────────────────────────────────────────────────────────────────────────────
  const sweeping = keyedMutex();
  async function recover(): Promise<void> {
    await sweeping("sweep", async () => {
      const addresses = [...input.organisations.keys()];
      for (const s of [input.operator, input.relayer]) if (s !== undefined) addresses.push((await s.getAddress()).toLowerCase());
      const rows = await book.pending(addresses);
      const now = Date.now();
      for (const tracked of rows) {
        if (waiting.has(tracked.txHash) || now - tracked.createdAtMs < staleMs) continue;
        try {
          const receipt = await provider.getTransactionReceipt(tracked.txHash);
          if (receipt !== null) {
            await book.settle(tracked.address, tracked.nonce, {
              state: receipt.status === 1 ? "MINED" : "REVERTED",
              blockNumber: receipt.blockNumber,
              blockHash: receipt.blockHash,
            });
            continue;
          }
          await checkLost(tracked);
        } catch (err) {
          log?.warn({ txHash: tracked.txHash, err: message(err) }, "signers: recovery of a pending transaction failed; will retry");
        }
      }
    });
  }
  const sweepMs = input.sweepMs ?? 15_000;
  const sweepTimer = sweepMs > 0 ? setInterval(() => void recover().catch(() => undefined), sweepMs) : undefined;
  sweepTimer?.unref();

  return {
    signerOf: (organisation) => {
      const s = input.organisations.get(organisation.toLowerCase());
      return s === undefined ? undefined : connect(s);
    },
    operator: () => (input.operator === undefined ? undefined : connect(input.operator)),
    relayer: () => {
      const s = input.relayer ?? input.operator;
      return s === undefined ? undefined : connect(s);
    },
    custodial: () => [...input.organisations.keys()],
    recover,
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      if (sweepTimer !== undefined) clearInterval(sweepTimer);
      for (const w of waiting.values()) w.reject(new ChainUnavailableError("the server is shutting down"));
      waiting.clear();
    },
    async send(who, call) {
      const raw = resolve(who);
      if (raw === undefined) {
        throw new ForbiddenError(
          "NoCustodialKey",
          who === "operator" || who === "relayer"
            ? `the server has no ${who} key configured`
            : "the server does not hold this organisation's key; submit an EIP-712 signature or send the transaction yourself",
        );
      }
      const signer = connect(raw);
      const address = (await signer.getAddress()).toLowerCase();
      const sent: { tracked?: TrackedTransaction } = {};
      const managed = new ManagedSigner(signer, provider, (tx) => submit(signer, address, tx, sent));
      try {
        await call(managed);
      } catch (err) {
        throw classify(err);
      }
      const tracked = sent.tracked;
      if (tracked === undefined) throw new Error("signers: the call sent no transaction");
      return outcome(tracked, await waitMined(tracked));
    },
  };
}
