/**
 * The nonce book of custodial keys, in the database so that every API process sharing a key shares it.
 * A nonce is taken under a lock on the key's `signer_account` row (SELECT ... FOR UPDATE on PostgreSQL;
 * on SQLite the write lock of BEGIN IMMEDIATE, one process) and, in the same database transaction, the
 * transaction signed with it is recorded — hash and signed bytes — before anyone broadcasts it. So a
 * nonce is never handed out twice, a transaction is never lost once its nonce is taken (it can be
 * broadcast again from `raw`), and a restarted process finds everything still pending.
 *
 * This module never talks to the chain: what the chain says (the key's transaction count, receipts)
 * is passed in by the signer registry (signers.ts).
 */
import { numOrNull, strOrNull } from "../db/codec";
import type { Sql, SqlValue } from "../db/sql";

export type TrackedState = "SENT" | "MINED" | "REVERTED" | "REPLACED";

export interface TrackedTransaction {
  address: string;
  nonce: bigint;
  txHash: string;
  raw: string;
  callHash: string;
  state: TrackedState;
  blockNumber: number | null;
  blockHash: string | null;
  idempotencyScope: string | null;
  idempotencyKey: string | null;
  createdAtMs: number;
}

export interface SignedCall {
  txHash: string;
  raw: string;
  callHash: string;
}

export interface NonceStore {
  /**
   * Reconciles the stored next nonce with the chain's count of the key's transactions (pending
   * included): the chain ahead (the key was used elsewhere, or the row is new) moves it up; the book
   * ahead with nothing tracked at or above the chain's count (lost nonces) moves it down to the chain.
   */
  sync(address: string, chainCount: bigint): Promise<bigint>;
  /** Takes the next nonce, signs with it (`sign`) and records the result, all under the key's lock. */
  assign(
    address: string,
    sign: (nonce: bigint) => Promise<SignedCall>,
    binding?: { scope: string; key: string },
    /** Called once committed, before the next nonce of the key is taken here: queue the broadcast in nonce order. */
    committed?: (tracked: TrackedTransaction) => void,
  ): Promise<TrackedTransaction>;
  /**
   * Gives a nonce back after the chain refused its transaction for good (nothing was broadcast that
   * could still be mined): if no later nonce was taken the book steps back ("reclaimed"); otherwise the
   * caller must fill the gap (`replace` with a no-op) or every later transaction waits forever.
   */
  release(address: string, nonce: bigint): Promise<"reclaimed" | "gap">;
  /** Puts another signed transaction (a no-op filling a gap) in place of the one at `nonce`. */
  replace(address: string, nonce: bigint, signed: SignedCall): Promise<void>;
  /** Records the outcome of the transaction at `nonce`. */
  settle(address: string, nonce: bigint, outcome: { state: TrackedState; blockNumber?: number; blockHash?: string }): Promise<void>;
  /** Transactions still SENT (not known mined), oldest first: what a restart or the sweeper looks after. */
  pending(addresses?: readonly string[]): Promise<TrackedTransaction[]>;
  /** Transactions sent under an Idempotency-Key, in nonce order per key. */
  bound(binding: { scope: string; key: string }): Promise<TrackedTransaction[]>;
  /** The transaction at `nonce`, if tracked. */
  get(address: string, nonce: bigint): Promise<TrackedTransaction | undefined>;
}

