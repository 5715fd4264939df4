/**
 * Time-based notifications (issue 12 item 3): a quote about to expire, a maturity approaching. No event
 * marks them, so the delivery worker asks at each tick (every API process: the work is idempotent) which
 * ones are due and not yet written. Each has one deterministic id per (type, target, organisation), and
 * the query leaves out those already in the outbox, so each is produced once however many processes ask.
 *
 * - `quote.received` (a sweep): a quote of the last day whose notification the use case did not write.
 * - `preparedAction.awaitingApproval` (a sweep): a PENDING prepared action whose notification was not written.
 * - `quote.expiring`: an OPEN quote on an OPEN request, expiring within API_NOTIFY_QUOTE_EXPIRING_SECONDS
 *   → the request's holder (its quotes are its business).
 * - `maturity.approaching`, within API_NOTIFY_MATURITY_DAYS: each live receivable → its holder (its own
 *   part); each (issuer, currency, maturity) → the core enterprise owing them, with the face due.
 *
 * Judged by the domain's clock (the chain's when it runs ahead). A receivable moved to a new holder
 * inside the window tells the new holder too (the id names the organisation).
 */
import type { Sql } from "../db/sql";
import { keyedNotificationId, writeNotifications, type OutboxItem } from "./outbox";
import { preparedActionNotificationData, quoteNotificationData } from "./types";

export interface SchedulerOptions {
  sql: Sql;
  now: () => Date;
  maturityDays: number;
  quoteExpiringSeconds: number;
}

const LIMIT = 1000;
/** How far back the sweep looks for quotes whose `quote.received` was not written (a day). */
const RECEIVED_SWEEP_MS = 86_400_000;

