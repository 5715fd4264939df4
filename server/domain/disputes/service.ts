/**
 * Disputes: a core enterprise (with a custodial key on the server) or the operator raises a dispute on a
 * lineage tree, freezing it; the operator resolves it (uphold or release); a debtor's dispute lapses on its
 * own after the ledger's dispute period. Writes go to the chain (which enforces who may do what); reads
 * come from the indexer's `dispute` projection, each organisation seeing the disputes on trees it issued or
 * holds a part of, the operator and auditors all.
 */
import type { Principal } from "../../auth/principal";
import { InternalError, NotFoundError } from "../../lib/appErrors";
import { isPrivileged, organisationOf } from "../access";
import type { DomainContext } from "../context";
import { audit, settle, type TxResult } from "../tx";

type DisputeStatusName = "OPEN" | "UPHELD" | "RELEASED" | "LAPSED";

interface DisputeRow {
  rootId: string;
  raiser: string;
  evidenceHash: string;
  raisedAt: bigint;
  expiresAt: bigint | null;
  status: string;
  resolvedBy: string | null;
}

/** The stored status, with an open debtor's dispute past its end reported as LAPSED. */
export function disputeStatus(row: Pick<DisputeRow, "status" | "expiresAt">, nowSec: number): DisputeStatusName {
  if (row.status === "OPEN" && row.expiresAt !== null && row.expiresAt < BigInt(nowSec)) return "LAPSED";
  return row.status as DisputeStatusName;
}

export function createDisputeService(ctx: DomainContext) {
  const nowSec = () => Math.floor(ctx.now().getTime() / 1000);

  /** The root, if `principal` may see its disputes: privileged, its issuer, or a holder of one of its parts. */
  async function visibleRoot(principal: Principal, rootId: string) {
    const root = await ctx.db.receivableRoot.findUnique({ where: { rootId } });
    if (root === null) return null;
    if (isPrivileged(principal)) return root;
    const org = organisationOf(principal);
    if (org === undefined) return null;
    if (root.issuer === org) return root;
    const held = await ctx.db.receivable.findFirst({ where: { rootId, holder: org }, select: { id: true } });
    return held === null ? null : root;
  }

  const view = (row: DisputeRow, issuer: string) => ({
    rootId: row.rootId,
    raiser: row.raiser,
    evidenceHash: row.evidenceHash,
    raisedAt: Number(row.raisedAt),
    expiresAt: row.expiresAt === null ? null : Number(row.expiresAt),
    status: disputeStatus(row, nowSec()),
    resolvedBy: row.resolvedBy,
    issuer,
  });

  return {
    /** The operator as itself; a core enterprise with its own custodial key, only on trees it issued. */
    async raise(principal: Principal, input: { rootId: bigint; evidenceHash: string }): Promise<TxResult> {
      const rootId = input.rootId.toString();
      const root = await visibleRoot(principal, rootId);
      const org = organisationOf(principal);
      if (root === null || (principal.kind !== "OPERATOR" && root.issuer !== org)) throw new NotFoundError("receivable tree", rootId);
      const sender = principal.kind === "OPERATOR" ? "operator" : (org as string);
      const sent = await ctx.chain.signers.send(sender, (s) => ctx.chain.ledger.connect(s).raiseDispute(input.rootId, input.evidenceHash));
      await audit(ctx, { actor: principal.credentialId, action: "dispute.raise", target: rootId, txHash: sent.txHash, detail: { evidenceHash: input.evidenceHash } });
      return settle(ctx, sent);
    },

    async resolve(principal: Principal, rootId: bigint, outcome: "UPHOLD" | "RELEASE"): Promise<TxResult> {
      const sent = await ctx.chain.signers.send("operator", (s) => ctx.chain.ledger.connect(s).resolveDispute(rootId, outcome === "UPHOLD"));
      await audit(ctx, { actor: principal.credentialId, action: outcome === "UPHOLD" ? "dispute.uphold" : "dispute.release", target: rootId.toString(), txHash: sent.txHash });
      return settle(ctx, sent);
    },

    async get(principal: Principal, rootId: bigint) {
      const id = rootId.toString();
      const root = await visibleRoot(principal, id);
      const row = root === null ? null : await ctx.db.dispute.findUnique({ where: { rootId: id } });
      if (root === null || row === null) throw new NotFoundError("dispute", id);
      return view(row, root.issuer);
    },

    async list(principal: Principal, filter: { status?: DisputeStatusName | undefined }) {
      const org = organisationOf(principal);
      let rootIds: string[] | undefined;
      if (!isPrivileged(principal)) {
        if (org === undefined) return { items: [] };
        const [issued, held] = await Promise.all([
          ctx.db.receivableRoot.findMany({ where: { issuer: org }, select: { rootId: true } }),
          ctx.db.receivable.findMany({ where: { holder: org }, select: { rootId: true }, distinct: ["rootId"] }),
        ]);
        rootIds = [...new Set([...issued, ...held].map((r) => r.rootId))];
      }
      const rows = await ctx.db.dispute.findMany({ where: rootIds === undefined ? {} : { rootId: { in: rootIds } }, orderBy: { raisedBlock: "desc" } });
      const issuers = new Map(
        (await ctx.db.receivableRoot.findMany({ where: { rootId: { in: rows.map((r) => r.rootId) } }, select: { rootId: true, issuer: true } })).map((r) => [r.rootId, r.issuer]),
      );
      const items = rows.map((r) => {
        // A dispute is only ever raised on a confirmed root, so a missing issuer is a projection bug, not "".
        const issuer = issuers.get(r.rootId);
        if (issuer === undefined) throw new InternalError(`dispute on ${r.rootId} has no projected root`);
        return view(r, issuer);
      });
      return { items: filter.status === undefined ? items : items.filter((d) => d.status === filter.status) };
    },
  };
}

export type DisputeService = ReturnType<typeof createDisputeService>;
