import { z } from "zod";
import { defineRoute, txRoute, type AnyRoute } from "../../api/route";
import { ACCESS_ROLES } from "../../auth/principal";
import { TxOut } from "../tx";
import { DisputeOut, DisputeParams, ListDisputesQuery, RaiseDisputeBody, ResolveDisputeBody } from "./schemas";
import type { DisputeService } from "./service";

export function disputeRoutes(service: DisputeService): AnyRoute[] {
  return [
    txRoute({
      path: "/v1/disputes",
      operationId: "raiseDispute",
      summary: "Core enterprise (on a tree it issued, once per tree) or operator: dispute a lineage tree, freezing it",
      description:
        "A core enterprise's dispute lapses after the ledger's dispute period unless the operator upholds it; the operator's lasts until released. A suspended core enterprise cannot raise one.",
      tags: ["disputes"],
      roles: ["CORE_ENTERPRISE", "OPERATOR"],
      body: RaiseDisputeBody,
      response: { status: 201, description: "Raised (transaction mined)", schema: TxOut },
      errors: [404, 409],
      handler: async ({ principal, body }) => service.raise(principal, body),
    }),
    txRoute({
      path: "/v1/disputes/{rootId}/resolve",
      operationId: "resolveDispute",
      summary: "Operator: uphold a live dispute (frozen until released) or release it",
      tags: ["disputes"],
      roles: ["OPERATOR"],
      params: DisputeParams,
      body: ResolveDisputeBody,
      response: { status: 200, description: "Resolved (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal, params, body }) => service.resolve(principal, params.rootId, body.outcome),
    }),
    defineRoute({
      method: "get",
      path: "/v1/disputes",
      operationId: "listDisputes",
      summary: "Disputes on trees the caller issued or holds a part of (all of them for operator and auditors)",
      tags: ["disputes"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      query: ListDisputesQuery,
      response: { status: 200, description: "Disputes, latest first", schema: z.object({ items: z.array(DisputeOut) }) },
      handler: async ({ principal, query }) => service.list(principal, query),
    }),
    defineRoute({
      method: "get",
      path: "/v1/disputes/{rootId}",
      operationId: "getDispute",
      summary: "The latest dispute on one tree the caller issued or holds a part of",
      tags: ["disputes"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: DisputeParams,
      response: { status: 200, description: "The dispute", schema: DisputeOut },
      errors: [404],
      handler: async ({ principal, params }) => service.get(principal, params.rootId),
    }),
  ];
}
