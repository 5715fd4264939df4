/**
 * The API's own environment variables, parsed once by zod at start-up. A bad value stops the server with
 * a message naming the variable (never echoing a secret's value).
 */
import { isIP } from "node:net";
import { z } from "zod";
import { ConfigError } from "./env";

const positiveInt = z.coerce.number().int().positive();

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);
const isProxyAddress = (entry: string) => {
  if (PROXY_NAMES.has(entry)) return true;
  const [ip, bits, ...rest] = entry.split("/");
  if (rest.length > 0 || ip === undefined || isIP(ip) === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(ip) === 4 ? 32 : 128);
};

/** Express's `trust proxy` as a hop count (false for none) or a list of trusted proxy addresses. */
const trustProxy = z.string().transform((raw, ctx): false | number | string[] => {
  const v = raw.trim().toLowerCase();
  if (v === "false" || v === "no" || v === "0") return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v === "true" || v === "yes") {
    ctx.addIssue({ code: "custom", message: 'must be a hop count or the proxies\' addresses; "true" would trust every hop, so any client could choose its own address' });
    return z.NEVER;
  }
  const entries = v.split(",").map((e) => e.trim()).filter((e) => e !== "");
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({ code: "custom", message: "must be a hop count, or comma-separated proxy addresses (IP, CIDR, loopback, linklocal, uniquelocal)" });
    return z.NEVER;
  }
  return entries;
});

