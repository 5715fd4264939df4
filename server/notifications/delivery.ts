/**
 * The webhook delivery worker: runs in every API process and delivers the outbox at least once. Each
 * tick it claims due PENDING deliveries of ACTIVE subscriptions, one conditional UPDATE per delivery
 * (`WHERE state = 'PENDING' AND lease expired`: of several processes racing for one, exactly one changes
 * the row, on SQLite and PostgreSQL alike), with a lease. A process that dies mid-delivery (kill -9) leaves
 * the lease to expire, and another tick — its own after a restart, or another process's — sends it again:
 * a receiver may see a delivery twice (same `Ledgerline-Event-Id`), never zero times.
 *
 * A 2xx answer is delivered; anything else (another status, a timeout, a refused target) is retried after
 * API_WEBHOOK_RETRY_BASE_MS × 2^(attempt−1) (at most API_WEBHOOK_RETRY_MAX_MS). The attempt that reaches
 * API_WEBHOOK_MAX_ATTEMPTS marks the delivery FAILED and its subscription FAILING: nothing more is sent
 * to it until its admin sets it ACTIVE again (its pending deliveries wait; failed ones can be redelivered).
 * Every attempt is logged in `webhook_attempt`. Must never send a delivery whose notification was
 * withdrawn, nor mark one delivered that another process or a rollback took over (every update after
 * the send names the lease it holds).
 */
import http from "node:http";
import https from "node:https";
import { randomBytes } from "node:crypto";
import type { Sql } from "../db/sql";
import type { Logger } from "../lib/logger";
import type { SealedBox } from "../lib/sealedBox";
import { SIGNATURE_HEADER, signatureHeader } from "./signature";
import { guardedLookup, refuseTarget, type WebhookTargetPolicy } from "./targets";
import { toEnvelope, type NotificationRow } from "./types";

export interface DeliveryPolicy extends WebhookTargetPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
}

export interface DeliveryWorkerOptions {
  sql: Sql;
  /** Opens the subscriptions' secrets (the profiles' sealed box). */
  box: SealedBox;
  policy: DeliveryPolicy;
  logger: Logger;
  /** Tick interval (API_NOTIFY_POLL_MS). */
  pollMs: number;
  /** How long a claim holds before another process may take the delivery over. */
  leaseMs?: number;
  /** Deliveries claimed per tick. */
  batch?: number;
  /** Work done at each tick before deliveries (the time-based notifications' scheduler). */
  beforeTick?: () => Promise<unknown>;
}

export interface DeliveryWorker {
  start(): void;
  stop(): Promise<void>;
  /** One pass: claims and sends what is due; resolves with the number of deliveries attempted. */
  tick(): Promise<number>;
}

/** The AES-GCM associated data of a subscription's sealed secret: a value copied to another row does not open. */
export const secretAad = (subscriptionId: string) => `webhook-subscription:secret:${subscriptionId}`;

export function retryDelayMs(policy: Pick<DeliveryPolicy, "retryBaseMs" | "retryMaxMs">, attempts: number): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

interface Claimed {
  id: string;
  attempts: number;
  subscription_id: string;
  url: string;
  secret_sealed: string;
  notification: NotificationRow;
}

