/**
 * The notifications an organisation can be sent (issue 12 item 3), by webhook and on the Server-Sent
 * Events stream. One word per thing, as everywhere: the type names the domain event from the recipient's
 * side. Who receives each is decided from the parties to the event (server/indexer/notifications.ts for
 * chain events, the API's use cases for the others), never by what a subscription asks for.
 */

export const NOTIFICATION_TYPES = [
  /** A receivable offered to the organisation: it signs for it (accepts) or rejects it before the deadline. */
  "offer.toSign",
  /** An invoice registered on the organisation as debtor: it confirms or rejects it. */
  "invoice.toConfirm",
  /** A financier quoted on the organisation's financing request. */
  "quote.received",
  /** A quote on the organisation's request expires within API_NOTIFY_QUOTE_EXPIRING_SECONDS. */
  "quote.expiring",
  /** The holder accepted the financier's quote (executed on chain). */
  "quote.accepted",
  /** A receivable the organisation holds (or a tree it owes) matures within API_NOTIFY_MATURITY_DAYS. */
  "maturity.approaching",
  /** The repayment pool of receivables the organisation holds is fully funded: it can redeem them. */
  "pool.funded",
  /** A tree the organisation is party to was marked overdue. */
  "receivable.overdue",
  "dispute.raised",
  /** Upheld or released by the operator (`data.outcome`). */
  "dispute.resolved",
  /** A prepared action (maker-checker) waits for the organisation's checkers. */
  "preparedAction.awaitingApproval",
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * Withdraws an earlier notification whose chain event was reorganised away after it may have reached the
 * receiver. Sent to every subscription the original was (or may have been) delivered to, whatever its
 * event types; never subscribed to on its own.
 */
export const RETRACTED = "notification.retracted";

export type NotificationSource = "CHAIN" | "API" | "SCHEDULE";

/** A notification row as the database returns it (either driver). */
export interface NotificationRow {
  seq: unknown;
  id: string;
  organisation: string;
  type: string;
  payload: string;
  source: string;
  block_number: unknown;
  block_hash: string | null;
  tx_hash: string | null;
  retracts: string | null;
  retracted_at_ms: unknown;
  created_at_ms: unknown;
}

/** What a webhook delivery's body and an event-stream message carry: the same JSON for both. */
export interface NotificationEnvelope {
  id: string;
  type: string;
  organisation: string;
  createdAt: string;
  data: Record<string, unknown>;
  /** Where a chain event's notification comes from; null for API-side and scheduled ones. */
  chain: { blockNumber: number; blockHash: string; txHash: string | null } | null;
  /** On a `notification.retracted`: the id it withdraws. */
  retracts: string | null;
  /** Whether this notification was withdrawn since (its block was reorganised away). */
  retracted: boolean;
}

export function toEnvelope(row: NotificationRow): NotificationEnvelope {
  return {
    id: row.id,
    type: row.type,
    organisation: row.organisation,
    createdAt: new Date(Number(row.created_at_ms)).toISOString(),
    data: JSON.parse(row.payload) as Record<string, unknown>,
    chain: row.block_number === null || row.block_hash === null ? null : { blockNumber: Number(row.block_number), blockHash: row.block_hash, txHash: row.tx_hash },
    retracts: row.retracts,
    retracted: row.retracted_at_ms !== null,
  };
}

/** What the holder of a request is told of a quote on it (`quote.received`, `quote.expiring`): its own request's terms. */
export function quoteNotificationData(q: { id: string; request_id: string; financier: string; receivable_id: string; amount: string; advance: string; repayment: string; mode: string; currency: string; expiry: unknown }): Record<string, unknown> {
  return {
    quoteId: q.id,
    requestId: q.request_id,
    receivableId: q.receivable_id,
    financier: q.financier,
    mode: q.mode,
    amount: q.amount,
    advance: q.advance,
    repayment: q.repayment,
    currency: q.currency,
    expiry: Number(q.expiry),
  };
}

/** What an organisation's users are told of an action waiting for a checker (`preparedAction.awaitingApproval`). */
export function preparedActionNotificationData(a: { id: string; action: string; currency: string; amount: string; prepared_by: string; expires_at_ms: unknown }): Record<string, unknown> {
  return { preparedActionId: a.id, action: a.action, currency: a.currency, amount: a.amount, preparedBy: a.prepared_by, expiresAt: new Date(Number(a.expires_at_ms)).toISOString() };
}
