// The one place that opens the database. `DATABASE_URL` chooses the driver: `file:` / `sqlite:` →
// better-sqlite3 (the embedded default), `postgres://` / `postgresql://` → pg. Both give the same
// Prisma client type (generated twice from one schema, see generate.ts) for reads and ordinary writes,
// plus a raw `sql` handle for the indexer's batched writes and the migration runner.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/sqlite/client";
import { PrismaClient as PgPrismaClient } from "./generated/postgres/client";
import { migrate, type MigrateResult } from "./migrate";
import { dialectOf, openPostgres, openSqlite, sqliteFile, type Sql } from "./sql";
import type { Dialect } from "./schema-model";

export type { PrismaClient } from "./generated/sqlite/client";
export type { Sql } from "./sql";

/** A write refused by a unique key (Prisma's P2002): another writer got there first. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

export interface Db {
  readonly dialect: Dialect;
  readonly url: string;
  /** ORM client: reads, and the API's off-chain writes. Typed as the SQLite client; the PostgreSQL
   * client has the same models and methods. */
  readonly prisma: PrismaClient;
  /** Raw SQL on the same database (a separate connection/pool), for batched writes. */
  readonly sql: Sql;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  url: string;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  log?: (msg: string) => void;
  /** PostgreSQL pool size of the raw handle (default 4). */
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Db & { migrations?: MigrateResult }> {
  const { url } = options;
  const dialect = dialectOf(url);
  const sql = dialect === "postgres" ? openPostgres(url, { max: options.poolSize ?? 4 }) : openSqlite(url);
  let migrations: MigrateResult | undefined;
  try {
    if (options.migrate ?? true) migrations = await migrate({ sql, log: options.log });
  } catch (e) {
    await sql.close();
    throw e;
  }
  const prisma =
    dialect === "postgres"
      ? (new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as PrismaClient)
      : new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqliteFile(url)}` }) });
  return {
    dialect,
    url,
    prisma,
    sql,
    migrations,
    async close() {
      await prisma.$disconnect();
      await sql.close();
    },
  };
}
