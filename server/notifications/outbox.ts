/**
 * The notification outbox: the only code that writes `notification` rows and creates their webhook
 * deliveries. Called inside the caller's database transaction — the indexer's, with the projection of the
 * block the event is in (so a crash loses nothing and a rollback leaves nothing behind unretracted), or
 * the API's, with the off-chain write that caused it.
 *
 * Ids are deterministic (`chain:<block hash>:<log index>:<type>:<organisation>`, `api:…`, `schedule:…`):
 * writing the same notification twice — a re-index, two API processes' schedulers — inserts it once.
 * Must never: decide who is notified (the callers derive it from the parties to the event), or send.
 */
import { createHash } from "node:crypto";
import type { Sql, SqlValue } from "../db/sql";
import { RETRACTED, type NotificationSource } from "./types";

export interface OutboxItem {
  id: string;
  /** The organisation told (lower-case address). */
  organisation: string;
  type: string;
  /** What that organisation may see of the event. */
  data: Record<string, unknown>;
  source: NotificationSource;
  blockNumber?: number;
  blockHash?: string;
  txHash?: string;
  retracts?: string;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));

/** The deterministic id of a chain event's notification to one organisation. */
export function chainNotificationId(o: { blockHash: string; logIndex: number; type: string; organisation: string }): string {
  return `chain:${o.blockHash}:${o.logIndex}:${o.type}:${o.organisation}`;
}

/** The deterministic id of an API-side or scheduled notification: one per (type, target, organisation). */
export function keyedNotificationId(source: "api" | "schedule", type: string, target: string, organisation: string): string {
  return `${source}:${type}:${target}:${organisation}`;
}

/** The first delivery of a notification to a subscription, keyed by both (so fan-out is idempotent). */
export function deliveryId(notificationId: string, subscriptionId: string): string {
  return `dlv_${createHash("sha256").update(`${subscriptionId}\n${notificationId}`).digest("hex").slice(0, 32)}`;
}

interface SubscriptionRow {
  id: string;
  organisation: string;
  event_types: string;
}

/**
 * Inserts the notifications that are not there yet and, for each inserted, a PENDING delivery to every
 * subscription of its organisation that asked for its type (`deliverTo` overrides: the subscriptions a
 * retraction must reach). Returns the ids inserted.
 */
export async function writeNotifications(tx: Sql, items: readonly OutboxItem[], nowMs: number, deliverTo?: ReadonlyMap<string, readonly string[]>): Promise<string[]> {
  if (items.length === 0) return [];
  const organisations = [...new Set(items.map((i) => i.organisation))];
  const subscriptions: SubscriptionRow[] = [];
  for (let i = 0; i < organisations.length; i += 500) {
    const chunk = organisations.slice(i, i + 500);
    subscriptions.push(
      ...(await tx.query<SubscriptionRow & Record<string, unknown>>(
        `SELECT "id", "organisation", "event_types" FROM "webhook_subscription" WHERE "organisation" IN (${chunk.map(() => "?").join(",")})`,
        chunk,
      )),
    );
  }
  const wants = subscriptions.map((s) => ({ ...s, types: new Set(JSON.parse(s.event_types) as string[]) }));
  const inserted: string[] = [];
  for (const item of items) {
    const id = await insertOnce(tx, item, nowMs);
    if (id === undefined) continue;
    inserted.push(id);
    const targets = deliverTo?.get(item.id) ?? wants.filter((s) => s.organisation === item.organisation && s.types.has(item.type)).map((s) => s.id);
    for (const subscriptionId of targets) {
      await tx.run(
        `INSERT INTO "webhook_delivery" ("id","subscription_id","organisation","notification_id","state","attempts","next_attempt_at_ms","lease_owner","lease_until_ms","last_status","last_error","delivered_at_ms","redelivery_of","created_at_ms")
         VALUES (?,?,?,?,'PENDING',0,?,NULL,NULL,NULL,NULL,NULL,NULL,?) ON CONFLICT ("id") DO NOTHING`,
        [deliveryId(id, subscriptionId), subscriptionId, item.organisation, id, BigInt(nowMs), BigInt(nowMs)],
      );
    }
  }
  return inserted;
}

/**
 * Inserts one notification unless it is already there. A chain event whose notification was retracted
 * (its block reorganised away) and that is back on the chain in the very same block (the chain went back
 * to that branch) is notified again under a new id: the receiver was told it did not happen.
 */
