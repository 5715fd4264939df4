/**
 * Maker-checker inside an organisation (issue 12 item 2): its thresholds, and the actions its makers
 * prepare for a checker. Above a threshold a confirmation, transfer, quote or deposit is not sent on
 * one user's word: its maker prepares it (the request exactly as validated is stored), a checker
 * other than its maker approves it before it expires, and only then is that request sent, once.
 *
 * Must never: let a user approve what it prepared; send a prepared action twice (two checkers at once:
 * one conditional UPDATE claims it; a retry after a failure on our side resumes the transactions
 * already sent, which the nonce manager bound to the action); send anything but the stored request.
 */
import { createHash, randomUUID } from "node:crypto";
import type { PreparedAction } from "../../db/generated/sqlite/client";
import type { OrganisationPrincipal, Principal } from "../../auth/principal";
import { runAsPrincipal } from "../../auth/actor";
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/appErrors";
import { canonicalJson } from "../../lib/canonicalJson";
import { toDecimal, toJson } from "../../lib/encode";
import { currentRequestScope, runInRequestScope } from "../../signing/requestScope";
import { isPrivileged } from "../access";
import type { DomainContext } from "../context";
import { audit } from "../tx";
import {
  DEFAULT_APPROVAL_WINDOW_SECONDS,
  type PreparedActionName,
  type PreparedActionStatus,
  type PreparedActionView,
  type ThresholdKind,
} from "./schemas";

export interface Threshold {
  action: ThresholdKind;
  currency: string;
  amount: string;
}

/** A request as a governed route receives it, parsed. */
export interface GovernedInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

/**
 * How long an approval may be "being sent" before its checker approving again is taken to be a retry of
 * one whose process died (a live send never takes this long: receipts are waited for at most 50 s).
 */
const RESUME_AFTER_MS = 120_000;

