/**
 * Routes of approvals (issue 12 item 2): thresholds (an admin sets them, every user of the organisation
 * reads them) and prepared actions (a maker prepares, a checker other than the maker approves or
 * rejects, the maker may cancel, every user of the organisation reads). Another organisation's prepared
 * action answers 404 as one that does not exist.
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { Address } from "../../api/schemas";
import { ACCESS_ROLES } from "../../auth/principal";
import type { ApprovalService } from "./service";
import { assertRoleFor, assertStable, executeGoverned, parseStored, type Governed } from "./governed";
import {
  ListPreparedActionsQuery,
  PreparedActionOut,
  PreparedActionParams,
  RejectPreparedActionBody,
  ThresholdsBody,
  ThresholdsOut,
  type PreparedActionName,
} from "./schemas";

const ORGANISATIONS = ["CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const;

export function approvalRoutes(approvals: ApprovalService, governed: ReadonlyMap<PreparedActionName, Governed>): AnyRoute[] {
  const schemas = [...governed.values()].map((g) => g.schema);
  const PrepareBody = z
    .discriminatedUnion("action", schemas as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]])
    .meta({
      id: "PrepareAction",
      description: "the action and the request its route takes: `params`, `query` and `body` exactly as that route validates them (e.g. `receivable.transfer`: `params.id` and the transfer body)",
    });
  return [
    defineRoute({
      method: "get",
      path: "/v1/thresholds",
      operationId: "getThresholds",
      summary: "Every user of an organisation: its approval thresholds and approval window (operator, auditors: of the organisation named)",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      query: z.object({ organisation: Address.optional() }),
      response: { status: 200, description: "The thresholds (none: no checker is needed)", schema: ThresholdsOut },
      handler: async ({ principal, query }) => approvals.thresholds(principal, query.organisation),
    }),
    defineRoute({
      method: "put",
      path: "/v1/thresholds",
      operationId: "setThresholds",
      summary: "Admin: set its organisation's approval thresholds (the whole set) and approval window",
      description:
        "Above a threshold a confirmation (face amount), transfer (amount offered), quote (advance) or deposit (amount) in that currency needs a checker other than its maker; at or below it one maker suffices. Applies to the next request.",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ORGANISATIONS, duty: "admin" },
      body: ThresholdsBody,
      response: { status: 200, description: "The thresholds as set", schema: ThresholdsOut },
      handler: async ({ principal, body }) => approvals.setThresholds(principal, body),
    }),
    defineRoute({
      method: "post",
      path: "/v1/prepared-actions",
      operationId: "prepareAction",
      summary: "Maker: prepare a confirmation, transfer, quote or deposit for a checker to approve (nothing is sent yet)",
      description:
        "The request is validated exactly as its route validates it and stored as validated; approving sends that request and nothing else. It waits for the organisation's approval window (default one day), then expires.",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ORGANISATIONS },
      idempotent: true,
      body: PrepareBody,
      response: { status: 201, description: "The prepared action, waiting for a checker", schema: PreparedActionOut },
      errors: [404, 409],
      handler: async ({ principal, body }) => {
        const { action, ...request } = body as { action: PreparedActionName; params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
        const g = governed.get(action) as Governed;
        assertRoleFor(g, principal);
        const input = { params: request.params ?? {}, query: request.query ?? {}, body: request.body };
        assertStable(g, input);
        // Read as the route reads it: an object the maker may not see is 404 here too.
        const { currency, amount } = await g.spec.amountOf(principal, input);
        return approvals.prepare(principal, { action, request: input, currency, amount });
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/prepared-actions",
      operationId: "listPreparedActions",
      summary: "Every user of an organisation: its prepared actions, newest first (operator, auditors: everyone's or the organisation named)",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      query: ListPreparedActionsQuery,
      response: { status: 200, description: "Prepared actions", schema: z.object({ items: z.array(PreparedActionOut) }) },
      handler: async ({ principal, query }) => approvals.list(principal, query),
    }),
    defineRoute({
      method: "get",
      path: "/v1/prepared-actions/{id}",
      operationId: "getPreparedAction",
      summary: "One prepared action of the caller's organisation: who prepared it, who approved or rejected it, the request, the outcome",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ACCESS_ROLES },
      params: PreparedActionParams,
      response: { status: 200, description: "The prepared action", schema: PreparedActionOut },
      errors: [404],
      handler: async ({ principal, params }) => approvals.get(principal, params.id),
    }),
    defineRoute({
      method: "post",
      path: "/v1/prepared-actions/{id}/approve",
      operationId: "approvePreparedAction",
      summary: "Checker (never its maker): approve a pending prepared action, which sends it; answered once sent",
      description:
        "Of two checkers approving at once exactly one sends (the other: 409 PreparedActionNotPending). After its expiry: 409 PreparedActionExpired. A send refused by the ledger marks it FAILED and answers that refusal; a failure on our side leaves it APPROVED: the same checker approves again to resume (what was sent is never sent twice).",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ORGANISATIONS, duty: "checker" },
      idempotent: true,
      params: PreparedActionParams,
      response: { status: 200, description: "The executed action, with the route's answer in `result`", schema: PreparedActionOut },
      errors: [404, 409],
      handler: async ({ principal, params, req, res, idempotencyKey }) =>
        approvals.approve(principal, params.id, async (row, acting) => {
          const g = governed.get(row.action as PreparedActionName);
          if (g === undefined) throw new Error(`no governed route for ${row.action}`);
          // The route's own role rule holds at sending as at preparing (its duty is the checker's approval).
          assertRoleFor(g, acting);
          return executeGoverned(g, acting, parseStored(g, approvals.requestOf(row)), { req, res, idempotencyKey });
        }),
    }),
    defineRoute({
      method: "post",
      path: "/v1/prepared-actions/{id}/reject",
      operationId: "rejectPreparedAction",
      summary: "Checker (not its maker): reject a pending prepared action with a reason; nothing is sent",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ORGANISATIONS, duty: "checker" },
      params: PreparedActionParams,
      body: RejectPreparedActionBody,
      response: { status: 200, description: "The rejected action", schema: PreparedActionOut },
      errors: [404, 409],
      handler: async ({ principal, params, body }) => approvals.reject(principal, params.id, body.reason),
    }),
    defineRoute({
      method: "post",
      path: "/v1/prepared-actions/{id}/cancel",
      operationId: "cancelPreparedAction",
      summary: "Its maker: withdraw a pending prepared action; nothing is sent",
      tags: ["approvals"],
      access: { kind: "authenticated", roles: ORGANISATIONS },
      params: PreparedActionParams,
      response: { status: 200, description: "The cancelled action", schema: PreparedActionOut },
      errors: [404, 409],
      handler: async ({ principal, params }) => approvals.cancel(principal, params.id),
    }),
  ];
}
