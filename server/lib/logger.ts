// Structured logs (pino, JSON lines). Secrets never reach a log line: the paths below are redacted
// wherever they appear in a logged object, and every URL in the message, in a top-level string field
// or in a logged error's message loses its credentials (server/lib/redact.ts).
import pino, { type Logger, type LoggerOptions } from "pino";
import { redactUrlsIn } from "./redact";

export type { Logger } from "pino";

export const REDACT_PATHS = [
  "password",
  "passphrase",
  "privateKey",
  "apiKey",
  "token",
  "authorization",
  "*.password",
  "*.passphrase",
  "*.privateKey",
  "*.apiKey",
  "*.token",
  "*.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
];

function redactValue(v: unknown): unknown {
  if (typeof v === "string") return redactUrlsIn(v);
  if (v instanceof Error && v.message.includes("://")) {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(v) as object) as Error, v);
    Object.defineProperty(copy, "message", { value: redactUrlsIn(v.message), enumerable: false });
    if (v.stack) Object.defineProperty(copy, "stack", { value: redactUrlsIn(v.stack), enumerable: false });
    return copy;
  }
  return v;
}

/** pino hook: URLs in the message and in top-level string / error fields are redacted before writing. */
export const redactUrlsHook: NonNullable<LoggerOptions["hooks"]>["logMethod"] = function (args, method) {
  const out = args.map((a) => {
    if (a === null || typeof a !== "object" || Array.isArray(a)) return redactValue(a);
    if (a instanceof Error) return redactValue(a);
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(a as Record<string, unknown>)) {
      const r = redactValue(v);
      if (r !== v) (copy ??= { ...(a as Record<string, unknown>) })[k] = r;
    }
    return copy ?? a;
  });
  return method.apply(this, out as Parameters<typeof method>);
};

export function createLogger({ name, level = "info" }: { name: string; level?: string }): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { name }, hooks: { logMethod: redactUrlsHook } });
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
