// Structured logs (pino, JSON lines). Secrets never reach a log line: the paths below are redacted
// wherever they appear in a logged object.
import pino, { type Logger } from "pino";

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

export function createLogger({ name, level = "info" }: { name: string; level?: string }): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { name } });
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
