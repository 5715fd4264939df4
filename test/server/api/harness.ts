/**
 * Builds the real API over a real, migrated database for tests: a fresh SQLite file or PostgreSQL
 * database per harness (see test/server/db/fresh.ts). Logs go to an in-memory sink
 * so tests can assert that no secret is ever logged. Every 2xx JSON answer is checked against its
 * route's response schema (responseSchemas.ts).
 */
import { Writable } from "node:stream";
import pino from "pino";
import { createApp, type ApiApp, type ApiDeps } from "../../../server/api/app";
import { loadApiConfig, type ApiConfig } from "../../../server/config/api";
import { openDatabase, type Db } from "../../../server/db/client";
import type { Dialect } from "../../../server/db/schema-model";
import { freshDatabase } from "../db/fresh";
import { validatingResponses, type ResponseViolation } from "./responseSchemas";

export interface Harness extends ApiApp {
  db: Db;
  config: ApiConfig;
  logLines: string[];
  /** Answers that did not match their route's response schema (each was turned into a 500). */
  responseViolations: ResponseViolation[];
  close(): Promise<void>;
}

export async function createHarness(
  options: { env?: Record<string, string>; db?: Db; dialect?: Dialect } & Partial<Omit<ApiDeps, "config" | "db" | "logger">> = {},
): Promise<Harness> {
  let cleanup = async () => {};
  let db = options.db;
  if (db === undefined) {
    const fresh = await freshDatabase(options.dialect ?? "sqlite", "api");
    cleanup = () => fresh.drop();
    db = await openDatabase({ url: fresh.url });
  }
  const config = loadApiConfig({ API_LOG_LEVEL: "info", ...options.env });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = chunk.toString("utf8");
      logLines.push(line);
      // Unexpected errors (500s) are printed so a failing test shows why.
      if (line.includes('"level":50')) process.stderr.write(line);
      done();
    },
  });
  const logger = pino({ level: "info" }, sink);
  const { env: _env, db: _db, dialect: _dialect, ...rest } = options;
  const api = createApp({ ...rest, config, db: db.prisma, sql: db.sql, logger });
  const ownedDb = options.db === undefined;
  const responseViolations: ResponseViolation[] = [];
  return {
    ...api,
    app: validatingResponses(api.app, api.routes, responseViolations),
    responseViolations,
    db,
    config,
    logLines,
    async close() {
      if (ownedDb) {
        await db.close();
        await cleanup();
      }
    },
  };
}
