/**
 * The one HTTP client of the web app: openapi-fetch typed by the API's OpenAPI document
 * (`schema.d.ts`, generated). The session lives in an httpOnly cookie the page cannot read; writes carry
 * the session's CSRF token, kept in memory only. Components never call this directly: each feature's
 * query-hook module does (see STYLE.md).
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

let csrfToken: string | undefined;

/** Remembers (or forgets) the CSRF token of the current cookie session. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The CSRF header a cookie-authenticated write carries, for requests made outside this client (ethers' JSON-RPC). */
export function csrfHeader(): Record<string, string> {
  return csrfToken === undefined ? {} : { "X-CSRF-Token": csrfToken };
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken !== undefined && request.method !== "GET" && request.method !== "HEAD") request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "", credentials: "same-origin" });
api.use(csrf);

/** An error the API answered with: `{ error: { code, message, details } }`, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The fields a validation failure names (`body.amount` → `amount`), with their messages. */
  fieldErrors(): Record<string, string> {
    const fields = (this.details as { fields?: { field: string; message: string }[] } | undefined)?.fields ?? [];
    return Object.fromEntries(fields.map((f) => [f.field.replace(/^(body|query|params)\./, ""), f.message]));
  }
}

/** The data of an openapi-fetch answer, or an `ApiError` carrying the API's code. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch (err) {
    throw new ApiError(0, "NetworkError", err instanceof Error ? err.message : String(err));
  }
  if (answer.response.ok) return answer.data as T;
  const body = answer.error as { error?: { code?: string; message?: string; details?: unknown } } | undefined;
  throw new ApiError(answer.response.status, body?.error?.code ?? `Http${answer.response.status}`, body?.error?.message ?? answer.response.statusText, body?.error?.details);
}

/** A fresh Idempotency-Key for one user action (a retry of the same action reuses it). */
export function newIdempotencyKey(): string {
  return `web-${crypto.randomUUID()}`;
}
