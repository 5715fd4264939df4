/**
 * Per-credential rate limiting: a fixed one-minute window per key, counted in this process. Keyed by
 * the API key behind the request (a session counts against the key it came from) or, before
 * authentication, by the client address. Answers with the IETF RateLimit headers and, when exceeded,
 * `429 RateLimited` with Retry-After. Lean on purpose: it runs on every request.
 *
 * With several API replicas each counts alone (the limit is per replica); put a shared limiter in the
 * reverse proxy when that matters.
 */
import type { RequestHandler } from "express";
import type { Principal } from "../../auth/principal";
import { AppError } from "../../lib/appErrors";

interface Window {
  resetAt: number;
  count: number;
}

export function rateLimit(input: { limit: number; windowMs?: number; now?: () => number }): RequestHandler {
  const windowMs = input.windowMs ?? 60_000;
  const now = input.now ?? Date.now;
  const windows = new Map<string, Window>();
  let sweepAt = now() + windowMs;
  const policy = `${input.limit};w=${Math.round(windowMs / 1000)}`;

  return (req, res, next) => {
    const t = now();
    // Forget finished windows once per window, so idle keys do not accumulate.
    if (t >= sweepAt) {
      for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
      sweepAt = t + windowMs;
    }
    const principal = res.locals.principal as Principal | undefined;
    const key = principal !== undefined ? `cred:${principal.credentialId}` : `ip:${req.ip ?? "unknown"}`;
    let w = windows.get(key);
    if (w === undefined || w.resetAt <= t) {
      w = { resetAt: t + windowMs, count: 0 };
      windows.set(key, w);
    }
    w.count += 1;
    const resetSeconds = Math.max(0, Math.ceil((w.resetAt - t) / 1000));
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", `limit=${input.limit}, remaining=${Math.max(0, input.limit - w.count)}, reset=${resetSeconds}`);
    if (w.count > input.limit) {
      res.setHeader("Retry-After", String(resetSeconds));
      next(new AppError({ code: "RateLimited", status: 429, message: "too many requests; slow down" }));
      return;
    }
    next();
  };
}