export function createDeliveryWorker(o: DeliveryWorkerOptions): DeliveryWorker {
  const owner = `${process.pid}:${randomBytes(6).toString("hex")}`;
  const leaseMs = o.leaseMs ?? Math.max(30_000, o.policy.timeoutMs * 3);
  const batch = o.batch ?? 20;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function claim(now: number): Promise<Claimed[]> {
    const due = await o.sql.query<{ id: string }>(
      `SELECT d."id" FROM "webhook_delivery" d JOIN "webhook_subscription" s ON s."id" = d."subscription_id"
       WHERE d."state" = 'PENDING' AND d."next_attempt_at_ms" <= ? AND (d."lease_until_ms" IS NULL OR d."lease_until_ms" < ?) AND s."status" = 'ACTIVE'
       ORDER BY d."next_attempt_at_ms", d."created_at_ms" LIMIT ${batch}`,
      [BigInt(now), BigInt(now)],
    );
    const claimed: Claimed[] = [];
    for (const { id } of due) {
      const n = await o.sql.run(
        `UPDATE "webhook_delivery" SET "lease_owner" = ?, "lease_until_ms" = ?, "attempts" = "attempts" + 1
         WHERE "id" = ? AND "state" = 'PENDING' AND ("lease_until_ms" IS NULL OR "lease_until_ms" < ?)`,
        [owner, BigInt(now + leaseMs), id, BigInt(now)],
      );
      if (n !== 1) continue; // another process took it
      const rows = await o.sql.query<{ attempts: unknown; subscription_id: string; url: string; secret_sealed: string; notification_id: string }>(
        `SELECT d."attempts", d."subscription_id", d."notification_id", s."url", s."secret_sealed" FROM "webhook_delivery" d
         JOIN "webhook_subscription" s ON s."id" = d."subscription_id" WHERE d."id" = ?`,
        [id],
      );
      const row = rows[0];
      if (row === undefined) continue;
      const notification = (await o.sql.query<NotificationRow & Record<string, unknown>>(`SELECT * FROM "notification" WHERE "id" = ?`, [row.notification_id]))[0];
      if (notification === undefined) continue;
      claimed.push({ id, attempts: Number(row.attempts), subscription_id: row.subscription_id, url: row.url, secret_sealed: row.secret_sealed, notification });
    }
    return claimed;
  }

  async function deliver(d: Claimed): Promise<void> {
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secret = o.box.open(d.secret_sealed, secretAad(d.subscription_id));
      const body = JSON.stringify(toEnvelope(d.notification));
      status = await post(d.url, body, {
        [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(Date.now() / 1000), body),
        "Ledgerline-Event-Id": d.notification.id,
        "Ledgerline-Event-Type": d.notification.type,
        "Ledgerline-Delivery-Id": d.id,
      });
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (e) {
      error = e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : "error";
    }
    const now = Date.now();
    await o.sql.run(`INSERT INTO "webhook_attempt" ("delivery_id","attempt","at_ms","duration_ms","status","error") VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING`, [
      d.id,
      d.attempts,
      BigInt(started),
      now - started,
      status,
      error,
    ]);
    if (error === null) {
      await o.sql.run(
        `UPDATE "webhook_delivery" SET "state" = 'DELIVERED', "delivered_at_ms" = ?, "last_status" = ?, "last_error" = NULL, "lease_owner" = NULL, "lease_until_ms" = NULL
         WHERE "id" = ? AND "lease_owner" = ? AND "state" = 'PENDING'`,
        [BigInt(now), status, d.id, owner],
      );
      return;
    }
    o.logger.warn({ delivery: d.id, attempt: d.attempts, status, err: error }, "webhooks: delivery failed");
    if (d.attempts >= o.policy.maxAttempts) {
      const n = await o.sql.run(
        `UPDATE "webhook_delivery" SET "state" = 'FAILED', "last_status" = ?, "last_error" = ?, "lease_owner" = NULL, "lease_until_ms" = NULL
         WHERE "id" = ? AND "lease_owner" = ? AND "state" = 'PENDING'`,
        [status, error, d.id, owner],
      );
      if (n === 1) {
        await o.sql.run(`UPDATE "webhook_subscription" SET "status" = 'FAILING', "failing_since_ms" = ?, "updated_at_ms" = ? WHERE "id" = ? AND "status" = 'ACTIVE'`, [
          BigInt(now),
          BigInt(now),
          d.subscription_id,
        ]);
        o.logger.warn({ subscription: d.subscription_id, delivery: d.id }, "webhooks: out of attempts; subscription marked FAILING");
      }
      return;
    }
    await o.sql.run(
      `UPDATE "webhook_delivery" SET "next_attempt_at_ms" = ?, "last_status" = ?, "last_error" = ?, "lease_owner" = NULL, "lease_until_ms" = NULL
       WHERE "id" = ? AND "lease_owner" = ? AND "state" = 'PENDING'`,
      [BigInt(now + retryDelayMs(o.policy, d.attempts)), status, error, d.id, owner],
    );
  }

  async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const refused = refuseTarget(url, o.policy);
    if (refused) throw Object.assign(new Error(refused.message), { code: refused.code });
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    return new Promise<number>((resolve, reject) => {
      const req = client.request(
        target,
        {
          method: "POST",
          headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "User-Agent": "Ledgerline-Webhooks/1", ...headers },
          lookup: guardedLookup(o.policy),
          timeout: o.policy.timeoutMs,
        },
        (res) => {
          // Only the status counts: the body is not read (a receiver cannot hold the connection with it).
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${o.policy.timeoutMs} ms`), { code: "WebhookTimeout" })));
      req.on("error", reject);
      req.end(body);
    });
  }

  async function tick(): Promise<number> {
    if (o.beforeTick) {
      try {
        await o.beforeTick();
      } catch (e) {
        o.logger.warn({ err: (e as Error).message }, "webhooks: scheduling time-based notifications failed");
      }
    }
    const claimed = await claim(Date.now());
    await Promise.all(claimed.map((d) => deliver(d).catch((e: unknown) => o.logger.error({ delivery: d.id, err: (e as Error).message }, "webhooks: recording a delivery failed"))));
    return claimed.length;
  }

  function loop(): void {
    if (stopped) return;
    running = tick()
      .catch((e: unknown) => o.logger.warn({ err: (e as Error).message }, "webhooks: delivery tick failed"))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, o.pollMs).unref();
      });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A send still waiting for its receiver is not waited for long: its lease runs out and another
      // process (or this one, restarted) sends it again.
      await Promise.race([running, new Promise((r) => setTimeout(r, 2_000).unref())]);
    },
    tick,
  };
}
