/**
 * Idempotency-Key records in the database. `begin` claims a key with one INSERT (the primary key makes
 * concurrent retries race safely: exactly one inserts, the others see PENDING or the stored answer).
 */
import type { PrismaClient } from "../db/client";
import type { IdempotencyStore } from "./http";

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

export function createPrismaIdempotencyStore(db: PrismaClient, now: () => Date = () => new Date()): IdempotencyStore {
  return {
    async begin({ scope, key, fingerprint }) {
      try {
        await db.idempotencyRecord.create({
          data: { scope, key, fingerprint, state: "PENDING", status: null, body: null, createdAtMs: BigInt(now().getTime()) },
        });
        return { state: "new" };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const row = await db.idempotencyRecord.findUnique({ where: { scope_key: { scope, key } } });
      if (row === null) return { state: "pending" };
      if (row.fingerprint !== fingerprint) return { state: "mismatch" };
      if (row.state !== "DONE" || row.status === null) return { state: "pending" };
      return { state: "done", status: row.status, body: row.body === null ? null : (JSON.parse(row.body) as unknown) };
    },
    async complete({ scope, key, status, body }) {
      await db.idempotencyRecord.update({
        where: { scope_key: { scope, key } },
        data: {
          state: "DONE",
          status,
          body: JSON.stringify(body ?? null, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
        },
      });
    },
    async abandon({ scope, key }) {
      await db.idempotencyRecord.deleteMany({ where: { scope, key, state: "PENDING" } });
    },
  };
}
