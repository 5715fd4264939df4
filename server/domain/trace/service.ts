/**
 * Trace and proof: a receivable's whole lineage tree from the confirmed invoice to every current holder,
 * with each transfer, financing and redemption and their transaction hashes; and the downloadable proof
 * bundle of the path from the root to one receivable. Served from the indexer's committed data only.
 */
import { jsonObjectWith, type JsonText } from "../../api/json";
import type { Principal } from "../../auth/principal";
import { ConflictError, NotFoundError } from "../../lib/appErrors";
import { invoiceRowId, toDecimal } from "../../lib/encode";
import type { DomainContext } from "../context";
import { pathsOf } from "../receivables/lineage";
import { isPrivileged, organisationOf } from "../access";
import type { ReceivableService, ReceivableView } from "../receivables/service";
import { needToKnowView, visibleEvents, visibleFinancings, visibleRedemptions, wholeTree, type TreeEvent, type TreeView } from "./needToKnow";
import { PROOF_BUNDLE_FORMAT, type ProofBundle, type ProofEvent } from "./proofBundle";

/** One entry of the tree history as the database serialises it (see Reads.treeHistoryJson). */
interface TraceEvent extends TreeEvent {
  from: string | null;
  amount: string | null;
  detail: string | null;
  txHash: string;
  timestamp: number;
}

/**
 * A node on the path to the caller's parts: ids, amounts, maturity and obligor, but not who holds it
 * now, its offers, pledges or financing, nor its current status (they are its holder's business).
 */
function pathNode(v: ReceivableView) {
  return { ...v, visibility: "PATH" as const, holder: null, status: null, financed: null, offeredTo: null, offerDeadline: null, pledgee: null };
}

/** Trees are bounded by the ledger's depth and minimum part; this caps one answer regardless. */
const MAX_TREE_NODES = 5_000;

