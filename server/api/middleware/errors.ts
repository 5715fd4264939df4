/**
 * The only place errors become HTTP responses: `{ "error": { "code", "message", "details" } }`.
 * Unexpected errors are logged with their stack and answered as a masked 500; nothing from a request's
 * credentials ever reaches the response or the log line.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { AppError, InternalError, ValidationError } from "../../lib/appErrors";

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Errors raised by Express's own body parsers (`http-errors` shaped). */
function fromParserError(err: unknown): AppError | undefined {
  if (err === null || typeof err !== "object") return undefined;
  const type = (err as { type?: unknown }).type;
  if (type === "entity.too.large") {
    return new AppError({ code: "PayloadTooLarge", status: 413, message: "request body too large" });
  }
  if (type === "entity.parse.failed") {
    return new ValidationError("request body is not valid JSON", [
      { field: "body", message: "malformed JSON", code: "invalid_json" },
    ]);
  }
  if (type === "charset.unsupported" || type === "encoding.unsupported") {
    return new AppError({ code: "UnsupportedEncoding", status: 415, message: "unsupported body encoding" });
  }
  return undefined;
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = err instanceof AppError ? err : (fromParserError(err) ?? new InternalError("internal error", err));
    if (appError.status >= 500) {
      logger.error({ err: appError.cause ?? appError, reqId: res.locals.reqId }, "request failed");
    }
    res.locals.errorCode = appError.code;
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: ErrorBody = {
      error: {
        code: appError.code,
        message: appError.expose ? appError.message : "internal error",
        ...(appError.details === undefined || !appError.expose ? {} : { details: appError.details }),
      },
    };
    res.status(appError.status).json(body);
    void req;
  };
}

/** Unknown paths answer 404; known paths with another method answer 405 with an `Allow` header. */
export function notFoundMiddleware(known: readonly { method: string; matcher: RegExp }[]): RequestHandler {
  return (req, res, next) => {
    const allowed = known.filter((r) => r.matcher.test(req.path)).map((r) => r.method.toUpperCase());
    if (allowed.length > 0) {
      const allow = [...new Set(allowed.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])))];
      res.setHeader("Allow", allow.join(", "));
      next(
        new AppError({
          code: "MethodNotAllowed",
          status: 405,
          message: `${req.method} is not allowed on ${req.path}`,
          details: { allowed: allow },
        }),
      );
      return;
    }
    next(new AppError({ code: "RouteNotFound", status: 404, message: `no route ${req.method} ${req.path}` }));
  };
}
