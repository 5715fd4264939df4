/**
 * Receivables: list and read one's own (with status, maturity, tier and holder), split, transfer as an
 * offer, and accept / reject / cancel offers. Writes are sent with the organisation's own key; reads
 * come from the projections, filtered by who may see what (see ../access.ts).
 */
import type { Principal } from "../../auth/principal";
import type { ReceivableRoot } from "../../db/generated/sqlite/client";
import type { ReceivableRow } from "../reads";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/appErrors";
import { toDecimal } from "../../lib/encode";
import { requireEvent } from "../../lib/receipt";
import { canSeeReceivable, isPrivileged, organisationOf } from "../access";
import { assertReceivableNotPending } from "../finality";
import type { DomainContext } from "../context";
import { audit, settle, type TxResult } from "../tx";
import { pathsOf, tiersOf } from "./lineage";

export type ReceivableStatusName = "ACTIVE" | "OFFERED" | "PLEDGED" | "FROZEN" | "OVERDUE" | "MATURED" | "REDEEMED";

export interface ReceivableView {
  id: string;
  rootId: string;
  parentId: string | null;
  depth: number;
  tier: number;
  holder: string;
  amount: string;
  initialAmount: string;
  status: ReceivableStatusName;
  financed: boolean;
  frozen: boolean;
  /** Marked overdue and not (yet) paid in full. */
  overdue: boolean;
  /** Marked overdue, then paid in full late. */
  cured: boolean;
  offeredTo: string | null;
  offerDeadline: number | null;
  pledgee: string | null;
  issuer: string;
  currency: string;
  maturity: number;
  createdTxHash: string;
}

/** One status for display, most significant first: what stops or changes what the holder can do. */
export function statusOf(r: ReceivableRow, root: (Pick<ReceivableRoot, "frozen" | "overdue"> & { cured?: boolean }) | undefined, nowSec: number): ReceivableStatusName {
  if (r.status === "BURNED") return "REDEEMED";
  // A cured tree (paid in full after it was marked overdue) is overdue no more.
  if (root?.overdue === true && root.cured !== true) return "OVERDUE";
  if (root?.frozen === true) return "FROZEN";
  if (r.status === "OFFERED") return "OFFERED";
  if (r.pledgee !== null) return "PLEDGED";
  if (Number(r.maturity) <= nowSec) return "MATURED";
  return "ACTIVE";
}

function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^(0|[1-9][0-9]{0,77})$/.test(id)) {
    throw new ValidationError("invalid cursor", [{ field: "query.cursor", message: "not a cursor this API issued", code: "custom" }]);
  }
  return id;
}

/**
 * Tiers, cached. A receivable's tier depends only on history that is fixed once it exists (its
 * ancestors' transfers before it was split off) and on its own accepted transfers, which change its
 * `updatedBlock`; a reorg that re-creates it changes its creation block or transaction. So a tier keyed
 * by (creation block, creation tx, last update block) never goes stale, and the lineage walk it costs
 * is paid once per receivable version rather than on every read.
 */
const TIER_CACHE_LIMIT = 200_000;
const tierKey = (r: ReceivableRow) => `${r.createdBlock}:${r.createdTxHash}:${r.updatedBlock}`;

