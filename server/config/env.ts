// Environment parsing shared by every process (indexer, API, scripts). A bad value stops start-up
// with a message naming the variable; nothing reads process.env outside server/config.
import { z } from "zod";
import { redactUrl } from "../lib/redact";

export class ConfigError extends Error {
  override name = "ConfigError";
}

export type Env = Record<string, string | undefined>;

/** Parses `env` with an object schema whose keys are variable names; throws ConfigError naming every bad variable. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  // Empty strings count as unset, so `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const name = i.path.join(".") || "(environment)";
    const shown = shownValue(name, cleaned[name]);
    return `  ${name}: ${i.message}${shown === undefined ? "" : ` (got "${shown}")`}`;
  });
  throw new ConfigError(`invalid environment:\n${lines.join("\n")}`);
}

/** Variables whose value is a secret: a bad one is named, never echoed. */
const SECRET_VARIABLE = /PASSWORD|PASSPHRASE|SECRET|PRIVATE_KEY|MNEMONIC|API_KEY|_TOKEN$/i;

/**
 * What a configuration error may show of a bad value: nothing of a secret variable, a URL without its
 * credentials (a database URL carries a password, an RPC URL a key), anything else up to 80 characters.
 */
export function shownValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined || SECRET_VARIABLE.test(name)) return undefined;
  const v = /_URL$/i.test(name) || value.includes("://") || value.includes("@") ? redactUrl(value) : value;
  return v.length > 80 ? v.slice(0, 80) + "…" : v;
}

/** Non-negative integer given as decimal text. */
export const intVar = (opts: { min?: number; max?: number } = {}) =>
  z
    .string()
    .regex(/^\d+$/, "must be a non-negative integer")
    .transform(Number)
    .pipe(z.number().int().min(opts.min ?? 0).max(opts.max ?? Number.MAX_SAFE_INTEGER));

export const urlVar = (protocols: string[]) =>
  z.string().refine((v) => protocols.some((p) => v.startsWith(p)), { message: `must start with ${protocols.join(", ")}` });

export const addressVar = () => z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");

export const logLevelVar = () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
