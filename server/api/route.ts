/**
 * One route = one definition: its zod schemas validate the request, type the handler and generate the
 * OpenAPI document, and its access rule is enforced before the handler runs. Domain folders export
 * arrays of these; `createApp` mounts them and `openapi.ts` documents them, so nothing is declared twice.
 */
import type { Request, Response } from "express";
import { z } from "zod";
import type { AccessRole, Duty, Principal } from "../auth/principal";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** Who may call a route. `public` routes need no credential at all. */
export type Access =
  | { kind: "public" }
  | {
      kind: "authenticated";
      roles: readonly AccessRole[];
      /** Suspended organisations are refused everywhere except routes that say otherwise (e.g. `GET /v1/me`). */
      allowSuspended?: boolean;
      /**
       * The duty an organisation's user needs (issue 12 item 2; the operator and auditors have none).
       * By default reads need none and every other method needs `maker`; `any` opens a write to every
       * duty (signing out, the read-only RPC relay).
       */
      duty?: Duty | "any";
    };

/** The duty an organisation's user needs for a route (undefined: none). */
export function requiredDuty(route: { method: HttpMethod; access: Access }): Duty | undefined {
  if (route.access.kind !== "authenticated") return undefined;
  const duty = route.access.duty ?? (route.method === "get" ? undefined : "maker");
  return duty === "any" ? undefined : duty;
}

export type ZodObjectLike = z.ZodType<Record<string, unknown>>;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Present on every non-public route. */
  principal: Principal;
  /** The `Idempotency-Key` header when the route is `idempotent`. */
  idempotencyKey: string | undefined;
  req: Request;
  res: Response;
}

export interface RouteDefinition<
  P extends ZodObjectLike | undefined = ZodObjectLike | undefined,
  Q extends ZodObjectLike | undefined = ZodObjectLike | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: HttpMethod;
  /** OpenAPI-style path with `{param}` placeholders, always under `/v1` (or `/health`, `/ready`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** The answer carries a secret (a key, a session token): sent with `Cache-Control: no-store`. */
  secret?: boolean;
  /** How the body arrives: JSON (default) or raw bytes (document upload). */
  bodyType?: "json" | "raw";
  /**
   * Writes that send transactions require an `Idempotency-Key` header (`true`); `"optional"` honours
   * one when it is sent (a retry with it replays the stored answer) and runs the request as is without.
   */
  idempotent?: boolean | "optional";
  response: {
    status: number;
    description: string;
    /** Undefined when the handler writes the response itself (CSV, HTML, bytes). */
    schema?: R;
    contentType?: string;
  };
  /** Error statuses this route can answer with, for the document (401/403/400 are added from the access rule). */
  errors?: readonly number[];
  handler: (
    ctx: RouteContext<
      P extends z.ZodType ? z.output<P> : Record<string, never>,
      Q extends z.ZodType ? z.output<Q> : Record<string, never>,
      B extends z.ZodType ? z.output<B> : undefined
    >,
  ) => Promise<R extends z.ZodType ? z.input<R> : void>;
}

/**
 * The loose type every table stores: plain zod schemas, and a handler that takes what they parsed.
 * `defineRoute` keeps each route's handler precisely typed; only `parseRequest`'s output reaches it.
 */
export type AnyRoute = Omit<RouteDefinition, "handler"> & {
  handler: (ctx: RouteContext<unknown, unknown, unknown>) => Promise<unknown>;
};

export function defineRoute<
  P extends ZodObjectLike | undefined = undefined,
  Q extends ZodObjectLike | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(def: RouteDefinition<P, Q, B, R>): AnyRoute {
  return def as unknown as AnyRoute;
}

/**
 * A route that sends one transaction for the caller: a POST by the given roles, an `Idempotency-Key`
 * required (a retry replays the stored answer, and the transaction is never sent twice), answered once
 * the transaction is mined. The write routes differ only in path, schemas, roles and handler.
 */
export function txRoute<
  P extends ZodObjectLike | undefined = undefined,
  Q extends ZodObjectLike | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(def: Omit<RouteDefinition<P, Q, B, R>, "method" | "access" | "idempotent"> & { roles: readonly AccessRole[]; duty?: Duty | "any" }): AnyRoute {
  const { roles, duty, ...rest } = def;
  return defineRoute<P, Q, B, R>({ ...rest, method: "post", access: { kind: "authenticated", roles, ...(duty === undefined ? {} : { duty }) }, idempotent: true });
}

/** Express path (`/v1/receivables/:id`) of an OpenAPI path (`/v1/receivables/{id}`). */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
}

/** A matcher for a route's path, used to tell 405 (known path, other method) from 404. */
export function pathMatcher(path: string): RegExp {
  const pattern = path
    .split(/(\{[A-Za-z0-9_]+\})/)
    .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${pattern}/?$`);
}