/** A per-key promise chain: what runs under one key runs one at a time, in arrival order. */
export function keyedMutex() {
  const tails = new Map<string, Promise<unknown>>();
  return async function lock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

type Row = Record<string, unknown>;

function toTracked(r: Row): TrackedTransaction {
  return {
    address: String(r.address),
    nonce: BigInt(r.nonce as string | number | bigint),
    txHash: String(r.tx_hash),
    raw: String(r.raw),
    callHash: String(r.call_hash),
    state: String(r.state) as TrackedState,
    blockNumber: numOrNull(r.block_number),
    blockHash: strOrNull(r.block_hash),
    idempotencyScope: strOrNull(r.idempotency_scope),
    idempotencyKey: strOrNull(r.idempotency_key),
    createdAtMs: Number(r.created_at_ms),
  };
}

const COLUMNS = `"address", "nonce", "tx_hash", "raw", "call_hash", "state", "block_number", "block_hash", "idempotency_scope", "idempotency_key", "created_at_ms"`;

export function createNonceStore(input: { sql: Sql; chainKey: string; now?: () => number }): NonceStore {
  const { sql, chainKey } = input;
  const now = input.now ?? Date.now;
  const local = keyedMutex();
  // SQLite's handle runs one transaction at a time (one connection); PostgreSQL one per key here, the
  // row lock orders them across processes.
  const lockKey = (address: string) => (sql.dialect === "sqlite" ? "*" : address);
  const forUpdate = sql.dialect === "postgres" ? " FOR UPDATE" : "";
  // Outside the key lock, SQLite statements still queue behind a running transaction: on its single
  // connection they would otherwise join (and roll back with) someone else's transaction.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => (sql.dialect === "sqlite" ? local("*", fn) : fn());

  async function locked<T>(address: string, fn: (tx: Sql, next: bigint) => Promise<T>, committed?: (out: T) => void): Promise<T> {
    const ensureRow = (tx: Sql) =>
      tx.run(`INSERT INTO "signer_account" ("chain", "address", "next_nonce", "updated_at_ms") VALUES (?, ?, 0, ?) ON CONFLICT ("chain", "address") DO NOTHING`, [
        chainKey,
        address,
        now(),
      ]);
    const readNext = async (tx: Sql) =>
      BigInt(
        (await tx.query<{ next_nonce: string | number | bigint }>(`SELECT "next_nonce" FROM "signer_account" WHERE "chain" = ? AND "address" = ?${forUpdate}`, [chainKey, address]))[0]!
          .next_nonce,
      );
    return local(lockKey(address), async () => {
      let out: T;
      if (sql.dialect === "postgres") {
        // The row lock orders every process sharing the key; it is held while signing.
        out = await sql.transaction(async (tx) => {
          await ensureRow(tx);
          return fn(tx, await readNext(tx));
        });
      } else {
        // SQLite serves one API process: the in-process lock is the lock. The database's write lock —
        // one for the whole file — is taken only for the writes at the end, so signing never holds up
        // the indexer or the API's other writes.
        await ensureRow(sql);
        const writes: [string, readonly SqlValue[]][] = [];
        const deferred: Sql = {
          ...sql,
          run: async (statement, params = []) => {
            writes.push([statement, params]);
            return 1;
          },
        };
        out = await fn(deferred, await readNext(sql));
        if (writes.length > 0) {
          await sql.transaction(async (tx) => {
            for (const [statement, params] of writes) await tx.run(statement, params);
          });
        }
      }
      committed?.(out);
      return out;
    });
  }

  const setNext = (tx: Sql, address: string, next: bigint) =>
    tx.run(`UPDATE "signer_account" SET "next_nonce" = ?, "updated_at_ms" = ? WHERE "chain" = ? AND "address" = ?`, [next, now(), chainKey, address]);

  return {
    async sync(address, chainCount) {
      const a = address.toLowerCase();
      return locked(a, async (tx, next) => {
        if (next === chainCount) return next;
        let target = next;
        if (chainCount > next) {
          target = chainCount;
        } else {
          const tracked = await tx.query(
            `SELECT 1 AS "one" FROM "signer_transaction" WHERE "chain" = ? AND "address" = ? AND "nonce" >= ? AND "state" <> 'REPLACED' LIMIT 1`,
            [chainKey, a, chainCount],
          );
          if (tracked.length === 0) target = chainCount;
        }
        if (target !== next) await setNext(tx, a, target);
        return target;
      });
    },

    async assign(address, sign, binding, committed) {
      const a = address.toLowerCase();
      return locked(a, async (tx, nonce) => {
        const signed = await sign(nonce);
        const at = now();
        const values: SqlValue[] = [chainKey, a, nonce, signed.txHash, signed.raw, signed.callHash, "SENT", binding?.scope ?? null, binding?.key ?? null, at, at];
        await tx.run(
          `INSERT INTO "signer_transaction" ("chain", "address", "nonce", "tx_hash", "raw", "call_hash", "state", "idempotency_scope", "idempotency_key", "created_at_ms", "updated_at_ms")
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          values,
        );
        await setNext(tx, a, nonce + 1n);
        return {
          address: a,
          nonce,
          ...signed,
          state: "SENT" as const,
          blockNumber: null,
          blockHash: null,
          idempotencyScope: binding?.scope ?? null,
          idempotencyKey: binding?.key ?? null,
          createdAtMs: at,
        };
      }, committed);
    },

    async release(address, nonce) {
      const a = address.toLowerCase();
      return locked(a, async (tx, next) => {
        if (next !== nonce + 1n) return "gap" as const;
        await tx.run(`DELETE FROM "signer_transaction" WHERE "chain" = ? AND "address" = ? AND "nonce" = ?`, [chainKey, a, nonce]);
        await setNext(tx, a, nonce);
        return "reclaimed" as const;
      });
    },

    async replace(address, nonce, signed) {
      await serial(() =>
        sql.run(
        `UPDATE "signer_transaction" SET "tx_hash" = ?, "raw" = ?, "call_hash" = ?, "state" = 'SENT', "idempotency_scope" = NULL, "idempotency_key" = NULL, "updated_at_ms" = ?
         WHERE "chain" = ? AND "address" = ? AND "nonce" = ?`,
        [signed.txHash, signed.raw, signed.callHash, now(), chainKey, address.toLowerCase(), nonce],
      ));
    },

    async settle(address, nonce, outcome) {
      await serial(() =>
        sql.run(
        `UPDATE "signer_transaction" SET "state" = ?, "block_number" = ?, "block_hash" = ?, "updated_at_ms" = ? WHERE "chain" = ? AND "address" = ? AND "nonce" = ?`,
        [outcome.state, outcome.blockNumber ?? null, outcome.blockHash ?? null, now(), chainKey, address.toLowerCase(), nonce],
      ));
    },

    async pending(addresses) {
      const rows = await serial(() => sql.query(`SELECT ${COLUMNS} FROM "signer_transaction" WHERE "chain" = ? AND "state" = 'SENT' ORDER BY "address", "nonce"`, [chainKey]));
      const wanted = addresses === undefined ? undefined : new Set(addresses.map((x) => x.toLowerCase()));
      return rows.map(toTracked).filter((t) => wanted === undefined || wanted.has(t.address));
    },

    async bound(binding) {
      const rows = await serial(() => sql.query(
        `SELECT ${COLUMNS} FROM "signer_transaction" WHERE "chain" = ? AND "idempotency_scope" = ? AND "idempotency_key" = ? ORDER BY "created_at_ms", "nonce"`,
        [chainKey, binding.scope, binding.key],
      ));
      return rows.map(toTracked);
    },

    async get(address, nonce) {
      const rows = await serial(() => sql.query(`SELECT ${COLUMNS} FROM "signer_transaction" WHERE "chain" = ? AND "address" = ? AND "nonce" = ?`, [
        chainKey,
        address.toLowerCase(),
        nonce,
      ]));
      return rows[0] === undefined ? undefined : toTracked(rows[0]);
    },
  };
}
