/**
 * Notifications through the API (issue 12 item 3): an organisation's webhook subscriptions (its admin's
 * credentials only), their delivery log and manual redelivery, its notifications as a list and as a
 * Server-Sent Events stream, and `enqueue` — the one way an API use case notifies (a quote received, a
 * prepared action waiting for approval).
 *
 * Visibility: every subscription, delivery and notification belongs to one organisation; another
 * organisation's id answers 404 as one that does not exist. Who is notified of what is decided where the
 * event happens (server/indexer/notifications.ts, the use cases), never here.
 */
import { randomBytes } from "node:crypto";
import type { Request, Response } from "express";
import type { z } from "zod";
import type { OrganisationPrincipal, Principal } from "../../auth/principal";
import type { Sql } from "../../db/sql";
import { AppError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/appErrors";
import type { SealedBox } from "../../lib/sealedBox";
import { secretAad } from "../../notifications/delivery";
import { enqueueNotification } from "../../notifications/outbox";
import { newWebhookSecret } from "../../notifications/signature";
import { refuseTarget, type WebhookTargetPolicy } from "../../notifications/targets";
import { toEnvelope, type NotificationRow } from "../../notifications/types";
import type { DomainContext } from "../context";
import { audit } from "../tx";
import type { CreateWebhookBody, DeliveryOut, ListDeliveriesQuery, ListNotificationsQuery, NotificationOut, UpdateWebhookBody, WebhookOut } from "./schemas";

export interface NotificationServiceOptions {
  /** Writes the outbox (the API's own connection to the database). */
  sql: Sql;
  /** Seals subscription secrets (the profiles' box, API_PROFILE_ENCRYPTION_KEY); absent: 503. */
  box: SealedBox | undefined;
  policy: WebhookTargetPolicy;
  /** How often the event stream looks for new notifications. */
  pollMs: number;
}

type WebhookRow = NonNullable<Awaited<ReturnType<DomainContext["db"]["webhookSubscription"]["findUnique"]>>>;

const iso = (ms: bigint | number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** Notifications committed this long ago may still appear below the stream's cursor (PostgreSQL commits
 * concurrent writers' rows out of seq order): the stream looks back this far and skips what it sent. */
const STREAM_LOOKBACK_MS = 10_000;
const STREAM_HEARTBEAT_MS = 15_000;
/** A stream ends after this long and the client reconnects (EventSource does, with Last-Event-ID): its
 * credential is checked again, so a revoked key or a suspension stops the flow within this time. */
const STREAM_MAX_MS = 300_000;

export function createNotificationService(ctx: DomainContext, o: NotificationServiceOptions) {
  const streams = new Set<() => void>();

  function box(): SealedBox {
    if (o.box === undefined) {
      throw new AppError({ code: "WebhookEncryptionNotConfigured", status: 503, message: "webhook secrets cannot be stored: API_PROFILE_ENCRYPTION_KEY is not set" });
    }
    return o.box;
  }

  /** The organisation admin this call is made by: webhooks are managed by admins alone. */
  function admin(principal: Principal): OrganisationPrincipal {
    if (principal.kind !== "ORGANISATION") throw new ForbiddenError("RoleNotAllowed", "webhooks belong to organisations");
    if (!principal.admin) throw new ForbiddenError("NotOrganisationAdmin", "only an admin of the organisation may manage its webhooks");
    return principal;
  }

  function checkUrl(url: string): void {
    const refused = refuseTarget(url, o.policy);
    if (refused) throw new ValidationError(refused.message, [{ field: "body.url", message: refused.message, code: refused.code }]);
  }

  function view(row: WebhookRow): z.input<typeof WebhookOut> {
    return {
      id: row.id,
      url: row.url,
      eventTypes: JSON.parse(row.eventTypes) as string[],
      description: row.description,
      status: row.status as "ACTIVE",
      failingSince: iso(row.failingSinceMs),
      createdBy: row.createdBy,
      createdAt: iso(row.createdAtMs)!,
      updatedAt: iso(row.updatedAtMs)!,
    };
  }

  async function own(principal: Principal, id: string): Promise<WebhookRow> {
    const p = admin(principal);
    const row = await ctx.db.webhookSubscription.findUnique({ where: { id } });
    if (row === null || row.organisation !== p.organisation) throw new NotFoundError("webhook", id);
    return row;
  }

  function notificationView(row: NotificationRow): z.input<typeof NotificationOut> {
    return { seq: Number(row.seq), ...toEnvelope(row) };
  }

  return {
    async create(principal: Principal, body: z.output<typeof CreateWebhookBody>) {
      const p = admin(principal);
      checkUrl(body.url);
      const id = `whk_${randomBytes(12).toString("hex")}`;
      const secret = newWebhookSecret();
      const nowMs = BigInt(ctx.now().getTime());
      const row = await ctx.db.webhookSubscription.create({
        data: {
          id,
          organisation: p.organisation,
          url: body.url,
          eventTypes: JSON.stringify([...new Set(body.eventTypes)]),
          description: body.description ?? null,
          secretSealed: box().seal(secret, secretAad(id)),
          status: "ACTIVE",
          failingSinceMs: null,
          createdBy: p.credentialId,
          createdAtMs: nowMs,
          updatedAtMs: nowMs,
        },
      });
      await audit(ctx, { actor: p.credentialId, action: "webhook.create", target: id, detail: { url: body.url, eventTypes: body.eventTypes } });
      return { webhook: view(row), secret };
    },

    async list(principal: Principal) {
      const p = admin(principal);
      const rows = await ctx.db.webhookSubscription.findMany({ where: { organisation: p.organisation }, orderBy: { createdAtMs: "asc" } });
      return { items: rows.map(view) };
    },

    async get(principal: Principal, id: string) {
      return view(await own(principal, id));
    },

    async update(principal: Principal, id: string, body: z.output<typeof UpdateWebhookBody>) {
      const row = await own(principal, id);
      if (body.url !== undefined) checkUrl(body.url);
      const resumed = body.status === "ACTIVE" && row.status !== "ACTIVE";
      const updated = await ctx.db.webhookSubscription.update({
        where: { id },
        data: {
          ...(body.url === undefined ? {} : { url: body.url }),
          ...(body.eventTypes === undefined ? {} : { eventTypes: JSON.stringify([...new Set(body.eventTypes)]) }),
          ...(body.description === undefined ? {} : { description: body.description }),
          ...(body.status === undefined ? {} : { status: body.status, failingSinceMs: null }),
          updatedAtMs: BigInt(ctx.now().getTime()),
        },
      });
      await audit(ctx, { actor: principal.credentialId, action: "webhook.update", target: id, detail: { ...body, resumed } });
      return view(updated);
    },

    async remove(principal: Principal, id: string): Promise<void> {
      await own(principal, id);
      await ctx.db.$transaction([
        ctx.db.webhookDelivery.updateMany({ where: { subscriptionId: id, state: "PENDING" }, data: { state: "WITHDRAWN", leaseOwner: null, leaseUntilMs: null } }),
        ctx.db.webhookSubscription.delete({ where: { id } }),
      ]);
      await audit(ctx, { actor: principal.credentialId, action: "webhook.delete", target: id });
    },

    /** The delivery log: latest first, each with its attempts. */
    async deliveries(principal: Principal, id: string, query: z.output<typeof ListDeliveriesQuery>) {
      await own(principal, id);
      const rows = await ctx.db.webhookDelivery.findMany({
        where: { subscriptionId: id, ...(query.state === undefined ? {} : { state: query.state }) },
        orderBy: [{ createdAtMs: "desc" }, { id: "desc" }],
        take: query.limit,
      });
      const ids = rows.map((r) => r.id);
      const attempts = ids.length === 0 ? [] : await ctx.db.webhookAttempt.findMany({ where: { deliveryId: { in: ids } }, orderBy: { attempt: "asc" } });
      const notifications = ids.length === 0 ? [] : await ctx.db.notification.findMany({ where: { id: { in: rows.map((r) => r.notificationId) } }, select: { id: true, type: true } });
      const typeOf = new Map(notifications.map((n) => [n.id, n.type]));
      const items: z.input<typeof DeliveryOut>[] = rows.map((r) => ({
        id: r.id,
        notificationId: r.notificationId,
        type: typeOf.get(r.notificationId) ?? "",
        state: r.state as "PENDING",
        attempts: r.attempts,
        nextAttemptAt: r.state === "PENDING" ? iso(r.nextAttemptAtMs) : null,
        lastStatus: r.lastStatus,
        lastError: r.lastError,
        deliveredAt: iso(r.deliveredAtMs),
        redeliveryOf: r.redeliveryOf,
        createdAt: iso(r.createdAtMs)!,
        log: attempts
          .filter((a) => a.deliveryId === r.id)
          .map((a) => ({ attempt: a.attempt, at: iso(a.atMs)!, durationMs: a.durationMs, status: a.status, error: a.error })),
      }));
      return { items };
    },

    /** Sends a delivery's notification again, as a new delivery (same event id: receivers dedupe on it). */
    async redeliver(principal: Principal, id: string, deliveryId: string) {
      await own(principal, id);
      const original = await ctx.db.webhookDelivery.findUnique({ where: { id: deliveryId } });
      if (original === null || original.subscriptionId !== id) throw new NotFoundError("delivery", deliveryId);
      const nowMs = BigInt(ctx.now().getTime());
      const row = await ctx.db.webhookDelivery.create({
        data: {
          id: `dlv_${randomBytes(16).toString("hex")}`,
          subscriptionId: id,
          organisation: original.organisation,
          notificationId: original.notificationId,
          state: "PENDING",
          attempts: 0,
          nextAttemptAtMs: BigInt(Date.now()),
          leaseOwner: null,
          leaseUntilMs: null,
          lastStatus: null,
          lastError: null,
          deliveredAtMs: null,
          redeliveryOf: original.id,
          createdAtMs: nowMs,
        },
      });
      await audit(ctx, { actor: principal.credentialId, action: "webhook.redeliver", target: id, detail: { delivery: deliveryId, redelivery: row.id } });
      const type = (await ctx.db.notification.findUnique({ where: { id: original.notificationId }, select: { type: true } }))?.type ?? "";
      return {
        id: row.id,
        notificationId: row.notificationId,
        type,
        state: "PENDING" as const,
        attempts: 0,
        nextAttemptAt: iso(row.nextAttemptAtMs),
        lastStatus: null,
        lastError: null,
        deliveredAt: null,
        redeliveryOf: row.redeliveryOf,
        createdAt: iso(row.createdAtMs)!,
        log: [],
      };
    },

    /** The organisation's notifications in stream order (any credential of the organisation). */
    async notifications(principal: Principal, query: z.output<typeof ListNotificationsQuery>) {
      if (principal.kind !== "ORGANISATION") throw new ForbiddenError("RoleNotAllowed", "notifications belong to organisations");
      const rows = await o.sql.query<NotificationRow & Record<string, unknown>>(
        query.after === undefined
          ? `SELECT * FROM "notification" WHERE "organisation" = ? ORDER BY "seq" DESC LIMIT ${query.limit}`
          : `SELECT * FROM "notification" WHERE "organisation" = ? AND "seq" > ? ORDER BY "seq" ASC LIMIT ${query.limit}`,
        query.after === undefined ? [principal.organisation] : [principal.organisation, query.after],
      );
      return { items: rows.map(notificationView) };
    },

    /**
     * `GET /v1/events`: the organisation's notifications as Server-Sent Events (`id:` its seq, `event:` its
     * type, `data:` the same JSON a webhook receives). Resumes after `Last-Event-ID` (or `?after=`); without
     * either, starts with what arrives from now on. A comment line every 15 s keeps proxies from closing it.
     */
    async stream(principal: Principal, after: number | undefined, req: Request, res: Response): Promise<void> {
      if (principal.kind !== "ORGANISATION") throw new ForbiddenError("RoleNotAllowed", "notifications belong to organisations");
      const organisation = principal.organisation;
      const lastEventId = req.get("last-event-id") ?? (after === undefined ? undefined : String(after));
      let cursor: number;
      if (lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId)) cursor = Number(lastEventId);
      else if (lastEventId !== undefined) throw new ValidationError("Last-Event-ID is a notification seq", [{ field: "headers.last-event-id", message: "a non-negative integer", code: "custom" }]);
      else {
        const top = await o.sql.query<{ seq: unknown }>(`SELECT MAX("seq") AS "seq" FROM "notification"`);
        cursor = top[0]?.seq === null || top[0]?.seq === undefined ? 0 : Number(top[0].seq);
      }
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive", "X-Accel-Buffering": "no" });
      res.write(`retry: 3000\n\n`);
      const sent = new Map<number, number>(); // seq → when sent, for the look-back window
      let closed = false;
      let wake: (() => void) | undefined;
      const close = () => {
        closed = true;
        wake?.();
      };
      streams.add(close);
      req.on("close", close);
      let lastWrite = Date.now();
      const endAt = Date.now() + STREAM_MAX_MS;
      // Nothing at or below where the client starts is sent; above it, a row committed late (below the
      // cursor) is still found by its creation time and sent once.
      const floor = cursor;
      try {
        while (!closed && Date.now() < endAt) {
          const now = Date.now();
          const rows = await o.sql.query<NotificationRow & Record<string, unknown>>(
            `SELECT * FROM "notification" WHERE "organisation" = ? AND "seq" > ? AND ("seq" > ? OR "created_at_ms" >= ?) ORDER BY "seq" LIMIT 500`,
            [organisation, floor, cursor, BigInt(now - STREAM_LOOKBACK_MS)],
          );
          for (const row of rows) {
            const seq = Number(row.seq);
            if (sent.has(seq)) continue;
            sent.set(seq, now);
            cursor = Math.max(cursor, seq);
            res.write(`id: ${seq}\nevent: ${row.type}\ndata: ${JSON.stringify(toEnvelope(row))}\n\n`);
            lastWrite = now;
          }
          for (const [seq, at] of sent) if (at < now - 2 * STREAM_LOOKBACK_MS) sent.delete(seq);
          if (now - lastWrite >= STREAM_HEARTBEAT_MS) {
            res.write(`: keep-alive\n\n`);
            lastWrite = now;
          }
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, o.pollMs);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
        }
      } finally {
        streams.delete(close);
        res.end();
      }
    },

    /** Ends every open event stream (the API is shutting down: clients reconnect elsewhere with Last-Event-ID). */
    closeStreams(): void {
      for (const close of [...streams]) close();
    },

    /**
     * The one way an API use case notifies: the recipients must be derived from the parties to the thing
     * (`target` names it; one notification per type, target and organisation).
     */
    async enqueue(input: { type: string; target: string; organisations: readonly string[]; data: Record<string, unknown> }): Promise<string[]> {
      // Stamped with the wall clock (the stream's look-back compares with it), not the chain's.
      return enqueueNotification(o.sql, { ...input, nowMs: Date.now() });
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
