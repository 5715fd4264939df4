/**
 * Builds the Express application from route definitions and the infrastructure they need, without
 * listening on a port (tests drive it with supertest; `server/main.ts` listens). The order of the
 * middleware is the security story: id and log first, headers, CORS, size-limited parsing, then per
 * route: the client address's rate limit → authenticate (failures count against the address) → the
 * CSRF token of a write authenticated by the session cookie (before the next step, so a forged request
 * cannot spend its victim's budget) → the credential's rate limit → role guard → validate → idempotency
 * → handler; errors are mapped once.
 */
import { createHash } from "node:crypto";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import { CSRF_HEADER, csrfTokenMatches, sessionCookieOf } from "../auth/cookies";
import { runAsPrincipal } from "../auth/actor";
import { accessRoleOf, type Principal } from "../auth/principal";
import { AppError, ForbiddenError, ValidationError } from "../lib/appErrors";
import { toJson } from "../lib/encode";
import type { ApiConfig } from "../config/api";
import { errorMiddleware, notFoundMiddleware } from "./middleware/errors";
import { memoryRateLimitStore, rateLimiter, type RateLimitStore } from "./middleware/rateLimit";
import { cors, requestContext } from "./middleware/requestContext";
import { expressPath, pathMatcher, requiredDuty, type AnyRoute } from "./route";
import { JsonText, stringify } from "./json";
import { parseRequest } from "./validation";
import { IDEMPOTENCY_KEY_PATTERN } from "./schemas";
import { runInRequestScope, type RequestScope } from "../signing/requestScope";

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
  /** Stores a successful answer, with the block of the last transaction it reports (checked on replay). */
  complete(input: { scope: string; key: string; status: number; body: unknown; block?: { number: number; hash: string } }): Promise<void>;
  /** Marks a request that failed after sending a transaction: the next retry takes it over and resumes. */
  interrupt(input: { scope: string; key: string }): Promise<void>;
  /** Forgets a key whose request failed (nothing stored: a retry is judged again, resuming what was sent). */
  abandon(input: { scope: string; key: string }): Promise<void>;
}

