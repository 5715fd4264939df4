/**
 * Request id and the one structured log line per request: id, method, route template, organisation,
 * status, duration. Deliberately never logs headers, query strings or bodies, which may carry API keys,
 * session tokens or signatures.
 */
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import type { Principal } from "../../auth/principal";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    const reqId = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.reqId = reqId;
    res.setHeader("X-Request-Id", reqId);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const principal = res.locals.principal as Principal | undefined;
      logger.info(
        {
          reqId,
          method: req.method,
          // The route template (`/v1/receivables/{id}`), not the raw URL with its query string.
          route: (res.locals.routeTemplate as string | undefined) ?? "unmatched",
          status: res.statusCode,
          durationMs: Math.round(durationMs * 100) / 100,
          org: principal === undefined ? undefined : principal.kind === "ORGANISATION" ? principal.organisation : principal.kind,
          credential: principal?.credentialId,
          errorCode: res.locals.errorCode as string | undefined,
        },
        "request",
      );
    });
    next();
  };
}

/** CORS closed by default: only origins listed in the configuration get CORS headers at all. */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.get("origin");
    if (origin === undefined || !allowed.has(origin)) {
      if (req.method === "OPTIONS" && origin !== undefined) {
        res.status(403).json({ error: { code: "CorsOriginDenied", message: "origin not allowed" } });
        return;
      }
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Vary", "Origin");
    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-API-Key");
      res.setHeader("Access-Control-Max-Age", "600");
      res.status(204).end();
      return;
    }
    next();
  };
}