/** The JSON text a request is stored as: canonical (sorted keys), bigints as decimal strings. */
export function requestText(input: GovernedInput): string {
  return canonicalJson(JSON.parse(toJson({ params: input.params, query: input.query, body: input.body ?? null })));
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function orgPrincipal(principal: Principal): OrganisationPrincipal {
  if (principal.kind !== "ORGANISATION") throw new ForbiddenError("RoleNotAllowed", "only an organisation's users prepare and approve actions");
  return principal;
}

export function createApprovalService(
  ctx: DomainContext,
  deps: {
    /** Tells the organisation an action waits for its checkers (the notification scheduler's sweep makes sure it is told). */
    notifyAwaitingApproval?: (action: PreparedAction) => Promise<unknown>;
  } = {},
) {
  const nowMs = () => ctx.now().getTime();

  async function policyRow(organisation: string) {
    return ctx.db.approvalPolicy.findUnique({ where: { organisation } });
  }

  async function namesOf(ids: readonly (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((i): i is string => i !== null))];
    if (wanted.length === 0) return new Map();
    const users = await ctx.db.organisationUser.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
    return new Map(users.map((u) => [u.id, u.name]));
  }

  function statusOf(row: PreparedAction, at: number): PreparedActionStatus {
    if (row.status === "PENDING" && Number(row.expiresAtMs) <= at) return "EXPIRED";
    // Interrupted while being sent: still approved, waiting for its checker to approve again (resume).
    if (row.status === "INTERRUPTED") return "APPROVED";
    return row.status as PreparedActionStatus;
  }

  async function views(rows: readonly PreparedAction[]): Promise<PreparedActionView[]> {
    const names = await namesOf(rows.flatMap((r) => [r.preparedBy, r.approvedBy, r.rejectedBy]));
    const ref = (id: string | null) => (id === null ? null : { id, name: names.get(id) ?? id });
    const iso = (ms: bigint | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    const at = nowMs();
    return rows.map((r) => {
      const status = statusOf(r, at);
      const outcome = r.result === null ? null : (JSON.parse(r.result) as unknown);
      return {
        id: r.id,
        organisation: r.organisation,
        action: r.action as PreparedActionName,
        request: JSON.parse(r.request) as PreparedActionView["request"],
        requestHash: r.requestHash,
        currency: r.currency,
        amount: r.amount,
        status,
        preparedBy: ref(r.preparedBy) as { id: string; name: string },
        preparedAt: iso(r.preparedAtMs) as string,
        expiresAt: iso(r.expiresAtMs) as string,
        approvedBy: ref(r.approvedBy),
        approvedAt: iso(r.approvedAtMs),
        rejectedBy: ref(r.rejectedBy),
        rejectedAt: iso(r.rejectedAtMs),
        reason: r.reason,
        result: status === "EXECUTED" ? outcome : null,
        error: status === "FAILED" ? (outcome as { status: number; code: string; message: string }) : null,
        txHash: r.txHash,
        executedAt: iso(r.executedAtMs),
      };
    });
  }

  async function view(row: PreparedAction): Promise<PreparedActionView> {
    return (await views([row]))[0] as PreparedActionView;
  }

  /** The prepared action if the caller may see it (its organisation's users, operator, auditors); else 404. */
  async function visible(principal: Principal, id: string): Promise<PreparedAction> {
    const row = await ctx.db.preparedAction.findUnique({ where: { id } });
    if (row === null || !(isPrivileged(principal) || (principal.kind === "ORGANISATION" && principal.organisation === row.organisation))) {
      throw new NotFoundError("prepared action", id);
    }
    return row;
  }

  /** Why a PENDING claim did not take: the action moved on, or its time ran out. */
  function notClaimable(row: PreparedAction, at: number): AppError {
    const status = statusOf(row, at);
    if (status === "EXPIRED") {
      return new ConflictError("PreparedActionExpired", "the prepared action expired before it was approved; its maker prepares it again", {
        expiresAt: new Date(Number(row.expiresAtMs)).toISOString(),
      });
    }
    return new ConflictError("PreparedActionNotPending", `the prepared action is ${status.toLowerCase()}`, { status });
  }

  return {
    /** The organisation's thresholds (none set: no checker is ever needed). */
    async thresholds(principal: Principal, organisation?: string) {
      const org = principal.kind === "ORGANISATION" ? principal.organisation : organisation;
      if (org === undefined) {
        throw new ValidationError("name the organisation", [{ field: "query.organisation", message: "required for the operator and auditors", code: "invalid_type" }]);
      }
      const row = await policyRow(org);
      const names = await namesOf([row?.updatedBy ?? null]);
      return {
        organisation: org,
        approvalWindowSeconds: row?.approvalWindowSeconds ?? DEFAULT_APPROVAL_WINDOW_SECONDS,
        thresholds: row === null ? [] : (JSON.parse(row.thresholds) as Threshold[]),
        updatedBy: row === null ? null : { id: row.updatedBy, name: names.get(row.updatedBy) ?? row.updatedBy },
        updatedAt: row === null ? null : new Date(Number(row.updatedAtMs)).toISOString(),
      };
    },

    /** An admin replaces its organisation's thresholds and approval window (pending actions keep their expiry). */
    async setThresholds(principal: Principal, input: { approvalWindowSeconds: number; thresholds: { action: ThresholdKind; currency: string; amount: bigint }[] }) {
      const admin = orgPrincipal(principal);
      const thresholds: Threshold[] = input.thresholds
        .map((t) => ({ action: t.action, currency: t.currency, amount: toDecimal(t.amount) }))
        .sort((a, b) => (a.action + a.currency < b.action + b.currency ? -1 : 1));
      const data = {
        thresholds: JSON.stringify(thresholds),
        approvalWindowSeconds: input.approvalWindowSeconds,
        updatedBy: admin.user.id,
        updatedAtMs: BigInt(nowMs()),
      };
      await ctx.db.approvalPolicy.upsert({ where: { organisation: admin.organisation }, create: { organisation: admin.organisation, ...data }, update: data });
      await audit(ctx, { actor: admin.credentialId, action: "thresholds.set", target: admin.organisation, detail: { approvalWindowSeconds: input.approvalWindowSeconds, thresholds } });
      return this.thresholds(principal);
    },

    /** An organisation's thresholds of `kind`, by currency (none set: empty, and no checker is needed). */
    async thresholdsOf(organisation: string, kind: ThresholdKind): Promise<Map<string, bigint>> {
      const row = await policyRow(organisation);
      if (row === null) return new Map();
      return new Map((JSON.parse(row.thresholds) as Threshold[]).filter((t) => t.action === kind).map((t) => [t.currency, BigInt(t.amount)]));
    },

    /**
     * A maker prepares an action for a checker: the one place a prepared action is created (and so the
     * place to announce "an action is waiting for approval").
     */
    async prepare(principal: Principal, input: { action: PreparedActionName; request: GovernedInput; currency: string; amount: bigint }) {
      const maker = orgPrincipal(principal);
      const request = requestText(input.request);
      const row = await ctx.db.preparedAction.create({
        data: {
          id: randomUUID(),
          organisation: maker.organisation,
          action: input.action,
          request,
          requestHash: sha256(request),
          currency: input.currency.toLowerCase(),
          amount: toDecimal(input.amount),
          status: "PENDING",
          preparedBy: maker.user.id,
          preparedAtMs: BigInt(nowMs()),
          expiresAtMs: BigInt(nowMs() + ((await policyRow(maker.organisation))?.approvalWindowSeconds ?? DEFAULT_APPROVAL_WINDOW_SECONDS) * 1000),
          approvedBy: null,
          approvedAtMs: null,
          rejectedBy: null,
          rejectedAtMs: null,
          reason: null,
          result: null,
          txHash: null,
          executedAtMs: null,
        },
      });
      await audit(ctx, {
        actor: maker.credentialId,
        action: "preparedAction.prepare",
        target: row.id,
        detail: { action: input.action, currency: row.currency, amount: row.amount, requestHash: row.requestHash, expiresAt: new Date(Number(row.expiresAtMs)).toISOString() },
      });
      // Best effort here: a failure (or a crash just before) is caught up by the scheduler's sweep.
      await deps.notifyAwaitingApproval?.(row).catch(() => undefined);
      return view(row);
    },

    async list(principal: Principal, query: { status?: PreparedActionStatus | undefined; action?: PreparedActionName | undefined; organisation?: string | undefined; limit: number }) {
      const at = BigInt(nowMs());
      const organisation = principal.kind === "ORGANISATION" ? principal.organisation : query.organisation;
      const status =
        query.status === undefined
          ? {}
          : query.status === "PENDING"
            ? { status: "PENDING", expiresAtMs: { gt: at } }
            : query.status === "EXPIRED"
              ? { status: "PENDING", expiresAtMs: { lte: at } }
              : query.status === "APPROVED"
                ? { status: { in: ["APPROVED", "INTERRUPTED"] } }
                : { status: query.status };
      const rows = await ctx.db.preparedAction.findMany({
        where: { ...(organisation === undefined ? {} : { organisation }), ...status, ...(query.action === undefined ? {} : { action: query.action }) },
        orderBy: [{ preparedAtMs: "desc" }, { id: "asc" }],
        take: query.limit,
      });
      return { items: await views(rows) };
    },

    async get(principal: Principal, id: string) {
      return view(await visible(principal, id));
    },

    /** The stored request of a prepared action, for its execution. */
    requestOf(row: Pick<PreparedAction, "request">): unknown {
      return JSON.parse(row.request) as unknown;
    },

    /**
     * A checker approves: claims the action (PENDING and unexpired → APPROVED, one conditional UPDATE,
     * so of two checkers at once exactly one proceeds) and sends the stored request with `execute`,
     * bound to the action (a retry resumes what was sent, never sends it again). A refusal of the send
     * (4xx) marks it FAILED with the error; a failure on our side leaves it APPROVED for the same checker
     * to approve again, which resumes.
     */
    async approve(principal: Principal, id: string, execute: (row: PreparedAction, as: OrganisationPrincipal) => Promise<unknown>) {
      const checker = orgPrincipal(principal);
      const row = await visible(principal, id);
      if (row.preparedBy === checker.user.id) {
        throw new ForbiddenError("MakerCannotApprove", "a checker other than its maker must approve a prepared action", { preparedBy: row.preparedBy });
      }
      const at = nowMs();
      const resumable =
        row.approvedBy === checker.user.id &&
        (row.status === "INTERRUPTED" || (row.status === "APPROVED" && at - Number(row.approvedAtMs ?? 0n) > RESUME_AFTER_MS));
      if (resumable) {
        // The same checker again after a failure on our side (or after its process died): resume, one
        // resumer at a time. The transactions already sent are found, not sent again.
        const { count } = await ctx.db.preparedAction.updateMany({
          where: { id, status: row.status, approvedAtMs: row.approvedAtMs },
          data: { status: "APPROVED", approvedAtMs: BigInt(at) },
        });
        if (count === 0) throw notClaimable({ ...row, status: "APPROVED" }, at);
      } else {
        const { count } = await ctx.db.preparedAction.updateMany({
          where: { id, organisation: checker.organisation, status: "PENDING", expiresAtMs: { gt: BigInt(at) }, preparedBy: { not: checker.user.id } },
          data: { status: "APPROVED", approvedBy: checker.user.id, approvedAtMs: BigInt(at) },
        });
        if (count === 0) throw notClaimable((await ctx.db.preparedAction.findUnique({ where: { id } })) ?? row, at);
        await audit(ctx, { actor: checker.credentialId, action: "preparedAction.approve", target: id, detail: { action: row.action, requestHash: row.requestHash, preparedBy: row.preparedBy } });
      }
      // The request runs as the checker's organisation with both users named: what the audit log and a
      // signed record show as "prepared by" and "approved by".
      const acting: OrganisationPrincipal = Object.freeze({ ...checker, approval: { preparedActionId: id, preparedBy: row.preparedBy, approvedBy: checker.user.id } });
      const outer = currentRequestScope();
      let outcome: unknown;
      try {
        outcome = await runInRequestScope({ idempotency: { scope: checker.organisation, key: `prepared-action:${id}` }, sent: outer?.sent ?? [] }, () =>
          runAsPrincipal(acting, () => execute(row, acting)),
        );
      } catch (err) {
        if (err instanceof AppError && err.status < 500) {
          const error = { status: err.status, code: err.code, message: err.message };
          await ctx.db.preparedAction.updateMany({ where: { id, status: "APPROVED" }, data: { status: "FAILED", result: JSON.stringify(error), executedAtMs: BigInt(nowMs()) } });
          await audit(ctx, { actor: checker.credentialId, action: "preparedAction.fail", target: id, detail: error });
        } else {
          // Our side failed (the node, the database): what was sent stays bound to the action; the
          // same checker approves again to resume.
          await ctx.db.preparedAction.updateMany({ where: { id, status: "APPROVED" }, data: { status: "INTERRUPTED" } });
        }
        throw err;
      }
      const result = JSON.parse(toJson(outcome ?? null)) as Record<string, unknown> | null;
      const txHash = typeof result?.txHash === "string" ? result.txHash : typeof result?.cancelledTxHash === "string" ? result.cancelledTxHash : null;
      await ctx.db.preparedAction.updateMany({
        where: { id, status: "APPROVED" },
        data: { status: "EXECUTED", result: JSON.stringify(result), txHash, executedAtMs: BigInt(nowMs()) },
      });
      await audit(ctx, { actor: checker.credentialId, action: "preparedAction.execute", target: id, ...(txHash === null ? {} : { txHash }), detail: { action: row.action } });
      return view((await ctx.db.preparedAction.findUnique({ where: { id } })) as PreparedAction);
    },

    /** A checker other than its maker rejects a pending action, with a reason. */
    async reject(principal: Principal, id: string, reason: string) {
      const checker = orgPrincipal(principal);
      const row = await visible(principal, id);
      if (row.preparedBy === checker.user.id) {
        throw new ForbiddenError("MakerCannotReject", "its maker cancels a prepared action (POST …/cancel); a checker other than its maker rejects it");
      }
      const at = nowMs();
      const { count } = await ctx.db.preparedAction.updateMany({
        where: { id, status: "PENDING", expiresAtMs: { gt: BigInt(at) } },
        data: { status: "REJECTED", rejectedBy: checker.user.id, rejectedAtMs: BigInt(at), reason },
      });
      if (count === 0) throw notClaimable((await ctx.db.preparedAction.findUnique({ where: { id } })) ?? row, at);
      await audit(ctx, { actor: checker.credentialId, action: "preparedAction.reject", target: id, detail: { reason } });
      return view((await ctx.db.preparedAction.findUnique({ where: { id } })) as PreparedAction);
    },

    /** Its maker withdraws a pending action. */
    async cancel(principal: Principal, id: string) {
      const maker = orgPrincipal(principal);
      const row = await visible(principal, id);
      if (row.preparedBy !== maker.user.id) throw new ForbiddenError("NotPreparer", "only its maker cancels a prepared action; a checker rejects it");
      const at = nowMs();
      const { count } = await ctx.db.preparedAction.updateMany({
        where: { id, status: "PENDING", expiresAtMs: { gt: BigInt(at) } },
        data: { status: "CANCELLED", rejectedBy: maker.user.id, rejectedAtMs: BigInt(at) },
      });
      if (count === 0) throw notClaimable((await ctx.db.preparedAction.findUnique({ where: { id } })) ?? row, at);
      await audit(ctx, { actor: maker.credentialId, action: "preparedAction.cancel", target: id });
      return view((await ctx.db.preparedAction.findUnique({ where: { id } })) as PreparedAction);
    },
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
