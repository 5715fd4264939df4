// Fresh, empty databases for tests: a SQLite file in a temporary directory, or (when
// TEST_POSTGRES_URL is set, as .ci/run does) a new PostgreSQL database created next to the one in
// that URL. Each comes with a `drop()` that removes it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { Dialect } from "../../../server/db/schema-model";

export interface FreshDatabase {
  dialect: Dialect;
  url: string;
  drop(): Promise<void>;
}

/** The dialects this run covers: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set. */
export function testDialects(): Dialect[] {
  return process.env.TEST_POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];
}

let announced = false;
/** Says once per run whether the PostgreSQL variants run, so a skipped database is visible. */
export function announceDialects(): void {
  if (announced) return;
  announced = true;
  console.log(
    process.env.TEST_POSTGRES_URL
      ? "    (database tests run on SQLite and on PostgreSQL from TEST_POSTGRES_URL)"
      : "    (database tests run on SQLite only: set TEST_POSTGRES_URL to also run them on PostgreSQL, as .ci/run does)",
  );
}

export async function freshDatabase(dialect: Dialect, label = "t"): Promise<FreshDatabase> {
  const suffix = `${label.replace(/[^a-z0-9]/gi, "").toLowerCase().slice(0, 20)}_${randomBytes(4).toString("hex")}`;
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-db-"));
    const file = path.join(dir, `${suffix}.db`);
    return {
      dialect,
      url: `file:${file}`,
      async drop() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_POSTGRES_URL;
  if (!base) throw new Error("freshDatabase(postgres) needs TEST_POSTGRES_URL");
  const name = `ledgerline_${suffix}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    // template0 and a retry: CREATE DATABASE fails while anyone (autovacuum included) is connected
    // to the template, a known source of flaky tests.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`);
        break;
      } catch (e) {
        if (attempt >= 20 || !/being accessed by other users/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: base });
      await c.connect();
      try {
        // FORCE terminates the database's sessions, but a non-superuser role cannot terminate an
        // autovacuum worker that happens to be in it: wait for the worker to finish and try again.
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
            break;
          } catch (e) {
            if (attempt >= 50 || !/member of the role whose process is being terminated|being accessed by other users/.test((e as Error).message)) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
