import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { ACCESS_ROLES } from "../../auth/principal";
import { TxOut } from "../tx";
import type { DomainContext } from "../context";
import {
  IssuanceLimitBody,
  IssuanceLimitOut,
  ListOrganisationsQuery,
  OrganisationOut,
  OrganisationParams,
  RegisterOrganisationBody,
} from "./schemas";
import { createOrganisationService } from "./service";

export function organisationRoutes(ctx: DomainContext): AnyRoute[] {
  const service = createOrganisationService(ctx);
  return [
    defineRoute({
      method: "get",
      path: "/v1/organisations",
      operationId: "listOrganisations",
      summary: "The directory of registered organisations (KYC hashes for operator and auditors only)",
      tags: ["organisations"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      query: ListOrganisationsQuery,
      response: { status: 200, description: "Organisations", schema: z.object({ items: z.array(OrganisationOut) }) },
      handler: async ({ principal, query }) => service.list(principal, query),
    }),
    defineRoute({
      method: "get",
      path: "/v1/organisations/{address}",
      operationId: "getOrganisation",
      summary: "One registered organisation",
      tags: ["organisations"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: OrganisationParams,
      response: { status: 200, description: "The organisation", schema: OrganisationOut },
      errors: [404],
      handler: async ({ principal, params }) => service.get(principal, params.address),
    }),
    defineRoute({
      method: "post",
      path: "/v1/organisations",
      operationId: "registerOrganisation",
      summary: "Operator: register an organisation on chain (KYC done off chain; only its hash is recorded)",
      tags: ["organisations"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      body: RegisterOrganisationBody,
      idempotent: true,
      response: { status: 201, description: "Registered (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal, body }) => service.register(principal, body),
    }),
    defineRoute({
      method: "post",
      path: "/v1/organisations/{address}/suspend",
      operationId: "suspendOrganisation",
      summary: "Operator: suspend an organisation (it can no longer move, receive or confirm anything)",
      tags: ["organisations"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      params: OrganisationParams,
      idempotent: true,
      response: { status: 200, description: "Suspended (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal, params }) => service.setActive(principal, params.address, false),
    }),
    defineRoute({
      method: "post",
      path: "/v1/organisations/{address}/reactivate",
      operationId: "reactivateOrganisation",
      summary: "Operator: reactivate a suspended organisation",
      tags: ["organisations"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      params: OrganisationParams,
      idempotent: true,
      response: { status: 200, description: "Reactivated (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal, params }) => service.setActive(principal, params.address, true),
    }),
    defineRoute({
      method: "put",
      path: "/v1/issuance-limits/{address}",
      operationId: "setIssuanceLimit",
      summary: "Operator: set a core enterprise's issuance limit (how much it may have confirmed and unpaid)",
      tags: ["organisations"],
      access: { kind: "authenticated", roles: ["OPERATOR"] },
      params: OrganisationParams,
      body: IssuanceLimitBody,
      idempotent: true,
      response: { status: 200, description: "Set (transaction mined)", schema: TxOut },
      errors: [409],
      handler: async ({ principal, params, body }) => service.setIssuanceLimit(principal, params.address, body.limit),
    }),
    defineRoute({
      method: "get",
      path: "/v1/issuance-limits/{address}",
      operationId: "getIssuanceLimit",
      summary: "A core enterprise's issuance limit: limit, issued face, and outstanding amounts by upcoming maturity",
      description: "Visible to the core enterprise itself, to financiers (who price against it), the operator and auditors.",
      tags: ["organisations"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: OrganisationParams,
      response: { status: 200, description: "The issuance limit", schema: IssuanceLimitOut },
      errors: [404],
      handler: async ({ principal, params }) => service.issuanceLimit(principal, params.address),
    }),
  ];
}
