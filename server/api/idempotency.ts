/**
 * Idempotency-Key records in the database. `begin` claims a key with one INSERT (the primary key makes
 * concurrent retries race safely: exactly one inserts, the others see PENDING or the stored answer).
 *
 * What is stored, and for how long (docs/api.md, "Writes that send transactions"):
 * - only successful answers, with the chain identity (chain id, genesis hash, deployment addresses) and
 *   the block of the last transaction they report. A replay on another chain, or after a reorganisation
 *   replaced that block, is not served: the request runs again and finds the transactions it already
 *   sent (the nonce manager binds each to the key before broadcasting it), so nothing is sent twice;
 * - failures are not stored: a client error depends on state that can change (balance, allowance,
 *   status), so a retry is judged again; transactions a failed request already sent stay bound to
 *   the key, and a retry resumes after them;
 * - a request that failed with a server error after sending is INTERRUPTED: the next retry takes it
 *   over and resumes; a PENDING record older than the stale limit (its process died) likewise;
 * - every record, and the binding of transactions to keys, expires after the retention period.
 */
import { isUniqueViolation, type PrismaClient } from "../db/client";
import type { IdempotencyStore } from "./http";

export interface IdempotencyChain {
  /** `chainIdentity().deploymentKey`: answers given on another chain or deployment are never replayed. */
  key: string;
  /** The hash of the block at `number` on the chain now (undefined if there is none, or unknown). */
  blockHashAt(number: number): Promise<string | undefined>;
}

export interface IdempotencyOptions {
  now?: () => Date;
  chain?: IdempotencyChain;
  /** How long records (and transaction bindings) are kept, in ms. */
  retentionMs: number;
  /** A PENDING record older than this belongs to a request whose process died: a retry takes it over. */
  staleMs: number;
}

export function createPrismaIdempotencyStore(db: PrismaClient, options: IdempotencyOptions): IdempotencyStore {
  const now = options.now ?? (() => new Date());
  const chainKey = options.chain?.key ?? "";
  let lastCleanup = 0;

  /** Deletes what is past retention, at most once a minute. */
  async function cleanup(at: number) {
    if (at - lastCleanup < 60_000) return;
    lastCleanup = at;
    const cutoff = BigInt(at - options.retentionMs);
    await db.idempotencyRecord.deleteMany({ where: { createdAtMs: { lt: cutoff } } });
    await db.signerTransaction.updateMany({
      where: { createdAtMs: { lt: cutoff }, idempotencyKey: { not: null } },
      data: { idempotencyKey: null, idempotencyScope: null },
    });
  }

  /** Moves a record from the state it was seen in back to PENDING for this request; false if someone else did. */
  async function takeOver(scope: string, key: string, seen: { state: string; createdAtMs: bigint }, at: number): Promise<boolean> {
    const { count } = await db.idempotencyRecord.updateMany({
      where: { scope, key, state: seen.state, createdAtMs: seen.createdAtMs },
      data: { state: "PENDING", status: null, body: null, chain: null, blockNumber: null, blockHash: null, createdAtMs: BigInt(at) },
    });
    return count === 1;
  }

  async function stillOnChain(blockNumber: bigint | null, blockHash: string | null): Promise<boolean> {
    if (blockNumber === null || blockHash === null || options.chain === undefined) return true;
    try {
      const hash = await options.chain.blockHashAt(Number(blockNumber));
      return hash === undefined ? false : hash.toLowerCase() === blockHash.toLowerCase();
    } catch {
      // The node cannot be asked: the answer stands (it was right when given).
      return true;
    }
  }

  return {
    async begin({ scope, key, fingerprint }) {
      const at = now().getTime();
      await cleanup(at);
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await db.idempotencyRecord.create({
            data: { scope, key, fingerprint, state: "PENDING", status: null, body: null, createdAtMs: BigInt(at), chain: null, blockNumber: null, blockHash: null },
          });
          return { state: "new" };
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
        const row = await db.idempotencyRecord.findUnique({ where: { scope_key: { scope, key } } });
        if (row === null) continue; // deleted meanwhile: claim it again
        const expired = row.createdAtMs < BigInt(at - options.retentionMs);
        if (row.fingerprint !== fingerprint && !expired) return { state: "mismatch" };
        if (expired || (row.state === "DONE" && row.chain !== chainKey)) {
          // Past retention, or an answer from another chain: forgotten.
          await db.idempotencyRecord.deleteMany({ where: { scope, key, createdAtMs: row.createdAtMs } });
          continue;
        }
        if (row.state === "DONE" && row.status !== null) {
          if (await stillOnChain(row.blockNumber, row.blockHash)) {
            return { state: "done", status: row.status, body: row.body === null ? null : (JSON.parse(row.body) as unknown) };
          }
          // A reorganisation dropped the block the answer reports: run again (resuming the sent transactions).
          if (await takeOver(scope, key, row, at)) return { state: "new" };
          return { state: "pending" };
        }
        const stale = row.state === "INTERRUPTED" || (row.state === "PENDING" && row.createdAtMs < BigInt(at - options.staleMs));
        if (stale && (await takeOver(scope, key, row, at))) return { state: "new" };
        return { state: "pending" };
      }
      return { state: "pending" };
    },
    async complete({ scope, key, status, body, block }) {
      await db.idempotencyRecord.update({
        where: { scope_key: { scope, key } },
        data: {
          state: "DONE",
          status,
          body: JSON.stringify(body ?? null, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
          chain: chainKey,
          blockNumber: block === undefined ? null : BigInt(block.number),
          blockHash: block?.hash ?? null,
        },
      });
    },
    async interrupt({ scope, key }) {
      await db.idempotencyRecord.updateMany({ where: { scope, key, state: "PENDING" }, data: { state: "INTERRUPTED" } });
    },
    async abandon({ scope, key }) {
      await db.idempotencyRecord.deleteMany({ where: { scope, key, state: "PENDING" } });
    },
  };
}
