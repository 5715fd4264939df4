/**
 * The HTTP contract of approvals (issue 12 item 2): an organisation's thresholds and the actions its
 * makers prepare for its checkers. The body of `POST /v1/prepared-actions` is built from the governed
 * routes' own schemas (see governed.ts), so what a maker prepares is validated exactly as the route
 * would validate it.
 */
import { z } from "zod";
import { Address, AddressOut, IsoDate, Uint256, Uint256Out } from "../../api/schemas";
import { UserRef } from "../../auth/userSchemas";

/** What a threshold governs: a confirmation, a transfer, a quote (submitted or revised) or a deposit. */
export const THRESHOLD_KINDS = ["CONFIRMATION", "TRANSFER", "QUOTE", "DEPOSIT"] as const;
export type ThresholdKind = (typeof THRESHOLD_KINDS)[number];

/** The writes a maker can prepare for a checker, by the audit log's name for them. */
export const PREPARED_ACTIONS = ["invoice.confirm", "receivable.transfer", "quote.submit", "quote.revise", "settlement.deposit"] as const;
export type PreparedActionName = (typeof PREPARED_ACTIONS)[number];

export const PREPARED_ACTION_STATUSES = ["PENDING", "APPROVED", "EXECUTED", "FAILED", "REJECTED", "CANCELLED", "EXPIRED"] as const;
export type PreparedActionStatus = (typeof PREPARED_ACTION_STATUSES)[number];

/** Between one minute and thirty days; one day unless an admin sets it. */
export const MIN_APPROVAL_WINDOW_SECONDS = 60;
export const MAX_APPROVAL_WINDOW_SECONDS = 30 * 24 * 3600;
export const DEFAULT_APPROVAL_WINDOW_SECONDS = 24 * 3600;

const Threshold = z.object({
  action: z.enum(THRESHOLD_KINDS).meta({
    description:
      "CONFIRMATION: an invoice's face amount; TRANSFER: the amount offered; QUOTE: the advance (submitted or revised); DEPOSIT: the amount deposited",
  }),
  currency: Address.meta({ description: "the settlement token the amount is in" }),
  amount: Uint256.meta({ description: "base units of the currency: a larger amount needs a checker other than its maker (0: every one does)" }),
});

export const ThresholdsBody = z
  .object({
    approvalWindowSeconds: z
      .number()
      .int()
      .min(MIN_APPROVAL_WINDOW_SECONDS)
      .max(MAX_APPROVAL_WINDOW_SECONDS)
      .default(DEFAULT_APPROVAL_WINDOW_SECONDS)
      .meta({ description: "how long a prepared action waits for a checker before it expires" }),
    thresholds: z
      .array(Threshold)
      .max(100)
      .refine((items) => new Set(items.map((t) => `${t.action}:${t.currency}`)).size === items.length, "one threshold per action and currency")
      .meta({ description: "the whole set (it replaces the previous one); an action and currency without one needs no checker" }),
  })
  .meta({ id: "SetThresholds" });

export const ThresholdsOut = z
  .object({
    organisation: AddressOut,
    approvalWindowSeconds: z.number().int(),
    thresholds: z.array(z.object({ action: z.enum(THRESHOLD_KINDS), currency: AddressOut, amount: Uint256Out })),
    updatedBy: UserRef.nullable().meta({ description: "the admin who set them last (null: never set; no checker is needed)" }),
    updatedAt: IsoDate.nullable(),
  })
  .meta({ id: "Thresholds" });

export const PreparedActionOut = z
  .object({
    id: z.string(),
    organisation: AddressOut,
    action: z.enum(PREPARED_ACTIONS),
    request: z
      .object({ params: z.record(z.string(), z.unknown()), query: z.record(z.string(), z.unknown()), body: z.unknown() })
      .meta({ description: "the request as validated: what approving sends, and nothing else" }),
    requestHash: z.string().meta({ description: "SHA-256 of the canonical JSON of `request`" }),
    currency: AddressOut,
    amount: Uint256Out.meta({ description: "what the threshold compares (see the thresholds' `action`)" }),
    status: z.enum(PREPARED_ACTION_STATUSES).meta({
      description:
        "PENDING: waiting for a checker; APPROVED: a checker approved it and it is being sent (approve again to resume after a failure on our side); EXECUTED: sent, `result` holds the answer; FAILED: refused when sent, `error` says why; REJECTED (a checker, with a reason); CANCELLED (its maker); EXPIRED: nobody approved it in time",
    }),
    preparedBy: UserRef,
    preparedAt: IsoDate,
    expiresAt: IsoDate,
    approvedBy: UserRef.nullable(),
    approvedAt: IsoDate.nullable(),
    rejectedBy: UserRef.nullable().meta({ description: "the checker who rejected it, or its maker who cancelled it" }),
    rejectedAt: IsoDate.nullable(),
    reason: z.string().nullable(),
    result: z.unknown().nullable().meta({ description: "EXECUTED: the answer the route gives when called directly" }),
    error: z.object({ status: z.number().int(), code: z.string(), message: z.string() }).nullable(),
    txHash: z.string().nullable(),
    executedAt: IsoDate.nullable(),
  })
  .meta({ id: "PreparedAction" });

export type PreparedActionView = z.input<typeof PreparedActionOut>;

export const PreparedActionParams = z.object({ id: z.uuid() });

export const ListPreparedActionsQuery = z.object({
  status: z.enum(PREPARED_ACTION_STATUSES).optional(),
  action: z.enum(PREPARED_ACTIONS).optional(),
  organisation: Address.optional().meta({ description: "operator and auditors: whose prepared actions (default: everyone's)" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const RejectPreparedActionBody = z.object({ reason: z.string().trim().min(1).max(500) }).meta({ id: "RejectPreparedAction" });
