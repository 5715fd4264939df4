/**
 * Liveness, readiness and the API's own documentation. `/ready` tells a load balancer whether this
 * process can serve: the database answers and the indexer's committed checkpoint is close enough to the
 * chain head. Data served by the API is never newer than that checkpoint, which `/ready` reports.
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "./route";

export interface ReadyReport {
  ready: boolean;
  database: { ok: boolean; error?: string };
  indexer: {
    /** Last block whose events are committed to the database. */
    checkpoint: number | null;
    /** Chain head as last seen (by the indexer, or asked of the node). */
    head: number | null;
    lagBlocks: number | null;
    /** The indexer's phase: starting | backfill | live | stalled (retrying an error) | stopped | failed. */
    phase: string | null;
    /** Why the indexer is stalled or failed (null while it makes progress). */
    lastError: string | null;
    ok: boolean;
    /** Milliseconds since the indexer last wrote (a commit or its idle heartbeat). */
    heartbeatAgeMs?: number;
    /** Why not ok, when the heartbeat is what failed. */
    problem?: string;
  };
  /** Whether the indexed data may be served (see server/api/projection.ts). */
  projection?: { valid: boolean; reason?: string; message?: string };
}

export interface ReadinessProbe {
  check(): Promise<ReadyReport>;
}

const ReadyOut = z
  .object({
    ready: z.boolean(),
    database: z.object({ ok: z.boolean(), error: z.string().optional() }),
    indexer: z.object({
      checkpoint: z.number().int().nullable(),
      head: z.number().int().nullable(),
      lagBlocks: z.number().int().nullable(),
      phase: z.string().nullable().meta({ description: "starting | backfill | live | stalled (retrying an error without progress) | stopped | failed" }),
      lastError: z.string().nullable().meta({ description: "why the indexer is stalled or failed; null while it makes progress" }),
      ok: z.boolean(),
      heartbeatAgeMs: z.number().int().optional(),
      problem: z.string().optional(),
    }),
    projection: z.object({ valid: z.boolean(), reason: z.string().optional(), message: z.string().optional() }).optional(),
  })
  .meta({ id: "Readiness" });

export function systemRoutes(input: {
  readiness: ReadinessProbe;
  document: () => Record<string, unknown>;
  documentHtml: () => string;
}): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/health",
      operationId: "health",
      summary: "Liveness: the process answers",
      tags: ["system"],
      access: { kind: "public" },
      response: { status: 200, description: "Alive", schema: z.object({ status: z.literal("ok") }) },
      handler: async () => ({ status: "ok" as const }),
    }),
    defineRoute({
      method: "get",
      path: "/ready",
      operationId: "ready",
      summary: "Readiness: database reachable, indexed data not known to be wrong, indexer alive (recent heartbeat) and its checkpoint close to the chain head",
      tags: ["system"],
      access: { kind: "public" },
      response: { status: 200, description: "Ready (503 with the same body when not)", schema: ReadyOut },
      errors: [503],
      handler: async ({ res }) => {
        const report = await input.readiness.check();
        if (!report.ready) res.status(503).json(report);
        return report;
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/openapi.json",
      operationId: "openApiDocument",
      summary: "This API's OpenAPI 3 document, generated from the zod schemas that validate requests",
      tags: ["system"],
      access: { kind: "public" },
      response: { status: 200, description: "OpenAPI 3.0 document", schema: z.record(z.string(), z.unknown()) },
      handler: async () => input.document(),
    }),
    defineRoute({
      method: "get",
      path: "/v1/docs",
      operationId: "openApiPage",
      summary: "A browsable page of the OpenAPI document (self-contained, works offline)",
      tags: ["system"],
      access: { kind: "public" },
      response: { status: 200, description: "HTML page", contentType: "text/html" },
      handler: async ({ res }) => {
        res.status(200).type("html").send(input.documentHtml());
      },
    }),
  ];
}
