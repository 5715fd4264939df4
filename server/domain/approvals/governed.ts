/**
 * The writes a threshold governs (issue 12 item 2), declared once: which route, what its amount is,
 * in which currency. `governRoutes` wraps those routes so that a maker alone cannot send above its
 * organisation's threshold (403 ApprovalRequired, nothing sent), and keeps the unwrapped handlers for
 * sending an approved prepared action: the same handler, the same validated request.
 */
import { z } from "zod";
import type { AnyRoute } from "../../api/route";
import type { OrganisationPrincipal, Principal } from "../../auth/principal";
import { ForbiddenError, InternalError } from "../../lib/appErrors";
import { parseRequest } from "../../api/validation";
import type { FinancingService } from "../financing/service";
import type { InvoiceService } from "../invoices/service";
import type { ReceivableService } from "../receivables/service";
import { requestText, type ApprovalService, type GovernedInput } from "./service";
import type { PreparedActionName, ThresholdKind } from "./schemas";

export interface GovernedSpec {
  action: PreparedActionName;
  kind: ThresholdKind;
  /** The route it governs. */
  operationId: string;
  /** What the threshold compares, read the way the route itself reads it (so an object the caller may not see is 404 here too). */
  amountOf(principal: Principal, input: GovernedInput): Promise<{ currency: string; amount: bigint }>;
}

export function governedSpecs(services: { invoices: InvoiceService; receivables: ReceivableService; financing: FinancingService }): GovernedSpec[] {
  const { invoices, receivables, financing } = services;
  return [
    {
      action: "invoice.confirm",
      kind: "CONFIRMATION",
      operationId: "confirmInvoice",
      amountOf: async (principal, { params, query }) => {
        const invoice = await invoices.get(principal, params.invoiceHash as string, query.supplier as string | undefined);
        return { currency: invoice.currency, amount: BigInt(invoice.amount) };
      },
    },
    {
      action: "receivable.transfer",
      kind: "TRANSFER",
      operationId: "transferReceivable",
      amountOf: async (principal, { params, body }) => ({ currency: (await receivables.get(principal, params.id as bigint)).currency, amount: (body as { amount: bigint }).amount }),
    },
    {
      action: "quote.submit",
      kind: "QUOTE",
      operationId: "submitQuote",
      amountOf: async (principal, { params, body }) => ({ currency: (await financing.getRequest(principal, params.id as string)).currency, amount: (body as { advance: bigint }).advance }),
    },
    {
      action: "quote.revise",
      kind: "QUOTE",
      operationId: "reviseQuote",
      amountOf: async (principal, { params, body }) => ({ currency: (await financing.getQuote(principal, params.id as string)).currency, amount: (body as { advance: bigint }).advance }),
    },
    {
      action: "settlement.deposit",
      kind: "DEPOSIT",
      operationId: "depositRepayment",
      amountOf: async (_principal, { body }) => body as { currency: string; amount: bigint },
    },
  ];
}

/** A governed action with the route it sends through, unwrapped. */
export interface Governed {
  spec: GovernedSpec;
  route: AnyRoute;
  /** The request schema of this action in `POST /v1/prepared-actions`: the route's own params, query and body. */
  schema: z.ZodObject;
}

function schemaOf(spec: GovernedSpec, route: AnyRoute): z.ZodObject {
  return z.object({
    action: z.literal(spec.action),
    ...(route.params === undefined ? {} : { params: route.params }),
    // As on the route, an absent query or body reads as an empty one.
    ...(route.query === undefined ? {} : { query: route.query.prefault({}) }),
    ...(route.body === undefined ? {} : { body: route.body.prefault({}) }),
  });
}

export interface GovernedRoutes {
  routes: AnyRoute[];
  governed: Map<PreparedActionName, Governed>;
}

/**
 * Wraps the governed routes: before the handler runs, a request by an organisation's user whose amount
 * is above its organisation's threshold is refused (403 ApprovalRequired, with the threshold): it must
 * be prepared for a checker instead.
 */
