// A thin SQL handle over the two drivers (better-sqlite3 and pg), for the code that must not go
// through the ORM: the migration runner and the indexer's batched writes. SQL is written once with
// `?` placeholders and portable syntax (INSERT ... ON CONFLICT ... DO UPDATE works on both); this
// module only converts placeholders and values. It never builds SQL from values.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Pool, type PoolClient } from "pg";
import type { Dialect } from "./schema-model";

export type SqlValue = string | number | bigint | boolean | null;
export type Row = Record<string, unknown>;

export interface Sql {
  readonly dialect: Dialect;
  /** Runs one statement with `?` placeholders; returns the rows (empty for writes). */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs one statement; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  script(sql: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection; commits if it resolves, rolls back if it throws.
   * SQLite takes the write lock at BEGIN (IMMEDIATE) so two writers queue instead of deadlocking. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** How many bound parameters one statement may carry (SQLite's default limit is 32766, pg's 65535). */
export const MAX_PARAMS = 30_000;

export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// ─── SQLite ──────────────────────────────────────────────────────────────────

export function sqliteFile(url: string): string {
  const file = url.replace(/^(file|sqlite):(\/\/)?/, "");
  if (file === ":memory:") return file;
  return path.resolve(file.split("?")[0]!);
}

export function openSqlite(url: string): Sql & { readonly raw: Database.Database } {
  const file = sqliteFile(url);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL lets the API's connection read while the indexer writes; NORMAL sync is crash-safe in WAL
  // mode (a crash can lose the last commits, never corrupt, and the checkpoint moves with them).
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  db.pragma("foreign_keys = ON");
  const statements = new Map<string, Database.Statement>();
  // A bounded cache: callers keep the number of statement shapes small, and the cap keeps a caller
  // that does not from growing memory without limit (least recently used is dropped).
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (s) {
      statements.delete(sql);
    } else {
      s = db.prepare(sql);
      if (statements.size >= 500) statements.delete(statements.keys().next().value!);
    }
    statements.set(sql, s);
    return s;
  };
  const bind = (params: readonly SqlValue[]) => params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
  let inTransaction = false;
  const handle: Sql & { raw: Database.Database } = {
    dialect: "sqlite",
    raw: db,
    async query<T extends Row>(sql: string, params: readonly SqlValue[] = []) {
      const s = prepare(sql);
      if (s.reader) return s.all(...bind(params)) as T[];
      s.run(...bind(params));
      return [];
    },
    async run(sql, params = []) {
      return prepare(sql).run(...bind(params)).changes;
    },
    async script(sql) {
      db.exec(sql);
    },
    async transaction(fn) {
      // One connection: nested calls would interleave with the outer transaction.
      if (inTransaction) throw new Error("sql: nested transaction on the SQLite handle");
      inTransaction = true;
      db.exec("BEGIN IMMEDIATE");
      try {
        const out = await fn(handle);
        db.exec("COMMIT");
        return out;
      } catch (e) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw e;
      } finally {
        inTransaction = false;
      }
    },
    async close() {
      db.close();
    },
  };
  return handle;
}

// ─── PostgreSQL ──────────────────────────────────────────────────────────────

// Statements with parameters are sent as named prepared statements (named by a hash of their text),
// so PostgreSQL parses and plans each shape once per connection instead of on every batch.
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = "l" + createHash("sha1").update(sql).digest("hex").slice(0, 20);
    if (statementNames.size < 10_000) statementNames.set(sql, name);
  }
  return name;
}

type PgRun = (sql: string, params: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>;

function pgRunner(target: { query: (config: { name?: string; text: string; values?: unknown[] }) => Promise<{ rows: Row[]; rowCount: number | null }> }): PgRun {
  return (sql, params) => (params.length ? target.query({ name: statementName(sql), text: sql, values: params }) : target.query({ text: sql }));
}

function pgHandle(run: PgRun): Omit<Sql, "transaction" | "close"> {
  const bind = (params: readonly SqlValue[]) => params.map((p) => (typeof p === "bigint" ? p.toString() : p));
  return {
    dialect: "postgres",
    async query<T extends Row>(sql: string, params: readonly SqlValue[] = []) {
      return (await run(toPgPlaceholders(sql), bind(params))).rows as T[];
    },
    async run(sql, params = []) {
      return (await run(toPgPlaceholders(sql), bind(params))).rowCount ?? 0;
    },
    async script(sql) {
      await run(sql, []);
    },
  };
}

function clientSql(client: PoolClient): Sql {
  return {
    ...pgHandle(pgRunner(client)),
    async transaction() {
      throw new Error("sql: nested transaction on a PostgreSQL transaction handle");
    },
    async close() {},
  };
}

export function openPostgres(url: string, { max = 4 }: { max?: number } = {}): Sql & { readonly pool: Pool } {
  const pool = new Pool({ connectionString: url, max });
  // An idle client's connection error must not crash the process; the next query reports it.
  pool.on("error", () => {});
  return {
    ...pgHandle(pgRunner(pool)),
    pool,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const out = await fn(clientSql(client));
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

export function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  if (/^(file|sqlite):/.test(url)) return "sqlite";
  throw new Error(`DATABASE_URL must start with file:, sqlite:, postgres:// or postgresql:// (got "${url.split(":")[0]}:...")`);
}

export function openSql(url: string): Sql {
  return dialectOf(url) === "postgres" ? openPostgres(url) : openSqlite(url);
}
