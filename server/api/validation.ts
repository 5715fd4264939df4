/**
 * Parses a request's params, query and body with the route's zod schemas. The parsed output is what the
 * handler receives (never re-parsed); every failing field is reported by where it was found.
 */
import type { z } from "zod";
import { ValidationError, type FieldIssue } from "../lib/appErrors";

/**
 * A custom check may name its own machine-readable code (`params: { reason: "CreditCodeCheckMismatch" }`);
 * every other issue keeps zod's code.
 */
function codeOf(issue: z.core.$ZodIssue): string {
  const reason: unknown = issue.code === "custom" ? issue.params?.reason : undefined;
  return typeof reason === "string" ? reason : issue.code;
}

function issuesOf(where: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
    code: codeOf(issue),
  }));
}

export interface ParsedRequest {
  params: unknown;
  query: unknown;
  body: unknown;
}

/** Parses all three parts and reports the issues of all of them at once. */
export function parseRequest(
  schemas: { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType },
  raw: { params: unknown; query: unknown; body: unknown },
): ParsedRequest {
  const issues: FieldIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const where of ["params", "query", "body"] as const) {
    const schema = schemas[where];
    if (schema === undefined) {
      out[where] = where === "body" ? undefined : {};
      continue;
    }
    const parsed = schema.safeParse(raw[where] ?? (where === "body" ? undefined : {}));
    if (parsed.success) out[where] = parsed.data;
    else issues.push(...issuesOf(where, parsed.error));
  }
  if (issues.length > 0) {
    throw new ValidationError("invalid request", issues);
  }
  return out as unknown as ParsedRequest;
}
