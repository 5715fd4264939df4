/**
 * Rate limiting in fixed one-minute windows (aligned to the clock, so every API process agrees on them),
 * in two budgets of API_RATE_LIMIT_PER_MINUTE each:
 * - per client address (`ip:<address>`): public routes, and every request whose credentials fail.
 *   It is checked BEFORE credentials are: an address that used up its budget gets 429 at once, so
 *   guessing keys or tokens is limited like any other unauthenticated traffic;
 * - per credential (`cred:<credential id>`, a session counting against the key it came from): every
 *   authenticated request, so many organisations behind one address each have their own budget.
 * Answers with the IETF RateLimit headers and, when exceeded, `429 RateLimited` with Retry-After.
 *
 * Where the counts live: in this process (SQLite: one API process), or in the database table
 * `rate_limit_window` on PostgreSQL, where every API process counts in the same rows (one upsert per
 * request). Each process also remembers locally which keys are over their budget until the window
 * ends, so a flood is refused without a database round trip.
 */
import type { Request, Response } from "express";
import type { Sql } from "../../db/sql";
import { AppError } from "../../lib/appErrors";

export interface RateLimitStore {
  /** Counts one request against `key` in the window starting at `windowStart`; returns the window's count. */
  hit(key: string, windowStart: number): Promise<number>;
  /** Forgets windows that ended before `before`. */
  sweep(before: number): Promise<void>;
}

/** Counts in this process's memory. */
export function memoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async hit(key, windowStart) {
      let w = windows.get(key);
      if (w === undefined || w.start < windowStart) windows.set(key, (w = { start: windowStart, count: 0 }));
      return ++w.count;
    },
    async sweep(before) {
      for (const [key, w] of windows) if (w.start < before) windows.delete(key);
    },
  };
}

/**
 * Counts in the `rate_limit_window` table: one atomic upsert per request, so concurrent API processes
 * never lose a count. A process whose clock is a little behind counts into the newer window it finds.
 */
export function sqlRateLimitStore(sql: Sql): RateLimitStore {
  return {
    async hit(key, windowStart) {
      const rows = await sql.query<{ hits: number | string }>(
        `INSERT INTO "rate_limit_window" ("key", "window_start", "hits") VALUES (?, ?, 1)
         ON CONFLICT ("key") DO UPDATE SET
           "hits" = CASE WHEN "rate_limit_window"."window_start" >= excluded."window_start" THEN "rate_limit_window"."hits" + 1 ELSE 1 END,
           "window_start" = CASE WHEN "rate_limit_window"."window_start" >= excluded."window_start" THEN "rate_limit_window"."window_start" ELSE excluded."window_start" END
         RETURNING "hits"`,
        [key, BigInt(windowStart)],
      );
      return Number(rows[0]!.hits);
    },
    async sweep(before) {
      await sql.run(`DELETE FROM "rate_limit_window" WHERE "window_start" < ?`, [BigInt(before)]);
    },
  };
}

export interface RateLimiter {
  /** Before credentials are checked: the 429 for an address that already used up its budget. */
  refusedAddress(req: Request, res: Response): AppError | undefined;
  /** Counts this request against the client address (public route, or failed credentials). */
  countAddress(req: Request, res: Response): Promise<AppError | undefined>;
  /** Counts this request against an authenticated credential. */
  countCredential(credentialId: string, res: Response): Promise<AppError | undefined>;
}

export const addressKey = (req: Request) => `ip:${req.ip ?? "unknown"}`;

export function rateLimiter(input: { limit: number; store: RateLimitStore; windowMs?: number; now?: () => number }): RateLimiter {
  const windowMs = input.windowMs ?? 60_000;
  const now = input.now ?? Date.now;
  const { limit, store } = input;
  const policy = `${limit};w=${Math.round(windowMs / 1000)}`;
  /** Keys over their budget → end of that window, learnt from the store. */
  const over = new Map<string, number>();
  let sweepAt = 0;

  const refusal = (res: Response, resetAt: number, t: number) => {
    const resetSeconds = Math.max(0, Math.ceil((resetAt - t) / 1000));
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", `limit=${limit}, remaining=0, reset=${resetSeconds}`);
    res.setHeader("Retry-After", String(resetSeconds));
    return new AppError({ code: "RateLimited", status: 429, message: "too many requests; slow down" });
  };

  function refusedLocally(key: string, res: Response, t: number): AppError | undefined {
    const until = over.get(key);
    if (until === undefined) return undefined;
    if (until <= t) {
      over.delete(key);
      return undefined;
    }
    return refusal(res, until, t);
  }

  async function count(key: string, res: Response): Promise<AppError | undefined> {
    const t = now();
    const known = refusedLocally(key, res, t);
    if (known !== undefined) return known;
    const windowStart = Math.floor(t / windowMs) * windowMs;
    const resetAt = windowStart + windowMs;
    if (t >= sweepAt) {
      // Forget finished windows once per window, so idle keys do not accumulate.
      sweepAt = resetAt;
      for (const [k, until] of over) if (until <= t) over.delete(k);
      store.sweep(windowStart - windowMs).catch(() => {});
    }
    const hits = await store.hit(key, windowStart);
    if (hits > limit) {
      over.set(key, resetAt);
      return refusal(res, resetAt, t);
    }
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", `limit=${limit}, remaining=${limit - hits}, reset=${Math.max(0, Math.ceil((resetAt - t) / 1000))}`);
    return undefined;
  }

  return {
    refusedAddress: (req, res) => refusedLocally(addressKey(req), res, now()),
    countAddress: (req, res) => count(addressKey(req), res),
    countCredential: (credentialId, res) => count(`cred:${credentialId}`, res),
  };
}