export interface HttpAppOptions {
  config: ApiConfig;
  logger: Logger;
  routes: readonly AnyRoute[];
  authenticator: Authenticator;
  idempotency: IdempotencyStore;
  /** Where rate-limit windows are counted: shared by all API processes on PostgreSQL; memory by default. */
  rateLimitStore?: RateLimitStore;
  /** Serves the web app (static files) for what no API route matches; see `./web.ts`. */
  web?: express.RequestHandler;
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

/**
 * helmet's headers, worked out once: its defaults depend on nothing in the request, so they are
 * recorded from one run of helmet and replayed on every response (helmet runs a dozen middleware
 * functions per request otherwise). Falls back to helmet itself if a run did not complete at once.
 */
function securityHeaders(): express.RequestHandler {
  const middleware = helmet();
  const set: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  let completed = false;
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, value]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  middleware({} as Request, recorder as unknown as Response, (err?: unknown) => {
    completed = err === undefined;
  });
  if (!completed) return middleware;
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

const IDEMPOTENCY_KEY = IDEMPOTENCY_KEY_PATTERN;
/** Methods that change nothing: a cookie-authenticated request needs no CSRF token for them. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The credential of a request and where it came from: a header (`Authorization`, `X-API-Key`) wins;
 * otherwise the browser session cookie. Handlers that end or describe the session read it from here.
 */
export function requestCredential(res: Response): { token: string; viaCookie: boolean } | undefined {
  return res.locals.credential as { token: string; viaCookie: boolean } | undefined;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const { config, logger, routes, authenticator, idempotency, web } = options;
  const app = express();
  app.disable("x-powered-by");
  // No ETags: hashing every JSON body costs more than the revalidations it would save on an API.
  app.set("etag", false);
  // A hop count or the proxies' addresses, never `true`: trusting every hop would let a client name its
  // own address in X-Forwarded-For and step around the per-address limit.
  app.set("trust proxy", config.API_TRUST_PROXY);
  app.set("query parser", "simple");

  app.use(requestContext(logger));
  app.use(securityHeaders());
  app.use(cors(config.API_CORS_ORIGINS));

  const jsonParser = express.json({ limit: config.API_BODY_LIMIT_BYTES, strict: true, type: "application/json" });
  const rawParser = express.raw({ limit: config.API_DOCUMENT_LIMIT_BYTES, type: () => true });

  // One limiter for all routes: per client address before and without credentials, per credential (API
  // key or the key behind a session) after authentication (see middleware/rateLimit.ts).
  const limiter = rateLimiter({ limit: config.API_RATE_LIMIT_PER_MINUTE, store: options.rateLimitStore ?? memoryRateLimitStore() });

  /** The role guard of an authenticated route: the error to answer with, if any. */
  function refusal(route: AnyRoute, access: Extract<AnyRoute["access"], { kind: "authenticated" }>, principal: Principal): ForbiddenError | undefined {
    if (principal.kind === "ORGANISATION" && !principal.active && access.allowSuspended !== true) {
      return new ForbiddenError("OrganisationSuspended", "the organisation is suspended");
    }
    if (!access.roles.includes(accessRoleOf(principal))) {
      return new ForbiddenError("RoleNotAllowed", `this route is not open to ${accessRoleOf(principal)}`, { allowed: access.roles });
    }
    // Inside an organisation, the user's duties (issue 12 item 2): a viewer reads, a maker writes, a
    // checker approves, an admin manages users, keys and thresholds.
    const duty = requiredDuty(route);
    if (duty !== undefined && principal.kind === "ORGANISATION" && !principal.user.duties.includes(duty)) {
      return new ForbiddenError("DutyRequired", `this needs the ${duty} duty, which your user does not hold`, { required: duty, duties: principal.user.duties });
    }
    return undefined;
  }

  for (const route of routes) {
    const access = route.access;
    const parser = route.body === undefined ? undefined : route.bodyType === "raw" ? rawParser : jsonParser;
    // One Express handler per route running authenticate → rate limit → role guard → body parser →
    // handler in that order (each step's error goes to the error middleware): a chain of separate
    // handlers cost a router dispatch per step on every request.
    const afterAccess = (req: Request, res: Response, next: NextFunction) => {
      if (parser === undefined) {
        void runHandler(route, req, res).catch(next);
        return;
      }
      parser(req, res, (err?: unknown) => {
        if (err !== undefined && err !== null) next(err);
        else void runHandler(route, req, res).catch(next);
      });
    };
    const handler: express.RequestHandler = (req, res, next) => {
      res.locals.routeTemplate = route.path;
      // Never kept by a browser or a proxy: the answer (or its error) concerns a secret.
      if (route.secret === true) res.setHeader("Cache-Control", "no-store");
      // An address that used up its budget is refused before its credentials are even looked at.
      const early = limiter.refusedAddress(req, res);
      if (early !== undefined) {
        next(early);
        return;
      }
      if (access.kind !== "authenticated") {
        limiter.countAddress(req, res).then((limited) => (limited !== undefined ? next(limited) : afterAccess(req, res, next)), next);
        return;
      }
      const header = credentialOf(req);
      const cookie = header === undefined ? sessionCookieOf(req) : undefined;
      const token = header ?? cookie;
      authenticator.authenticate(token).then(
        (principal) => {
          // A write authenticated by the browser's cookie must prove it comes from our own page.
          if (cookie !== undefined && !SAFE_METHODS.has(req.method) && !csrfTokenMatches(cookie, req.get(CSRF_HEADER))) {
            next(new ForbiddenError("CsrfTokenInvalid", "a write authenticated by the session cookie needs its X-CSRF-Token header"));
            return;
          }
          res.locals.principal = principal;
          res.locals.credential = { token: token ?? "", viaCookie: cookie !== undefined };
          limiter.countCredential(principal.credentialId, res).then((limited) => {
            if (limited !== undefined) {
              next(limited);
              return;
            }
            const refused = refusal(route, access, principal);
            if (refused !== undefined) next(refused);
            else afterAccess(req, res, next);
          }, next);
        },
        // Failed credentials count against the client address; the one over its budget answers 429.
        (err: unknown) => limiter.countAddress(req, res).then((limited) => next(limited ?? err), next),
      );
    };
    app[route.method](expressPath(route.path), handler);
  }

  /** Runs a route's handler as its principal (what the audit log names; see auth/actor.ts). */
  function runHandler(route: AnyRoute, req: Request, res: Response): Promise<void> {
    const principal = res.locals.principal as Principal | undefined;
    return principal === undefined ? handle(route, req, res) : runAsPrincipal(principal, () => handle(route, req, res));
  }

  async function handle(route: AnyRoute, req: Request, res: Response): Promise<void> {
    // A request with no body at all (`curl -X POST`: no type, no length or a zero one) reads as `{}`.
    const length = req.get("content-length");
    const empty = req.get("content-type") === undefined && req.get("transfer-encoding") === undefined && (length === undefined || length === "0");
    if (route.body !== undefined && route.bodyType !== "raw" && !empty && !req.is("application/json")) {
      throw new AppError({ code: "UnsupportedMediaType", status: 415, message: "send the body as application/json" });
    }
    const parsed = parseRequest(
      { params: route.params, query: route.query, body: route.bodyType === "raw" ? undefined : route.body },
      // req.query is a getter that parses the query string: touched only by routes that have one.
      // An empty request suits a route whose fields are all optional; otherwise the missing ones are named.
      { params: req.params, query: route.query === undefined ? undefined : req.query, body: empty ? {} : req.body },
    );
    const body = route.bodyType === "raw" ? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)) : parsed.body;
    const principal = res.locals.principal as Principal;
    let idempotencyKey: string | undefined;
    if (route.idempotent === true || (route.idempotent === "optional" && req.get("idempotency-key") !== undefined)) {
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
      const sendScope: RequestScope = { idempotency: { scope, key: idempotencyKey }, sent: [] };
      try {
        const key = idempotencyKey;
        const result = await runInRequestScope(sendScope, () => route.handler({ params: parsed.params, query: parsed.query, body, principal, idempotencyKey: key, req, res }));
        // The stored answer is replayed through sendJson, which needs a value, not a JsonText.
        const stored: unknown = result instanceof JsonText ? JSON.parse(result.text) : result;
        const last = sendScope.sent.filter((t) => t.blockNumber !== undefined).sort((a, b) => (a.blockNumber as number) - (b.blockNumber as number)).pop();
        await idempotency.complete({
          scope,
          key: idempotencyKey,
          status: route.response.status,
          body: stored,
          ...(last === undefined ? {} : { block: { number: last.blockNumber as number, hash: last.blockHash as string } }),
        });
        sendJson(res, route.response.status, result);
      } catch (err) {
        // Failures are not stored (a client error depends on state that may change). A request that
        // already sent a transaction and then failed on our side is INTERRUPTED: its transactions stay
        // bound to the key, and the next retry resumes after them instead of sending them again.
        const serverSide = !(err instanceof AppError && err.status < 500);
        if (serverSide && sendScope.sent.length > 0) await idempotency.interrupt({ scope, key: idempotencyKey });
        else await idempotency.abandon({ scope, key: idempotencyKey });
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

  if (web !== undefined) app.use(web);
  app.use(notFoundMiddleware(routes.map((r) => ({ method: r.method, matcher: pathMatcher(r.path) }))));
  app.use(errorMiddleware(logger));
  return app;
}
