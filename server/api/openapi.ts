/**
 * The OpenAPI 3 document, generated from the same route definitions (and so the same zod schemas) that
 * validate requests, plus a self-contained HTML rendering of it for `/v1/docs` (no CDN, no script: the
 * machine and its users may be offline, and the page runs under a strict CSP).
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { requiredDuty, type AnyRoute } from "./route";
import { IdempotencyKeyHeader } from "./schemas";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Stable machine code, e.g. `NotFound` or a contract's custom error name" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request (the offending fields are in `details.fields`)",
  401: "Missing, invalid or expired credential",
  403: "The caller's role or organisation state does not allow this",
  404: "Not found, or not visible to the caller",
  409: "Conflicts with the current state (including contract reverts, coded by the custom error's name)",
  413: "Request body too large",
  422: "Idempotency-Key reused with a different request",
  429: "Rate limit exceeded",
};

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], info: OpenApiInfo): ReturnType<OpenApiGeneratorV3["generateDocument"]> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A session token from `POST /v1/auth/sessions` or `POST /v1/auth/siwe/verify`, or an API key itself",
  });
  for (const route of routes) {
    const errorStatuses = new Set<number>(route.errors ?? []);
    if (route.params !== undefined || route.query !== undefined || route.body !== undefined) errorStatuses.add(400);
    if (route.access.kind === "authenticated") {
      errorStatuses.add(401);
      errorStatuses.add(403);
      errorStatuses.add(429);
    }
    if (route.idempotent !== undefined && route.idempotent !== false) errorStatuses.add(422);
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {
      [String(route.response.status)]: {
        description: route.response.description,
        ...(route.response.schema === undefined
          ? {}
          : { content: { [route.response.contentType ?? "application/json"]: { schema: route.response.schema } } }),
      },
    };
    for (const status of [...errorStatuses].sort()) {
      responses[String(status)] = {
        description: ERROR_TEXT[status] ?? "Error",
        content: { "application/json": { schema: ErrorSchema } },
      };
    }
    const headers =
      route.idempotent === true
        ? z.object({ "idempotency-key": IdempotencyKeyHeader })
        : route.idempotent === "optional"
          ? z.object({ "idempotency-key": IdempotencyKeyHeader.optional() })
          : undefined;
    registry.registerPath({
      method: route.method,
      path: route.path,
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      tags: [...route.tags],
      ...(route.access.kind === "authenticated" ? { security: [{ [bearer.name]: [] }] } : {}),
      "x-roles": route.access.kind === "authenticated" ? [...route.access.roles] : ["public"],
      // The duty an organisation's user needs (issue 12 item 2); absent: any user of an allowed role.
      ...(requiredDuty(route) === undefined ? {} : { "x-duty": requiredDuty(route) }),
      request: {
        // Path and query schemas are z.object()s (or pipes of them), which is what the generator reads.
        ...(route.params === undefined ? {} : { params: route.params as z.ZodObject }),
        ...(route.query === undefined ? {} : { query: route.query as z.ZodObject }),
        ...(headers === undefined ? {} : { headers }),
        ...(route.body === undefined
          ? {}
          : {
              body: {
                required: true,
                content:
                  route.bodyType === "raw"
                    ? { "application/octet-stream": { schema: { type: "string", format: "binary" } } }
                    : { "application/json": { schema: route.body } },
              },
            }),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: "3.0.3",
    info: { ...info },
    servers: [{ url: "/" }],
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

type Json = Record<string, unknown>;
/** A text field of the generated document (absent or not text: empty). */
const textOf = (v: unknown): string => (typeof v === "string" ? v : "");

/** Resolves `$ref`s one level deep for display, so a reader sees the fields rather than a pointer. */
function showSchema(schema: unknown, components: Json): string {
  const resolve = (value: unknown, depth: number): unknown => {
    if (depth > 8 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => resolve(v, depth + 1));
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
      const name = ref.slice("#/components/schemas/".length);
      const target = (components.schemas as Json | undefined)?.[name];
      return target === undefined ? value : { "x-schema": name, ...(resolve(target, depth + 1) as Json) };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, depth + 1)]));
  };
  return escapeHtml(JSON.stringify(resolve(schema, 0), null, 2));
}

/** Renders the document as one static HTML page: every operation with its roles, parameters, body and responses. */
export function renderOpenApiHtml(doc: Json): string {
  const info = doc.info as OpenApiInfo;
  const components = (doc.components ?? {}) as Json;
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = ((op.tags as string[] | undefined) ?? ["other"])[0] ?? "other";
      const params = ((op.parameters as Json[] | undefined) ?? [])
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required === true ? "yes" : "no"}</td><td><pre>${showSchema(p.schema, components)}</pre></td></tr>`,
        )
        .join("");
      const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
        .map(([status, r]) => {
          const content = r.content as Record<string, Json> | undefined;
          const first = content === undefined ? undefined : Object.entries(content)[0];
          return `<details><summary><b>${escapeHtml(status)}</b> ${escapeHtml(textOf(r.description))}${first === undefined ? "" : ` <small>${escapeHtml(first[0])}</small>`}</summary>${first === undefined ? "" : `<pre>${showSchema(first[1].schema, components)}</pre>`}</details>`;
        })
        .join("");
      const roles = ((op["x-roles"] as string[] | undefined) ?? []).map((r) => `<span class="role">${escapeHtml(r)}</span>`).join(" ");
      const id = escapeHtml(typeof op.operationId === "string" ? op.operationId : `${method}-${path}`);
      const html = `<section class="op" id="${id}">
<h3><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(textOf(op.summary))}</p>${op.description === undefined ? "" : `<p class="desc">${escapeHtml(textOf(op.description))}</p>`}
<p>Roles: ${roles}</p>
${params === "" ? "" : `<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${params}</tbody></table>`}
${body === undefined ? "" : Object.entries(body).map(([type, media]) => `<details open><summary>Request body <small>${escapeHtml(type)}</small></summary><pre>${showSchema(media.schema, components)}</pre></details>`).join("")}
<div class="responses">${responses}</div>
</section>`;
      const list = byTag.get(tag) ?? [];
      list.push(html);
      byTag.set(tag, list);
    }
  }
  const tags = [...byTag.keys()].sort();
  const toc = tags.map((t) => `<li><a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a> (${byTag.get(t)?.length ?? 0})</li>`).join("");
  const sections = tags.map((t) => `<h2 id="tag-${escapeHtml(t)}">${escapeHtml(t)}</h2>${(byTag.get(t) ?? []).join("\n")}`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1d2330}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#f4f6f8;padding:.5rem;overflow:auto;max-height:24rem}
.op{border:1px solid #d8dde3;border-radius:6px;padding:.25rem 1rem;margin:.75rem 0}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;color:#fff;font-size:.8rem;padding:.1rem .3rem}
.get{background:#2b6cb0}.post{background:#2f855a}.put,.patch{background:#b7791f}.delete{background:#c53030}
.role{background:#edf2f7;border-radius:3px;padding:0 .3rem;font-size:.8rem}table{border-collapse:collapse}td,th{border:1px solid #d8dde3;padding:.2rem .4rem;vertical-align:top;text-align:left}
</style></head><body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.description)}</p>
<p>Machine-readable document: <a href="/v1/openapi.json">/v1/openapi.json</a>. Errors always have the shape <code>{"error":{"code","message","details"}}</code>.</p>
<ul>${toc}</ul>
${sections}
</body></html>`;
}
