/**
 * Builds the Express application from route definitions and the infrastructure they need, without
 * listening on a port (tests drive it with supertest; `server/main.ts` listens). The order of the
 * middleware is the security story: id and log first, headers, CORS, size-limited parsing, then per
 * route: authenticate → rate limit → role guard → validate → idempotency → handler; errors are mapped once.
 */
import { createHash } from "node:crypto";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import { accessRoleOf, type Principal } from "../auth/principal";
import { AppError, ForbiddenError, ValidationError } from "../lib/appErrors";
import { toJson } from "../lib/encode";
import type { ApiConfig } from "../config/api";
import { errorMiddleware, notFoundMiddleware } from "./middleware/errors";
import { rateLimit } from "./middleware/rateLimit";
import { cors, requestContext } from "./middleware/requestContext";
import { expressPath, pathMatcher, type AnyRoute } from "./route";
import { JsonText, stringify } from "./json";
import { parseRequest } from "./validation";

/** Resolves the credential of a request into a principal, or throws `UnauthorizedError`. */
export interface Authenticator {
  authenticate(credential: string | undefined): Promise<Principal>;
}

export type IdempotencyBegin =
  | { state: "new" }
  | { state: "pending" }
  | { state: "mismatch" }
  | { state: "done"; status: number; body: unknown };

/** Remembers the answer to each (credential scope, Idempotency-Key) so a retry never sends a second transaction. */
export interface IdempotencyStore {
  begin(input: { scope: string; key: string; fingerprint: string }): Promise<IdempotencyBegin>;
  complete(input: { scope: string; key: string; status: number; body: unknown }): Promise<void>;
  /** Forgets a key whose request failed before anything irreversible happened, so it may be retried. */
  abandon(input: { scope: string; key: string }): Promise<void>;
}

export interface HttpAppOptions {
  config: ApiConfig;
  logger: Logger;
  routes: readonly AnyRoute[];
  authenticator: Authenticator;
  idempotency: IdempotencyStore;
}

/** The credential of a request: `Authorization: Bearer <token>` or `X-API-Key: <key>`. */
export function credentialOf(req: Request): string | undefined {
  const header = req.get("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ?? "";
  }
  return req.get("x-api-key");
}