async function insertOnce(tx: Sql, item: OutboxItem, nowMs: number): Promise<string | undefined> {
  for (let again = 0; again < 100; again++) {
    const id = again === 0 ? item.id : `${item.id}:again${again}`;
    const params: SqlValue[] = [
      id,
      item.organisation,
      item.type,
      json(item.data),
      item.source,
      item.blockNumber === undefined ? null : BigInt(item.blockNumber),
      item.blockHash ?? null,
      item.txHash ?? null,
      item.retracts ?? null,
      BigInt(nowMs),
    ];
    const n = await tx.run(
      `INSERT INTO "notification" ("id","organisation","type","payload","source","block_number","block_hash","tx_hash","retracts","retracted_at_ms","created_at_ms")
       VALUES (?,?,?,?,?,?,?,?,?,NULL,?) ON CONFLICT ("id") DO NOTHING`,
      params,
    );
    if (n === 1) return id;
    if (item.source !== "CHAIN" || item.blockNumber === undefined) return undefined;
    const existing = await tx.query<{ retracted_at_ms: unknown }>(`SELECT "retracted_at_ms" FROM "notification" WHERE "id" = ?`, [id]);
    if (existing[0] === undefined || existing[0].retracted_at_ms === null) return undefined;
  }
  return undefined;
}

/**
 * The indexer rolled back every block after `ancestor`: each chain notification of those blocks is marked
 * retracted; a delivery that never left (no attempt started) is withdrawn; where one was delivered or may
 * have been (an attempt started, perhaps cut short), a `notification.retracted` follows to the same
 * subscriptions. The retraction is also written for the event stream (a browser may have shown it).
 * Runs in the rollback's transaction.
 */
export async function retractNotificationsAfter(tx: Sql, ancestor: number, nowMs: number): Promise<number> {
  const rows = await tx.query<{ id: string; organisation: string; type: string; block_number: unknown; block_hash: string | null; tx_hash: string | null }>(
    `SELECT "id", "organisation", "type", "block_number", "block_hash", "tx_hash" FROM "notification"
     WHERE "source" = 'CHAIN' AND "block_number" > ? AND "retracted_at_ms" IS NULL ORDER BY "seq"`,
    [BigInt(ancestor)],
  );
  if (rows.length === 0) return 0;
  const retractions: OutboxItem[] = [];
  const deliverTo = new Map<string, string[]>();
  for (const row of rows) {
    await tx.run(`UPDATE "notification" SET "retracted_at_ms" = ? WHERE "id" = ?`, [BigInt(nowMs), row.id]);
    const deliveries = await tx.query<{ subscription_id: string; state: string; attempts: unknown }>(
      `SELECT "subscription_id", "state", "attempts" FROM "webhook_delivery" WHERE "notification_id" = ?`,
      [row.id],
    );
    const reached = [...new Set(deliveries.filter((d) => d.state === "DELIVERED" || Number(d.attempts) > 0).map((d) => d.subscription_id))];
    await tx.run(`UPDATE "webhook_delivery" SET "state" = 'WITHDRAWN', "lease_owner" = NULL, "lease_until_ms" = NULL WHERE "notification_id" = ? AND "state" IN ('PENDING', 'FAILED')`, [
      row.id,
    ]);
    const retraction: OutboxItem = {
      id: `retract:${row.id}`,
      organisation: row.organisation,
      type: RETRACTED,
      data: { retracts: row.id, type: row.type, reason: "REORGANISED", blockNumber: Number(row.block_number), blockHash: row.block_hash, txHash: row.tx_hash },
      source: "CHAIN",
      retracts: row.id,
    };
    retractions.push(retraction);
    deliverTo.set(retraction.id, reached);
  }
  await writeNotifications(tx, retractions, nowMs, deliverTo);
  return rows.length;
}

/**
 * The one way the API enqueues a notification that no chain event carries (a quote received, a prepared
 * action waiting for approval): pass the recipients derived from the parties, and a `target` that names
 * the thing (the same type, target and organisation is notified once). Call it inside the transaction of
 * the write that caused it when there is one.
 */
export async function enqueueNotification(
  sql: Sql,
  input: { type: string; target: string; organisations: readonly string[]; data: Record<string, unknown>; nowMs: number; source?: "API" | "SCHEDULE" },
): Promise<string[]> {
  const source = input.source ?? "API";
  const items = [...new Set(input.organisations.map((o) => o.toLowerCase()))].map((organisation) => ({
    id: keyedNotificationId(source === "API" ? "api" : "schedule", input.type, input.target, organisation),
    organisation,
    type: input.type,
    data: input.data,
    source,
  }));
  return writeNotifications(sql, items, input.nowMs);
}
