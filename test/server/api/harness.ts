/**
 * Builds the real API over a real, migrated database for tests: a fresh SQLite file per harness, or
 * PostgreSQL when TEST_POSTGRES_URL is set (a fresh schema per harness). Logs go to an in-memory sink
 * so tests can assert that no secret is ever logged.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { createApp, type ApiApp, type ApiDeps } from "../../../server/api/app";
import { loadApiConfig, type ApiConfig } from "../../../server/config/api";
import { openDatabase, type Db } from "../../../server/db/client";

export interface Harness extends ApiApp {
  db: Db;
  config: ApiConfig;
  logLines: string[];
  close(): Promise<void>;
}

/** A database URL for one test file: a new SQLite file, or a new schema on TEST_POSTGRES_URL. */
export async function freshDatabaseUrl(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const pgUrl = process.env.TEST_POSTGRES_URL;
  if (pgUrl !== undefined && pgUrl !== "") {
    const schema = `api_test_${randomBytes(6).toString("hex")}`;
    const { Client } = await import("pg");
    const admin = new Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    const url = new URL(pgUrl);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return {
      url: url.toString(),
      cleanup: async () => {
        const c = new Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA "${schema}" CASCADE`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-api-"));
  return { url: `file:${path.join(dir, "api.db")}`, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function createHarness(
  options: { env?: Record<string, string>; db?: Db } & Partial<Omit<ApiDeps, "config" | "db" | "logger">> = {},
): Promise<Harness> {
  let cleanup = async () => {};
  let db = options.db;
  if (db === undefined) {
    const fresh = await freshDatabaseUrl();
    cleanup = fresh.cleanup;
    db = await openDatabase({ url: fresh.url });
  }
  const config = loadApiConfig({ API_LOG_LEVEL: "info", ...options.env });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = pino({ level: "info" }, sink);
  const { env: _env, db: _db, ...rest } = options;
  const api = createApp({ ...rest, config, db: db.prisma, logger });
  const ownedDb = options.db === undefined;
  return {
    ...api,
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
