import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { AddressOut, ReceivableIdParams, Uint256Out } from "../../api/schemas";
import { ACCESS_ROLES } from "../../auth/principal";
import { ReceivableOut, ReceivableStatus } from "../receivables/schemas";
import type { TraceService } from "./service";

const TraceNodeOut = ReceivableOut.extend({
  visibility: z.enum(["FULL", "PATH", "MARKET"]).meta({
    description:
      "FULL: one of the caller's parts or their descendants (or every node, for operator, auditor and the obligor). PATH: a node on the path from the confirmed invoice to the caller's parts; its holder, status, offer, pledge and financing are not shown (null), and of its history only the confirmation, its transfers up to the split that created the next node, and that split. MARKET: a receivable a financier sees because it was offered for financing: its details and provenance, not its later splits, pledges or financings",
  }),
  holder: AddressOut.nullable(),
  status: ReceivableStatus.nullable(),
  financed: z.boolean().nullable(),
}).meta({ id: "TraceNode" });

const TraceOut = z
  .object({
    rootId: Uint256Out,
    receivableId: Uint256Out,
    scope: z.enum(["TREE", "NEED_TO_KNOW"]).meta({
      description:
        "TREE: the whole tree (operator, auditor, the obligor). NEED_TO_KNOW: the caller's parts, their descendants and the path from the confirmed invoice to them; events, financing terms and redemptions only where the caller is a party",
    }),
    indexedToBlock: z.number().int().nullable().meta({ description: "the indexer checkpoint this answer reflects" }),
    invoice: z.object({
      invoiceHash: z.string(),
      issuer: AddressOut,
      supplier: AddressOut,
      currency: AddressOut,
      faceAmount: Uint256Out,
      maturity: z.number().int(),
      frozen: z.boolean(),
      overdue: z.boolean(),
      confirmedBlock: z.number().int(),
      confirmedTxHash: z.string(),
      confirmationNonce: z.string().nullable(),
    }),
    nodes: z.array(TraceNodeOut),
    events: z.array(
      z.object({
        receivableId: Uint256Out,
        kind: z.string(),
        from: AddressOut.nullable(),
        to: AddressOut.nullable(),
        amount: Uint256Out.nullable(),
        relatedId: Uint256Out.nullable(),
        detail: z.string().nullable(),
        txHash: z.string(),
        blockNumber: z.number().int(),
        logIndex: z.number().int(),
        timestamp: z.number().int(),
      }),
    ),
    financings: z.array(
      z.object({
        quoteHash: z.string(),
        receivableId: Uint256Out,
        financedId: Uint256Out,
        financier: AddressOut,
        holder: AddressOut,
        mode: z.enum(["PURCHASE", "PLEDGE"]),
        currency: AddressOut,
        amount: Uint256Out,
        advance: Uint256Out,
        repayment: Uint256Out,
        txHash: z.string(),
        blockNumber: z.number().int(),
      }),
    ),
    redemptions: z.array(
      z.object({
        receivableId: Uint256Out,
        holder: AddressOut,
        currency: AddressOut,
        amount: Uint256Out,
        toHolder: Uint256Out,
        pledgee: AddressOut.nullable(),
        toPledgee: Uint256Out,
        burnt: z.boolean(),
        txHash: z.string(),
        blockNumber: z.number().int(),
      }),
    ),
  })
  .meta({ id: "Trace" });

const ProofBundleOut = z
  .object({
    format: z.literal("ledgerline-proof-bundle/2"),
    chainId: z.string(),
    ledger: AddressOut,
    receivableId: Uint256Out,
    rootId: Uint256Out,
    path: z.array(Uint256Out),
    invoice: z.object({ invoiceHash: z.string(), invoiceNumberHash: z.string(), supplier: AddressOut, debtor: AddressOut, currency: AddressOut, amount: Uint256Out, maturity: z.string() }),
    confirmation: z.object({
      method: z.enum(["signature", "transaction"]),
      nonce: z.string(),
      deadline: z.string().nullable(),
      signature: z.string().nullable(),
      txHash: z.string(),
      blockNumber: z.number().int(),
    }),
    events: z.array(
      z.object({
        contract: AddressOut,
        contractName: z.string(),
        eventName: z.string(),
        args: z.record(z.string(), z.unknown()),
        txHash: z.string(),
        blockNumber: z.number().int(),
        blockHash: z.string(),
        logIndex: z.number().int(),
      }),
    ),
  })
  .meta({ id: "ProofBundle" });

export function traceRoutes(service: TraceService): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/receivables/{id}/trace",
      operationId: "traceReceivable",
      summary:
        "The receivable's lineage as the caller may see it (need to know): the path from the confirmed invoice to the caller's parts and their descendants, with their transfers and the financings and redemptions the caller is a party to; the whole tree for operator, auditor and the obligor",
      tags: ["trace"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: ReceivableIdParams,
      response: { status: 200, description: "The lineage tree and its history", schema: TraceOut },
      errors: [404, 409],
      // Answered as JSON text serialised partly by the database (same shape as TraceOut; the HTTP
      // layer writes a JsonText as it is).
      handler: async ({ principal, params }) => (await service.trace(principal, params.id)) as unknown as z.input<typeof TraceOut>,
    }),
    defineRoute({
      method: "get",
      path: "/v1/receivables/{id}/proof",
      operationId: "proofBundle",
      summary: "A proof bundle for the receivable: confirmation signature and the events from the root to it, verifiable against any JSON-RPC node with scripts/verifyProofBundle.ts",
      tags: ["trace"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: ReceivableIdParams,
      response: { status: 200, description: "The proof bundle (JSON)", schema: ProofBundleOut },
      errors: [404, 409],
      handler: async ({ principal, params, res }) => {
        const bundle = await service.proof(principal, params.id);
        res.setHeader("Content-Disposition", `attachment; filename="receivable-${bundle.receivableId}.proof.json"`);
        return bundle;
      },
    }),
  ];
}