const ApiEnvSchema = z.object({
  API_HOST: z.string().min(1).default("127.0.0.1"),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Comma-separated origins allowed by CORS; empty (the default) allows no cross-origin caller. */
  API_CORS_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o !== ""),
    )
    .pipe(z.array(z.url())),
  /** Largest JSON body accepted, in bytes. */
  API_BODY_LIMIT_BYTES: positiveInt.default(100_000),
  /** Largest uploaded invoice document, in bytes. */
  API_DOCUMENT_LIMIT_BYTES: positiveInt.default(5_000_000),
  /** Requests per minute allowed per API key (or per IP for unauthenticated routes). */
  API_RATE_LIMIT_PER_MINUTE: positiveInt.default(6_000),
  API_SESSION_TTL_SECONDS: positiveInt.default(900),
  /**
   * The domain (host[:port]) that SIWE messages must name; protects against phishing replays. Default:
   * where the API listens, `API_HOST:API_PORT` (127.0.0.1:3000, as `npm start` serves it).
   */
  SIWE_DOMAIN: z.string().min(1).optional(),
  SIWE_NONCE_TTL_SECONDS: positiveInt.default(300),
  /**
   * Behind reverse proxies: how many hops of X-Forwarded-For to trust (a number), or the proxies'
   * addresses (comma-separated IPs, CIDR ranges, or loopback / linklocal / uniquelocal). Never "true":
   * trusting every hop lets any client name its own address and step around the per-address limit.
   */
  API_TRUST_PROXY: trustProxy.default(false),
  /** The API reports not ready when the indexer is more blocks than this behind the head. */
  API_READY_MAX_LAG_BLOCKS: z.coerce.number().int().min(0).default(50),
  /** The API reports not ready when the indexer has not written (a commit or its heartbeat) for this long. */
  API_READY_MAX_HEARTBEAT_AGE_SECONDS: positiveInt.default(30),
  /** Where uploaded invoice documents are stored (content-addressed by their hash). */
  API_DOCUMENT_DIR: z.string().min(1).default("data/documents"),
  /** The encrypted ethers JSON keystores of organisations whose keys the server holds. */
  API_KEYSTORE_DIR: z.string().min(1).default("data/keystore"),
  API_KEYSTORE_PASSPHRASE: z.string().min(1).optional(),
  /**
   * The AES-256-GCM key that encrypts organisations' settlement bank accounts at rest: 32 bytes as 64
   * hex characters or base64. Unset: on a local development chain a fixed, public development key is
   * derived (logged as such); anywhere else the routes that need it answer 503.
   */
  API_PROFILE_ENCRYPTION_KEY: z
    .string()
    .transform((raw, ctx) => {
      const v = raw.trim();
      const bytes = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, "hex") : /^[A-Za-z0-9+/_-]{43}=?$/.test(v) ? Buffer.from(v, "base64") : undefined;
      if (bytes?.length !== 32) {
        ctx.addIssue({ code: "custom", message: "must be 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)" });
        return z.NEVER;
      }
      return bytes;
    })
    .optional(),
  /** How long Idempotency-Key records (and the binding of sent transactions to keys) are kept. */
  API_IDEMPOTENCY_RETENTION_HOURS: positiveInt.default(24),
  /** A request still PENDING after this long is taken to have died with its process: a retry takes it over. */
  API_IDEMPOTENCY_STALE_SECONDS: positiveInt.default(120),
  /**
   * scrypt cost of keystore files the API writes (POST /v1/custodial-keys): ethers' default (2^17) unless
   * lowered, which only tests should do (a lower cost is a weaker file, quicker to unlock).
   */
  API_KEYSTORE_SCRYPT_N: z.coerce.number().int().min(1024).refine((n) => (n & (n - 1)) === 0, "a power of two").optional(),
  /**
   * Days a financing may stay unregistered in the PBOC movable-property financing registry before the
   * portfolio, the risk view and the audit export flag it (issue 12 item 4).
   */
  API_REGISTRATION_DUE_DAYS: positiveInt.default(10),
  /**
   * Webhooks (issue 12 item 3): `true` allows http:// and loopback targets (127.0.0.0/8, ::1, localhost) —
   * for the tests and `npm start`, whose receivers listen on 127.0.0.1. Production leaves it unset: https://
   * to public addresses only. Private, link-local and reserved addresses are refused either way.
   */
  API_WEBHOOK_ALLOW_LOOPBACK: z.enum(["true", "false", "1", "0"]).default("false").transform((v) => v === "true" || v === "1"),
  /** Attempts of one delivery before it is FAILED and its subscription FAILING. */
  API_WEBHOOK_MAX_ATTEMPTS: positiveInt.max(50).default(10),
  /** Delay before the second attempt; each later one doubles it, up to API_WEBHOOK_RETRY_MAX_MS. */
  API_WEBHOOK_RETRY_BASE_MS: positiveInt.default(10_000),
  API_WEBHOOK_RETRY_MAX_MS: positiveInt.default(3_600_000),
  /** How long a receiver has to answer a delivery. */
  API_WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  /** `false` runs no delivery worker in this process (another process delivers). */
  API_WEBHOOK_WORKER: z.enum(["true", "false", "1", "0"]).default("true").transform((v) => v === "true" || v === "1"),
  /** How often the delivery worker (and the time-based scheduler) and each event stream look for work. */
  API_NOTIFY_POLL_MS: positiveInt.default(1_000),
  /** `maturity.approaching` is sent this many days before a maturity. */
  API_NOTIFY_MATURITY_DAYS: positiveInt.max(365).default(7),
  /** `quote.expiring` is sent this many seconds before a quote expires. */
  API_NOTIFY_QUOTE_EXPIRING_SECONDS: positiveInt.default(3_600),
  API_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ApiConfig = Omit<z.output<typeof ApiEnvSchema>, "SIWE_DOMAIN"> & { SIWE_DOMAIN: string };

/** Names each bad variable but never echoes a value (the passphrase lives here). */
export class ApiConfigError extends ConfigError {}

/** Parses the API's environment. Throws `ApiConfigError` naming every bad variable. */
export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(ApiEnvSchema.shape)) {
    const value = env[key];
    // An empty variable means "not set", as shells and .env files commonly produce.
    picked[key] = value === "" ? undefined : value;
  }
  const parsed = ApiEnvSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ApiConfigError(`invalid API configuration:\n  ${lines.join("\n  ")}`);
  }
  const config = parsed.data;
  return { ...config, SIWE_DOMAIN: config.SIWE_DOMAIN ?? `${config.API_HOST}:${config.API_PORT}` };
}