export function createNotificationScheduler(o: SchedulerOptions): () => Promise<number> {
  return async function schedule(): Promise<number> {
    const nowMs = o.now().getTime();
    const nowSec = BigInt(Math.floor(nowMs / 1000));
    const items: OutboxItem[] = [];

    type QuoteRow = { id: string; request_id: string; holder: string; financier: string; receivable_id: string; amount: string; advance: string; repayment: string; mode: string; currency: string; expiry: unknown };
    const COLUMNS = `q."id", q."request_id", q."holder", q."financier", q."receivable_id", q."amount", q."advance", q."repayment", q."mode", q."currency", q."expiry"`;
    // quote.received is enqueued by the use case at once; this sweep tells of any quote a crash (or a
    // failed write) left untold, under the same id.
    const untold = await o.sql.query<QuoteRow>(
      `SELECT ${COLUMNS} FROM "financing_quote" q WHERE q."created_at_ms" >= ?
         AND NOT EXISTS (SELECT 1 FROM "notification" n WHERE n."id" = 'api:quote.received:' || q."id" || ':' || q."holder")
       LIMIT ${LIMIT}`,
      [BigInt(nowMs - RECEIVED_SWEEP_MS)],
    );
    for (const q of untold) {
      items.push({ id: keyedNotificationId("api", "quote.received", q.id, q.holder), organisation: q.holder, type: "quote.received", data: quoteNotificationData(q), source: "API" });
    }

    // preparedAction.awaitingApproval likewise: a PENDING action still open whose notification is missing.
    const waiting = await o.sql.query<{ id: string; organisation: string; action: string; currency: string; amount: string; prepared_by: string; expires_at_ms: unknown }>(
      `SELECT a."id", a."organisation", a."action", a."currency", a."amount", a."prepared_by", a."expires_at_ms" FROM "prepared_action" a
       WHERE a."status" = 'PENDING' AND a."expires_at_ms" > ?
         AND NOT EXISTS (SELECT 1 FROM "notification" n WHERE n."id" = 'api:preparedAction.awaitingApproval:' || a."id" || ':' || a."organisation")
       LIMIT ${LIMIT}`,
      [BigInt(nowMs)],
    );
    for (const a of waiting) {
      items.push({
        id: keyedNotificationId("api", "preparedAction.awaitingApproval", a.id, a.organisation),
        organisation: a.organisation,
        type: "preparedAction.awaitingApproval",
        data: preparedActionNotificationData(a),
        source: "API",
      });
    }

    const quotes = await o.sql.query<QuoteRow>(
      `SELECT ${COLUMNS}
       FROM "financing_quote" q JOIN "financing_request" r ON r."id" = q."request_id"
       WHERE q."status" = 'OPEN' AND r."status" = 'OPEN' AND q."expiry" > ? AND q."expiry" <= ?
         AND NOT EXISTS (SELECT 1 FROM "notification" n WHERE n."id" = 'schedule:quote.expiring:' || q."id" || ':' || q."holder")
       LIMIT ${LIMIT}`,
      [nowSec, nowSec + BigInt(o.quoteExpiringSeconds)],
    );
    for (const q of quotes) {
      items.push({
        id: `schedule:quote.expiring:${q.id}:${q.holder}`,
        organisation: q.holder,
        type: "quote.expiring",
        data: quoteNotificationData(q),
        source: "SCHEDULE",
      });
    }

    const until = nowSec + BigInt(o.maturityDays) * 86_400n;
    const parts = await o.sql.query<{ id: string; root_id: string; holder: string; issuer: string; currency: string; amount: string; maturity: unknown }>(
      `SELECT r."id", r."root_id", r."holder", r."issuer", r."currency", r."amount", r."maturity" FROM "receivable" r
       WHERE r."status" <> 'BURNED' AND r."maturity" > ? AND r."maturity" <= ? AND r."holder" <> r."issuer"
         AND NOT EXISTS (SELECT 1 FROM "notification" n WHERE n."id" = 'schedule:maturity.approaching:' || r."id" || ':' || r."holder")
       LIMIT ${LIMIT}`,
      [nowSec, until],
    );
    for (const p of parts) {
      items.push({
        id: `schedule:maturity.approaching:${p.id}:${p.holder}`,
        organisation: p.holder,
        type: "maturity.approaching",
        data: { receivableId: String(p.id), rootId: String(p.root_id), issuer: p.issuer, currency: p.currency, amount: p.amount, maturity: Number(p.maturity) },
        source: "SCHEDULE",
      });
    }

    const roots = await o.sql.query<{ issuer: string; currency: string; maturity: unknown; face_amount: string }>(
      `SELECT t."issuer", t."currency", t."maturity", t."face_amount" FROM "receivable_root" t
       WHERE t."maturity" > ? AND t."maturity" <= ?
         AND NOT EXISTS (SELECT 1 FROM "notification" n WHERE n."id" = 'schedule:maturity.approaching:pool-' || t."issuer" || '-' || t."currency" || '-' || CAST(t."maturity" AS TEXT) || ':' || t."issuer")`,
      [nowSec, until],
    );
    const pools = new Map<string, { issuer: string; currency: string; maturity: number; face: bigint; roots: number }>();
    for (const r of roots) {
      const key = `pool-${r.issuer}-${r.currency}-${String(r.maturity)}`;
      const p = pools.get(key) ?? { issuer: r.issuer, currency: r.currency, maturity: Number(r.maturity), face: 0n, roots: 0 };
      p.face += BigInt(r.face_amount);
      p.roots += 1;
      pools.set(key, p);
    }
    for (const [key, p] of pools) {
      items.push({
        id: `schedule:maturity.approaching:${key}:${p.issuer}`,
        organisation: p.issuer,
        type: "maturity.approaching",
        data: { issuer: p.issuer, currency: p.currency, maturity: p.maturity, face: p.face.toString(), receivables: p.roots },
        source: "SCHEDULE",
      });
    }
    if (items.length === 0) return 0;
    // Stamped with the wall clock, as every outbox row (the event stream's look-back compares with it).
    return (await writeNotifications(o.sql, items, Date.now())).length;
  };
}
