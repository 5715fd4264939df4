/**
 * Webhook signatures, as Stripe and GitHub sign theirs: HMAC-SHA256 with the subscription's secret over
 * `<unix seconds>.<raw body>`, sent as `Ledgerline-Signature: t=<unix seconds>,v1=<hex>`. Signing the
 * timestamp with the body lets a receiver refuse a replayed delivery (older than its window, 5 minutes by
 * default) as well as a forged one. The key is the secret's text as UTF-8 (`whsec_…`, shown once).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Ledgerline-Signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new subscription secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  const v1 = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`, "utf8").digest("hex");
  return `t=${timestampSeconds},v1=${v1}`;
}

/**
 * What a receiver does (the demo receiver of `npm start` uses it): true when some `v1` in the header is
 * the HMAC of `t.body` and `t` is within `toleranceSeconds` of now.
 */
export function verifySignature(input: { secret: string; header: string | undefined; body: string; nowSeconds: number; toleranceSeconds?: number }): boolean {
  if (input.header === undefined) return false;
  const parts = input.header.split(",").map((p) => p.trim().split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isSafeInteger(t) || Math.abs(input.nowSeconds - t) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signatureHeader(input.secret, t, input.body).split("v1=")[1]!, "hex");
  return parts.some(([k, v]) => k === "v1" && v !== undefined && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, "hex"), expected));
}