export function governRoutes(routes: readonly AnyRoute[], specs: readonly GovernedSpec[], approvals: ApprovalService): GovernedRoutes {
  const governed = new Map<PreparedActionName, Governed>();
  const out = routes.map((route) => {
    const spec = specs.find((s) => s.operationId === route.operationId);
    if (spec === undefined) return route;
    governed.set(spec.action, { spec, route, schema: schemaOf(spec, route) });
    return {
      ...route,
      errors: [...new Set([...(route.errors ?? []), 403])],
      description: `${route.description ?? ""}${route.description === undefined ? "" : " "}Above the organisation's ${spec.kind} threshold a maker alone is refused 403 ApprovalRequired: prepare it (POST /v1/prepared-actions, action \`${spec.action}\`) for a checker to approve.`,
      handler: async (c: Parameters<AnyRoute["handler"]>[0]) => {
        const principal = c.principal;
        // Only an organisation with thresholds of this kind pays for reading the amount.
        const thresholds = principal.kind === "ORGANISATION" ? await approvals.thresholdsOf(principal.organisation, spec.kind) : new Map<string, bigint>();
        if (thresholds.size > 0) {
          const input = { params: c.params as Record<string, unknown>, query: c.query as Record<string, unknown>, body: c.body };
          const { currency, amount } = await spec.amountOf(principal, input);
          const threshold = thresholds.get(currency.toLowerCase());
          if (threshold !== undefined && amount > threshold) {
            throw new ForbiddenError("ApprovalRequired", `above your organisation's ${spec.kind.toLowerCase()} threshold a checker other than its maker must approve this: prepare it with POST /v1/prepared-actions`, {
              action: spec.action,
              currency: currency.toLowerCase(),
              amount: amount.toString(),
              threshold: threshold.toString(),
            });
          }
        }
        return route.handler(c);
      },
    };
  });
  for (const spec of specs) if (!governed.has(spec.action)) throw new Error(`governed route ${spec.operationId} is not among the domain's routes`);
  return { routes: out, governed };
}

/**
 * Re-reads a stored request with the route's own schemas: what the checker approved is parsed as the
 * route would parse it. A stored request that no longer parses, or parses to something else, is refused
 * rather than sent.
 */
export function parseStored(g: Governed, stored: unknown): GovernedInput {
  const raw = stored as { params?: unknown; query?: unknown; body?: unknown };
  let parsed;
  try {
    parsed = parseRequest({ params: g.route.params, query: g.route.query, body: g.route.body }, { params: raw.params ?? {}, query: raw.query ?? {}, body: raw.body ?? undefined });
  } catch (err) {
    throw new InternalError("a stored prepared action no longer parses", err);
  }
  return { params: parsed.params as Record<string, unknown>, query: parsed.query as Record<string, unknown>, body: parsed.body };
}

/** Checks that a request survives being stored: parsed again, it is the same request. */
export function assertStable(g: Governed, input: GovernedInput): void {
  const text = requestText(input);
  const again = parseStored(g, JSON.parse(text));
  if (requestText(again) !== text) throw new InternalError(`the ${g.spec.action} request does not survive storage unchanged`);
}

/** Runs an action's route handler (unwrapped: the checker's approval is the threshold's answer) as `principal`. */
export function executeGoverned(g: Governed, principal: OrganisationPrincipal, input: GovernedInput, http: Pick<Parameters<AnyRoute["handler"]>[0], "req" | "res" | "idempotencyKey">): Promise<unknown> {
  return g.route.handler({ ...input, principal, ...http });
}

/** The route's role rule for a prepared action (a supplier cannot prepare a confirmation). */
export function assertRoleFor(g: Governed, principal: Principal): void {
  if (g.route.access.kind !== "authenticated") return;
  const role = principal.kind === "ORGANISATION" ? principal.role : principal.kind;
  if (!(g.route.access.roles as readonly string[]).includes(role)) {
    throw new ForbiddenError("RoleNotAllowed", `${g.spec.action} is not open to ${role}`, { allowed: g.route.access.roles });
  }
}