export function createTraceService(ctx: DomainContext, deps: { receivables: ReceivableService }) {
  const { receivables } = deps;

  return {
    /**
     * The trace as JSON text (see `TraceOut` in routes.ts for its shape): the tree's history, its
     * largest part, is serialised by the database in one aggregate rather than row by row.
     */
    async trace(principal: Principal, id: bigint): Promise<JsonText> {
      const target = await receivables.visible(principal, id);
      const rootId = target.rootId;
      const [root, nodes, eventsJson, indexedTo] = await Promise.all([
        ctx.reads.root(rootId),
        ctx.reads.treeNodes(rootId, MAX_TREE_NODES),
        ctx.reads.treeHistoryJson(rootId),
        ctx.reads.checkpoint(),
      ]);
      if (root === undefined) throw new NotFoundError("receivable", id.toString());
      const org = organisationOf(principal);
      const privileged = isPrivileged(principal);
      const ids = nodes.map((n) => n.id);
      const [financings, redemptions, confirmationNonce] = await Promise.all([
        ctx.reads.financingsOf(ids),
        ctx.reads.redemptionsOf(ids),
        ctx.reads.confirmationNonceOf(root.supplier, root.invoiceHash),
      ]);
      // Operator, auditor and the obligor see the whole tree, whose history the database serialised
      // already; anyone else sees its own parts, their descendants and the path to them (needToKnow.ts).
      let view: TreeView;
      let events = eventsJson;
      if (privileged || org === root.issuer) {
        view = wholeTree(nodes);
      } else {
        const history = JSON.parse(eventsJson) as TraceEvent[];
        view = needToKnowView({ org: org ?? "", target: target.id, nodes, events: history, financings });
        events = JSON.stringify(visibleEvents(view, nodes, history));
      }
      const shown = nodes.filter((n) => view.nodes.has(n.id));
      const views = await receivables.views(shown);
      return jsonObjectWith(
        {
          rootId,
          receivableId: toDecimal(id),
          scope: view.whole ? "TREE" : "NEED_TO_KNOW",
          indexedToBlock: indexedTo,
          invoice: {
            invoiceHash: root.invoiceHash,
            issuer: root.issuer,
            supplier: root.supplier,
            currency: root.currency,
            faceAmount: root.faceAmount,
            maturity: Number(root.maturity),
            frozen: root.frozen,
            overdue: root.overdue,
            confirmedBlock: Number(root.confirmedBlock),
            confirmedTxHash: root.confirmedTxHash,
            confirmationNonce,
          },
          nodes: views.map((v) => {
            const seen = view.nodes.get(v.id) ?? "FULL";
            return seen === "PATH" ? pathNode(v) : { ...v, visibility: seen };
          }),
          financings: visibleFinancings(org, privileged, financings),
          // A redemption pays in the tree's currency.
          redemptions: visibleRedemptions(org, privileged, redemptions).map((r) => ({ ...r, currency: root.currency })),
        },
        { events },
      );
    },

    /** The proof bundle of the path from the root to `id` (see proofBundle.ts for what a verifier checks). */
    async proof(principal: Principal, id: bigint): Promise<ProofBundle> {
      const target = await receivables.visible(principal, id);
      const path = (await pathsOf(ctx.reads, [target.id])).get(target.id) ?? [target.id];
      const root = await ctx.db.receivableRoot.findUnique({ where: { rootId: target.rootId } });
      const invoice = root === null ? null : await ctx.db.invoice.findUnique({ where: { id: invoiceRowId(root.supplier, root.invoiceHash) } });
      if (root === null || invoice === null || invoice.confirmationNonce === null || invoice.invoiceNumberHash === null) {
        throw new NotFoundError("receivable", id.toString());
      }
      const rows = await ctx.db.receivableHistory.findMany({
        where: { receivableId: { in: path } },
        select: { receivableId: true, kind: true, toAddress: true, relatedId: true, blockNumber: true, logIndex: true },
      });
      // The bundle proves the path, not the tree: the receivable's own history, and of its ancestors
      // only what brought it into being (needToKnow.ts), whoever asks.
      const pathView: TreeView = { nodes: new Map(path.map((p) => [p, p === target.id ? ("FULL" as const) : ("PATH" as const)])), whole: false };
      const history = visibleEvents(
        pathView,
        path.map((p, i) => ({ id: p, parentId: i === 0 ? null : (path[i - 1] as string) })),
        rows.map((h) => ({ receivableId: h.receivableId, kind: h.kind, to: h.toAddress, relatedId: h.relatedId, blockNumber: Number(h.blockNumber), logIndex: h.logIndex })),
      );
      const keys = [...new Map(history.map((h) => [`${h.blockNumber}:${h.logIndex}`, { blockNumber: BigInt(h.blockNumber), logIndex: h.logIndex }])).values()];
      const events = await ctx.db.chainEvent.findMany({
        where: { OR: keys.map((k) => ({ blockNumber: k.blockNumber, logIndex: k.logIndex })) },
        orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
      });
      const proofEvents: ProofEvent[] = events.map((e) => ({
        contract: e.contract,
        contractName: e.contractName,
        eventName: e.eventName,
        args: JSON.parse(e.args) as Record<string, unknown>,
        txHash: e.txHash,
        blockNumber: Number(e.blockNumber),
        blockHash: e.blockHash,
        logIndex: e.logIndex,
      }));
      const confirmedEvent = proofEvents.find((e) => e.eventName === "InvoiceConfirmed");
      if (confirmedEvent === undefined) throw new ConflictError("ProofIncomplete", "the confirmation event is not indexed yet");
      // The signature is not in any event: it is read back from the confirmation transaction's calldata.
      const tx = await ctx.chain.provider.getTransaction(root.confirmedTxHash);
      const call = tx === null ? null : ctx.chain.ledger.interface.parseTransaction({ data: tx.data });
      const bySignature = call?.name === "confirmInvoiceWithSignature";
      return {
        format: PROOF_BUNDLE_FORMAT,
        chainId: ctx.chain.chainId.toString(),
        ledger: ctx.chain.addresses.ledger.toLowerCase(),
        receivableId: target.id,
        rootId: target.rootId,
        path,
        invoice: {
          invoiceHash: root.invoiceHash,
          invoiceNumberHash: invoice.invoiceNumberHash,
          supplier: root.supplier,
          debtor: root.issuer,
          currency: root.currency,
          amount: root.faceAmount,
          maturity: root.maturity.toString(),
        },
        confirmation: {
          method: bySignature ? "signature" : "transaction",
          nonce: invoice.confirmationNonce,
          deadline: bySignature ? (call.args[2] as bigint).toString() : null,
          signature: bySignature ? String(call.args[3]).toLowerCase() : null,
          txHash: root.confirmedTxHash,
          blockNumber: Number(root.confirmedBlock),
        },
        events: proofEvents,
      };
    },
  };
}

export type TraceService = ReturnType<typeof createTraceService>;
