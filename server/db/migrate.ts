// The project's own migration runner (Prisma's migration engine cannot be downloaded here).
// Applies server/db/migrations/<dialect>/<timestamp>_<name>/migration.sql in name order, each in its
// own transaction together with its row in `_migrations` (name, sha256). A migration already applied
// whose file has since changed is refused, and so is a database that has migrations this code does
// not know (it was migrated by newer code): both mean the schema is not what the client expects.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Sql } from "./sql";
import type { Dialect } from "./schema-model";

export const migrationsRoot = path.join(__dirname, "migrations");

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

export function listMigrations(dialect: Dialect, root = migrationsRoot): Migration[] {
  const dir = path.join(root, dialect);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      if (!/^\d{14}_[a-z0-9_]+$/.test(name)) throw new MigrationError(`migration folder "${name}" must be named <YYYYMMDDHHMMSS>_<snake_name>`);
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Serialises concurrent runners (API and indexer starting together) on PostgreSQL; SQLite's
// BEGIN IMMEDIATE already does.
const PG_MIGRATION_LOCK = 0x4c44474d; // "LDGM"

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrate({ sql, root = migrationsRoot, log }: { sql: Sql; root?: string; log?: (msg: string) => void }): Promise<MigrateResult> {
  const migrations = listMigrations(sql.dialect, root);
  await sql.transaction(async (tx) => {
    // Even IF NOT EXISTS races on PostgreSQL (the row type is created first), hence the lock.
    if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(?)", [PG_MIGRATION_LOCK]);
    await tx.script(
      `CREATE TABLE IF NOT EXISTS "_migrations" ("name" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at_ms" BIGINT NOT NULL)`,
    );
  });
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  const known = new Set(migrations.map((m) => m.name));
  const refuseUnknown = async () => {
    const inDb = await sql.query<{ name: string }>(`SELECT "name" FROM "_migrations" ORDER BY "name"`);
    const unknown = inDb.map((r) => r.name).filter((n) => !known.has(n));
    if (unknown.length) {
      throw new MigrationError(`the database has migrations this code does not know: ${unknown.join(", ")} (it was migrated by newer code)`);
    }
  };
  await refuseUnknown();
  for (const m of migrations) {
    await sql.transaction(async (tx) => {
      if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(?)", [PG_MIGRATION_LOCK]);
      const rows = await tx.query<{ checksum: string }>(`SELECT "checksum" FROM "_migrations" WHERE "name" = ?`, [m.name]);
      if (rows[0]) {
        if (rows[0].checksum !== m.checksum) {
          throw new MigrationError(
            `migration ${m.name} was changed after it was applied (database sha256 ${rows[0].checksum.slice(0, 12)}…, file ${m.checksum.slice(0, 12)}…); ` +
              `never edit an applied migration, add a new one`,
          );
        }
        result.alreadyApplied.push(m.name);
        return;
      }
      await tx.script(m.sql);
      await tx.run(`INSERT INTO "_migrations" ("name", "checksum", "applied_at_ms") VALUES (?, ?, ?)`, [m.name, m.checksum, Date.now()]);
      result.applied.push(m.name);
      log?.(`applied migration ${m.name}`);
    });
  }
  return result;
}
