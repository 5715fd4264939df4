import { z } from "zod";
import { NOTIFICATION_TYPES, RETRACTED } from "../../notifications/types";

export const NotificationType = z.enum(NOTIFICATION_TYPES);

export const WebhookStatus = z.enum(["ACTIVE", "FAILING", "DISABLED"]);

export const CreateWebhookBody = z
  .object({
    url: z.string().max(2000).meta({ description: "https:// (http:// and loopback only with API_WEBHOOK_ALLOW_LOOPBACK); never a private or link-local address" }),
    eventTypes: z.array(NotificationType).min(1).max(NOTIFICATION_TYPES.length).meta({ description: `what to deliver; \`${RETRACTED}\` follows any of them that is withdrawn` }),
    description: z.string().max(200).optional(),
  })
  .meta({ id: "CreateWebhook" });

export const UpdateWebhookBody = z
  .object({
    url: z.string().max(2000).optional(),
    eventTypes: z.array(NotificationType).min(1).max(NOTIFICATION_TYPES.length).optional(),
    description: z.string().max(200).nullable().optional(),
    status: z.enum(["ACTIVE", "DISABLED"]).optional().meta({ description: "ACTIVE resumes a FAILING or DISABLED subscription: its pending deliveries are sent" }),
  })
  .meta({ id: "UpdateWebhook" });

const WebhookId = z.string().regex(/^whk_[0-9a-f]{24}$/, "a webhook id (whk_ and 24 hex digits)");
const DeliveryId = z.string().regex(/^dlv_[0-9a-f]{32}$/, "a delivery id (dlv_ and 32 hex digits)");
export const WebhookParams = z.object({ id: WebhookId });
export const DeliveryParams = z.object({ id: WebhookId, deliveryId: DeliveryId });

export const WebhookOut = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().nullable(),
    status: WebhookStatus,
    failingSince: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Webhook" });

export const CreatedWebhookOut = z
  .object({
    webhook: WebhookOut,
    secret: z.string().meta({ description: "the signing secret (whsec_…), shown this once: keep it to verify Ledgerline-Signature" }),
  })
  .meta({ id: "CreatedWebhook" });

export const NotificationOut = z
  .object({
    seq: z.number().int().meta({ description: "position in the organisation's stream (the event-stream id)" }),
    id: z.string(),
    type: z.string(),
    organisation: z.string(),
    createdAt: z.string(),
    data: z.record(z.string(), z.unknown()),
    chain: z.object({ blockNumber: z.number().int(), blockHash: z.string(), txHash: z.string().nullable() }).nullable(),
    retracts: z.string().nullable(),
    retracted: z.boolean(),
  })
  .meta({ id: "Notification" });

export const DeliveryState = z.enum(["PENDING", "DELIVERED", "FAILED", "WITHDRAWN"]);

export const DeliveryOut = z
  .object({
    id: z.string(),
    notificationId: z.string(),
    type: z.string(),
    state: DeliveryState,
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    redeliveryOf: z.string().nullable(),
    createdAt: z.string(),
    log: z.array(z.object({ attempt: z.number().int(), at: z.string(), durationMs: z.number().int(), status: z.number().int().nullable(), error: z.string().nullable() })),
  })
  .meta({ id: "WebhookDelivery" });

export const ListDeliveriesQuery = z.object({
  state: DeliveryState.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ListNotificationsQuery = z.object({
  after: z.coerce.number().int().min(0).optional().meta({ description: "only notifications after this seq" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
