/**
 * Every API test checks the answers against the contract: each 2xx JSON body is parsed with the zod
 * response schema its route declares. A body that does not match is replaced by a 500
 * `ResponseSchemaViolation` naming the route and the issues, so the test that received it fails on
 * its status (and the issues are printed). Routes are matched the way Express matches them: the first
 * declared route whose method and path fit.
 */
import express, { type Express } from "express";
import { pathMatcher, type AnyRoute } from "../../../server/api/route";

export interface ResponseViolation {
  route: string;
  status: number;
  issues: { path: string; message: string }[];
}

/**
 * What is wrong with a 2xx JSON `body` answered to `method path`, judged by the first of `routes` that
 * matches; undefined when it conforms (or no route declares a schema for it). For tests that talk to a
 * listening API process instead of going through `validatingResponses`.
 */
export function responseViolation(routes: readonly AnyRoute[], request: { method: string; path: string; status: number; body: unknown }): ResponseViolation | undefined {
  const route = routes.find((r) => r.method === request.method.toLowerCase() && pathMatcher(r.path).test(request.path));
  return route === undefined ? undefined : violationOf(route, request.status, request.body);
}

function violationOf(route: AnyRoute, status: number, body: unknown): ResponseViolation | undefined {
  const schema = route.response.schema;
  if (schema === undefined) return undefined;
  const parsed = schema.safeParse(body);
  if (parsed.success) return undefined;
  return {
    route: `${route.method.toUpperCase()} ${route.path}`,
    status,
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  };
}

export function validatingResponses(app: Express, routes: readonly AnyRoute[], violations: ResponseViolation[]): Express {
  const table = routes.map((r) => ({ route: r, matcher: pathMatcher(r.path) }));
  const outer = express();
  outer.disable("x-powered-by");
  outer.use((req, res, next) => {
    const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => typeof res;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const contentType = String(res.getHeader("content-type") ?? "");
      if (res.statusCode < 200 || res.statusCode >= 300 || !contentType.startsWith("application/json") || chunk === undefined) {
        return end(chunk, ...rest);
      }
      const match = table.find((t) => t.route.method === req.method.toLowerCase() && t.matcher.test(req.path));
      if (match === undefined) return end(chunk, ...rest);
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
      const violation = violationOf(match.route, res.statusCode, JSON.parse(text));
      if (violation === undefined) return end(chunk, ...rest);
      violations.push(violation);
      process.stderr.write(`response schema violation: ${JSON.stringify(violation)}\n`);
      const body = JSON.stringify({ error: { code: "ResponseSchemaViolation", message: "the answer does not match the route's response schema", details: violation } });
      res.statusCode = 500;
      res.setHeader("Content-Length", Buffer.byteLength(body));
      return end(body);
    }) as typeof res.end;
    next();
  });
  outer.use(app);
  return outer;
}