export function createReceivableService(ctx: DomainContext) {
  const nowSec = () => Math.floor(ctx.now().getTime() / 1000);
  // One cache per domain: `createDomain` builds this service once and hands it to the others.
  const cache = new Map<string, { key: string; tier: number }>();

  async function computeTiers(rows: readonly ReceivableRow[]): Promise<Map<string, number>> {
    if (rows.length === 0) return new Map();
    const tiers = await tiersOf(
      ctx.reads,
      await pathsOf(
        ctx.reads,
        rows.map((r) => r.id),
      ),
    );
    if (cache.size + rows.length > TIER_CACHE_LIMIT) cache.clear();
    for (const r of rows) {
      const tier = tiers.get(r.id);
      if (tier !== undefined) cache.set(r.id, { key: tierKey(r), tier });
    }
    return tiers;
  }

  async function views(rows: ReceivableRow[]): Promise<ReceivableView[]> {
    if (rows.length === 0) return [];
    const rootIds = [...new Set(rows.map((r) => r.rootId))];
    const missing = rows.filter((r) => cache.get(r.id)?.key !== tierKey(r));
    const now = nowSec();
    const [roots, tiers] = await Promise.all([ctx.reads.roots(rootIds, now), computeTiers(missing)]);
    const rootById = new Map(roots.map((r) => [r.rootId, r]));
    return rows.map((r) => {
      const root = rootById.get(r.rootId);
      return {
        id: r.id,
        rootId: r.rootId,
        parentId: r.parentId,
        depth: r.depth,
        tier: tiers.get(r.id) ?? cache.get(r.id)?.tier ?? 1,
        holder: r.holder,
        amount: r.amount,
        initialAmount: r.initialAmount,
        status: statusOf(r, root, now),
        financed: r.financed,
        frozen: root?.frozen ?? false,
        overdue: (root?.overdue ?? false) && !(root?.cured ?? false),
        cured: root?.cured ?? false,
        offeredTo: r.offeredTo,
        offerDeadline: r.offerDeadline === null ? null : Number(r.offerDeadline),
        pledgee: r.pledgee,
        issuer: r.issuer,
        currency: r.currency,
        maturity: Number(r.maturity),
        createdTxHash: r.createdTxHash,
      };
    });
  }

  /** The receivable if `principal` may see it; otherwise "not found" (never "forbidden", which would leak existence). */
  async function visible(principal: Principal, id: bigint): Promise<ReceivableRow> {
    const row = await ctx.reads.receivable(toDecimal(id));
    if (row === undefined) await assertReceivableNotPending(ctx, principal, id);
    if (row === undefined || !(await canSeeReceivable(ctx.reads, principal, row, ctx.now().getTime()))) throw new NotFoundError("receivable", id.toString());
    return row;
  }

  /** For writes: visible, and the caller is `party` of it (holder, offer receiver), else 403 with the reason. */
  async function actingAs(principal: Principal, id: bigint, party: "holder" | "offeredTo"): Promise<{ row: ReceivableRow; org: string }> {
    const row = await visible(principal, id);
    const org = organisationOf(principal);
    if (org === undefined) throw new ForbiddenError("RoleNotAllowed", "only organisations act on receivables");
    if (party === "holder" && row.holder !== org) throw new ForbiddenError("NotHolder", "only the holder may do this");
    if (party === "offeredTo" && (row.status !== "OFFERED" || row.offeredTo !== org)) {
      throw new ForbiddenError("NotOfferedToYou", "this receivable is not offered to you");
    }
    return { row, org };
  }

  return {
    /** The ledger's rules for splitting and offering, read from the chain. */
    async ledgerParameters() {
      const [minPartAmount, maxDepth, defaultOfferWindow] = await ctx.chain.ledger.ledgerParameters();
      return { minPartAmount: minPartAmount.toString(), maxDepth: Number(maxDepth), defaultOfferWindow: Number(defaultOfferWindow) };
    },

    views,
    visible,

    /** The caller's receivables (held, or all for operator/auditor), paged by id. */
    async list(
      principal: Principal,
      query: { limit: number; cursor?: string | undefined; status?: ReceivableStatusName | undefined; issuer?: string | undefined; maturityBefore?: number | undefined },
    ) {
      const org = organisationOf(principal);
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await ctx.reads.receivablePage({
        holder: isPrivileged(principal) ? null : (org ?? ""),
        status: query.status,
        nowSec: nowSec(),
        issuer: query.issuer,
        maturityBefore: query.maturityBefore,
        // Paged in the primary key's (text) order: a stable total order served by the index, which is
        // all a cursor needs.
        after,
        limit: query.limit + 1,
      });
      const pageRows = rows.slice(0, query.limit);
      const last = pageRows[pageRows.length - 1];
      return { items: await views(pageRows), nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.id) : null };
    },

    async get(principal: Principal, id: bigint): Promise<ReceivableView> {
      const row = await visible(principal, id);
      const [view] = await views([row]);
      return view as ReceivableView;
    },

    /** Offers made to the caller and still open, paged by id. */
    async incomingOffers(principal: Principal, query: { limit: number; cursor?: string | undefined }) {
      const rows = await ctx.reads.offersTo({
        receiver: organisationOf(principal) ?? "",
        after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const pageRows = rows.slice(0, query.limit);
      const last = pageRows[pageRows.length - 1];
      return { items: await views(pageRows), nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.id) : null };
    },

    async split(principal: Principal, id: bigint, amount: bigint): Promise<TxResult & { childId: string }> {
      const { org } = await actingAs(principal, id, "holder");
      const sent = await ctx.chain.signers.send(org, (s) => ctx.chain.ledger.connect(s).split(id, amount));
      const childId = requireEvent(ctx.chain.ledger, sent.receipt.logs, "ReceivableSplit").childId.toString();
      await audit(ctx, { actor: org, action: "receivable.split", target: id.toString(), txHash: sent.txHash, detail: { amount, childId } });
      return { ...(await settle(ctx, sent)), childId };
    },

    async transfer(principal: Principal, id: bigint, input: { to: string; amount: bigint; deadline?: number | undefined }): Promise<TxResult & { offeredId: string }> {
      const { org } = await actingAs(principal, id, "holder");
      // Only a registered, active organisation can ever accept: an offer to anyone else would sit in
      // escrow until it expires. Refused before anything is sent (the directory is public to members).
      const receiver = await ctx.db.organisation.findUnique({ where: { address: input.to }, select: { active: true } });
      if (receiver === null) throw new ConflictError("OfferReceiverNotRegistered", "the receiver is not a registered organisation", { to: input.to });
      if (!receiver.active) throw new ConflictError("OfferReceiverSuspended", "the receiver is suspended and cannot accept", { to: input.to });
      const sent = await ctx.chain.signers.send(org, (s) => ctx.chain.ledger.connect(s).offerTransfer(id, input.to, input.amount, BigInt(input.deadline ?? 0)));
      const offeredId = requireEvent(ctx.chain.ledger, sent.receipt.logs, "TransferOffered").id.toString();
      await audit(ctx, { actor: org, action: "receivable.offer", target: id.toString(), txHash: sent.txHash, detail: { to: input.to, amount: input.amount, offeredId } });
      return { ...(await settle(ctx, sent)), offeredId };
    },

    async respond(principal: Principal, id: bigint, answer: "accept" | "reject" | "cancel"): Promise<TxResult> {
      const { org } = await actingAs(principal, id, answer === "cancel" ? "holder" : "offeredTo");
      const sent = await ctx.chain.signers.send(org, (s) => {
        const ledger = ctx.chain.ledger.connect(s);
        return answer === "accept" ? ledger.acceptOffer(id) : answer === "reject" ? ledger.rejectOffer(id) : ledger.cancelOffer(id);
      });
      await audit(ctx, { actor: org, action: `offer.${answer}`, target: id.toString(), txHash: sent.txHash });
      return settle(ctx, sent);
    },
  };
}

export type ReceivableService = ReturnType<typeof createReceivableService>;