/**
 * Writes a JSON answer straight to Node's response (Express's `send` would sniff types and check
 * freshness on every call). Bigint-safe: handlers return decimal strings for chain values, and a stray
 * bigint (which makes plain stringify throw) falls back to the encoder. A `JsonText` (serialised by the
 * database) is written as it is.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const text = body instanceof JsonText ? body.text : stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function createHttpApp(options: HttpAppOptions): Express {
  const { config, logger, routes, authenticator, idempotency } = options;
  const app = express();
  app.disable("x-powered-by");
  // No ETags: hashing every JSON body costs more than the revalidations it would save on an API.
  app.set("etag", false);
  app.set("trust proxy", config.API_TRUST_PROXY);
  app.set("query parser", "simple");

  app.use(requestContext(logger));
  app.use(helmet());
  app.use(cors(config.API_CORS_ORIGINS));

  const jsonParser = express.json({ limit: config.API_BODY_LIMIT_BYTES, strict: true, type: "application/json" });
  const rawParser = express.raw({ limit: config.API_DOCUMENT_LIMIT_BYTES, type: () => true });

  // One limiter for all routes, keyed by credential (API key or the key behind a session), or by client
  // address before authentication.
  const limiter = rateLimit({ limit: config.API_RATE_LIMIT_PER_MINUTE });

  for (const route of routes) {
    const handlers: express.RequestHandler[] = [];
    handlers.push((_req, res, next) => {
      res.locals.routeTemplate = route.path;
      next();
    });
    if (route.access.kind === "authenticated") {
      const access = route.access;
      handlers.push((req, res, next) => {
        authenticator
          .authenticate(credentialOf(req))
          .then((principal) => {
            res.locals.principal = principal;
            next();
          })
          .catch(next);
      });
      handlers.push(limiter);
      handlers.push((_req, res, next) => {
        const principal = res.locals.principal as Principal;
        if (principal.kind === "ORGANISATION" && !principal.active && access.allowSuspended !== true) {
          next(new ForbiddenError("OrganisationSuspended", "the organisation is suspended"));
          return;
        }
        if (!access.roles.includes(accessRoleOf(principal))) {
          next(new ForbiddenError("RoleNotAllowed", `this route is not open to ${accessRoleOf(principal)}`, { allowed: access.roles }));
          return;
        }
        next();
      });
    } else {
      handlers.push(limiter);
    }
    if (route.body !== undefined) handlers.push(route.bodyType === "raw" ? rawParser : jsonParser);

    handlers.push((req: Request, res: Response, next: NextFunction) => {
      void runHandler(route, req, res).catch(next);
    });
    app[route.method](expressPath(route.path), ...handlers);
  }

  async function runHandler(route: AnyRoute, req: Request, res: Response): Promise<void> {
    if (route.body !== undefined && route.bodyType !== "raw" && !req.is("application/json")) {
      throw new AppError({ code: "UnsupportedMediaType", status: 415, message: "send the body as application/json" });
    }
    const parsed = parseRequest(
      { params: route.params, query: route.query, body: route.bodyType === "raw" ? undefined : route.body },
      { params: req.params, query: req.query, body: req.body },
    );
    const body = route.bodyType === "raw" ? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)) : parsed.body;
    const principal = res.locals.principal as Principal;
    let idempotencyKey: string | undefined;
    if (route.idempotent === true) {
      idempotencyKey = req.get("idempotency-key");
      if (idempotencyKey === undefined || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new ValidationError("an Idempotency-Key header (8-128 characters of [A-Za-z0-9._:-]) is required", [
          { field: "headers.idempotency-key", message: "required", code: "invalid_type" },
        ]);
      }
      // The scope is the organisation (or server role), so two users of one organisation share keys
      // and two organisations can never collide or read each other's answers.
      const scope = principal.kind === "ORGANISATION" ? principal.organisation : principal.kind;
      const fingerprint = createHash("sha256")
        .update(`${route.method} ${req.path}\n`)
        .update(Buffer.isBuffer(body) ? body : toJson(body ?? null))
        .digest("hex");
      const begun = await idempotency.begin({ scope, key: idempotencyKey, fingerprint });
      if (begun.state === "done") {
        res.setHeader("Idempotent-Replayed", "true");
        sendJson(res, begun.status, begun.body);
        return;
      }
      if (begun.state === "pending") {
        throw new AppError({ code: "IdempotencyInProgress", status: 409, message: "a request with this Idempotency-Key is still being processed" });
      }
      if (begun.state === "mismatch") {
        throw new AppError({ code: "IdempotencyKeyReused", status: 422, message: "this Idempotency-Key was used for a different request" });
      }
      try {
        const result = await route.handler({ params: parsed.params, query: parsed.query, body, principal, idempotencyKey, req, res });
        // The stored answer is replayed through sendJson, which needs a value, not a JsonText.
        const stored: unknown = result instanceof JsonText ? JSON.parse(result.text) : result;
        await idempotency.complete({ scope, key: idempotencyKey, status: route.response.status, body: stored });
        sendJson(res, route.response.status, result);
      } catch (err) {
        // A client error is a final answer (a retry would fail the same way); a server error may have
        // happened before anything was sent, so the key is released for a retry. Use cases that send
        // transactions are themselves safe to repeat on chain (an invoice confirms once, a quote's nonce once).
        if (err instanceof AppError && err.status < 500) {
          await idempotency.complete({
            scope,
            key: idempotencyKey,
            status: err.status,
            body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } },
          });
        } else {
          await idempotency.abandon({ scope, key: idempotencyKey });
        }
        throw err;
      }
      return;
    }
    const result = await route.handler({ params: parsed.params, query: parsed.query, body, principal, idempotencyKey, req, res });
    // A handler may answer itself (a 503 from /ready, an HTML page, a CSV file).
    if (res.headersSent) return;
    if (route.response.schema === undefined) {
      if (!res.headersSent) res.status(route.response.status).end();
      return;
    }
    sendJson(res, route.response.status, result);
  }

  app.use(notFoundMiddleware(routes.map((r) => ({ method: r.method, matcher: pathMatcher(r.path) }))));
  app.use(errorMiddleware(logger));
  return app;
}
