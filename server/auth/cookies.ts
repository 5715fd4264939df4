/**
 * Browser sessions: a session token kept in an httpOnly, SameSite=Strict cookie (never readable by the
 * page's scripts, never sent by another site), and the CSRF token that every cookie-authenticated write
 * must carry in `X-CSRF-Token`. The CSRF token is derived from the session's secret token (SHA-256 with a
 * fixed label): a page of another origin can neither read the cookie nor compute the token, and nothing
 * extra is stored. Header-authenticated calls (API keys, bearer sessions) are not affected.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";
import { parseCredential } from "./credentials";

export const SESSION_COOKIE = "ll_session";
export const CSRF_HEADER = "x-csrf-token";

/** The session token carried by the request's cookie, if it holds one that is shaped like a session. */
export function sessionCookieOf(req: Request): string | undefined {
  const header = req.get("cookie");
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // Only session tokens ever go into the cookie; anything else (an API key pasted in) is ignored.
    return parseCredential(value)?.kind === "session" ? value : "";
  }
  return undefined;
}

export function csrfTokenOf(sessionToken: string): string {
  return createHash("sha256").update(`ledgerline-csrf\0${sessionToken}`).digest("base64url");
}

/** Whether `presented` is the CSRF token of `sessionToken` (compared in constant time). */
export function csrfTokenMatches(sessionToken: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenOf(sessionToken));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Sets the session cookie: httpOnly, SameSite=Strict, the whole site, Secure when served over HTTPS. */
export function setSessionCookie(req: Request, res: Response, token: string, expiresAt: string): void {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  const secure = req.secure ? "; Secure" : "";
  res.append("Set-Cookie", `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`);
}

export function clearSessionCookie(req: Request, res: Response): void {
  const secure = req.secure ? "; Secure" : "";
  res.append("Set-Cookie", `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`);
}
