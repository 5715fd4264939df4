/**
 * API keys and session tokens: `llk_<id>_<secret>` and `lls_<id>_<secret>`. The id finds the row; only
 * SHA-256 of the 256-bit random secret is stored, compared in constant time. A slow password hash is not
 * needed for secrets of this entropy, and a fast one keeps per-request authentication cheap.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export type CredentialKind = "apiKey" | "session";

const PREFIX: Record<CredentialKind, string> = { apiKey: "llk", session: "lls" };
const SHAPE = /^(llk|lls)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewCredential {
  id: string;
  /** The whole credential, shown to its owner once and never stored. */
  token: string;
  secretHash: string;
}

export function newCredential(kind: CredentialKind): NewCredential {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { id, token: `${PREFIX[kind]}_${id}_${secret}`, secretHash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export interface ParsedCredential {
  kind: CredentialKind;
  id: string;
  secret: string;
}

export function parseCredential(token: string): ParsedCredential | undefined {
  const match = SHAPE.exec(token);
  if (match === null) return undefined;
  return { kind: match[1] === "llk" ? "apiKey" : "session", id: match[2] as string, secret: match[3] as string };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), "hex");
  const expected = Buffer.from(storedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
