import { defineRoute, txRoute, type AnyRoute } from "../../api/route";
import { PageQuery, ReceivableIdParams } from "../../api/schemas";
import { ACCESS_ROLES } from "../../auth/principal";
import { TxOut } from "../tx";
import { LedgerParametersOut, ListReceivablesQuery, ReceivableOut, ReceivablePage, SplitBody, SplitOut, TransferBody, TransferOut } from "./schemas";
import type { ReceivableService } from "./service";

const ORGS = ["CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const;
const HOLDERS = ["SUPPLIER", "FINANCIER"] as const;

export function receivableRoutes(service: ReceivableService): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/ledger-parameters",
      operationId: "getLedgerParameters",
      summary: "The ledger's rules for splitting and offering: minimum part amount, maximum lineage depth, default offer window",
      tags: ["receivables"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      response: { status: 200, description: "The ledger parameters, read from the chain", schema: LedgerParametersOut },
      handler: async () => service.ledgerParameters(),
    }),
    defineRoute({
      method: "get",
      path: "/v1/receivables",
      operationId: "listReceivables",
      summary: "The caller's receivables with status, maturity, tier and holder (all of them for operator and auditors), paged",
      tags: ["receivables"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      query: ListReceivablesQuery,
      response: { status: 200, description: "A page of receivables", schema: ReceivablePage },
      handler: async ({ principal, query }) => service.list(principal, query),
    }),
    defineRoute({
      method: "get",
      path: "/v1/receivables/{id}",
      operationId: "getReceivable",
      summary: "One receivable the caller holds, is offered, has pledged to it, owes, or may see as a financier of an open request",
      tags: ["receivables"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: ReceivableIdParams,
      response: { status: 200, description: "The receivable", schema: ReceivableOut },
      // 409 NotYetFinal: minted in a block the read views do not include yet (see server/domain/finality.ts).
      errors: [404, 409],
      handler: async ({ principal, params }) => service.get(principal, params.id),
    }),
    defineRoute({
      method: "get",
      path: "/v1/offers",
      operationId: "listIncomingOffers",
      summary: "Receivables offered to the caller and awaiting its acceptance (signing for receipt)",
      tags: ["receivables"],
      access: { kind: "authenticated", roles: ORGS },
      query: PageQuery,
      response: { status: 200, description: "Open offers to the caller, paged", schema: ReceivablePage },
      handler: async ({ principal, query }) => service.incomingOffers(principal, query),
    }),
    txRoute({
      path: "/v1/receivables/{id}/split",
      operationId: "splitReceivable",
      summary: "Holder: split an amount off a receivable into a new child it keeps",
      tags: ["receivables"],
      roles: HOLDERS,
      params: ReceivableIdParams,
      body: SplitBody,
      response: { status: 201, description: "Split (transaction mined)", schema: SplitOut },
      errors: [404, 409],
      handler: async ({ principal, params, body }) => service.split(principal, params.id, body.amount),
    }),
    txRoute({
      path: "/v1/receivables/{id}/transfer",
      operationId: "transferReceivable",
      summary: "Holder: offer all or part of a receivable to a registered organisation, which accepts or rejects it",
      tags: ["receivables"],
      roles: HOLDERS,
      params: ReceivableIdParams,
      body: TransferBody,
      response: { status: 201, description: "Offered (transaction mined); `offeredId` is the receivable in escrow", schema: TransferOut },
      errors: [404, 409],
      handler: async ({ principal, params, body }) => service.transfer(principal, params.id, body),
    }),
    txRoute({
      path: "/v1/receivables/{id}/accept",
      operationId: "acceptOffer",
      summary: "Receiver: accept a receivable offered to it",
      tags: ["receivables"],
      roles: HOLDERS,
      params: ReceivableIdParams,
      response: { status: 200, description: "Accepted (transaction mined)", schema: TxOut },
      errors: [404, 409],
      handler: async ({ principal, params }) => service.respond(principal, params.id, "accept"),
    }),
    txRoute({
      path: "/v1/receivables/{id}/reject",
      operationId: "rejectOffer",
      summary: "Receiver: reject a receivable offered to it; it returns to the sender",
      tags: ["receivables"],
      roles: HOLDERS,
      params: ReceivableIdParams,
      response: { status: 200, description: "Rejected (transaction mined)", schema: TxOut },
      errors: [404, 409],
      handler: async ({ principal, params }) => service.respond(principal, params.id, "reject"),
    }),
    txRoute({
      path: "/v1/receivables/{id}/cancel-offer",
      operationId: "cancelOffer",
      summary: "Sender: withdraw an open offer",
      tags: ["receivables"],
      roles: HOLDERS,
      params: ReceivableIdParams,
      response: { status: 200, description: "Cancelled (transaction mined)", schema: TxOut },
      errors: [404, 409],
      handler: async ({ principal, params }) => service.respond(principal, params.id, "cancel"),
    }),
  ];
}
