/**
 * Answers whose large parts arrive already serialised: the database can aggregate a few hundred rows
 * into one JSON text (SQLite `json_group_array`, PostgreSQL `json_agg`) far faster than the driver can
 * hand each row's values to JavaScript one by one and `JSON.stringify` them again. A handler returns a
 * `JsonText`; the HTTP layer writes its text as it is. Only JSON produced by the database's own JSON
 * functions (or by `JSON.stringify`) may be wrapped: the text is never parsed or checked here.
 */
import { toJson } from "../lib/encode";

export class JsonText {
  constructor(readonly text: string) {}
}

/** `JSON.stringify` that falls back to the encoder for a stray bigint (chain values travel as decimal strings). */
export function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return toJson(value);
  }
}

/**
 * The JSON object of `fields` plus `raw`'s members, whose values are JSON texts taken as they are
 * (they come after the others; member order carries no meaning in JSON).
 */
export function jsonObjectWith(fields: Record<string, unknown>, raw: Record<string, string>): JsonText {
  const head = stringify(fields);
  const tail = Object.entries(raw)
    .map(([name, text]) => `${JSON.stringify(name)}:${text}`)
    .join(",");
  if (tail === "") return new JsonText(head);
  return new JsonText(head === "{}" ? `{${tail}}` : `${head.slice(0, -1)},${tail}}`);
}
