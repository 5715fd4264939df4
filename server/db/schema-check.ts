// Compares a migrated database with the Prisma schema (what the generated clients expect): every
// model's table, every column's type and nullability, primary keys, unique and plain indexes.
// Returns the differences as sentences; an empty list means the migrations and the schema agree.
// Prisma's own drift check needs the migration engine, which this machine cannot download.
import { sqlType, type TableModel } from "./schema-model";
import type { Sql } from "./sql";

interface ActualColumn {
  name: string;
  type: string;
  nullable: boolean;
}
interface ActualIndex {
  name: string;
  unique: boolean;
  primary: boolean;
  columns: string[];
}

async function sqliteColumns(sql: Sql, table: string): Promise<ActualColumn[]> {
  const rows = await sql.query<{ name: string; type: string; notnull: number; pk: number }>(`SELECT * FROM pragma_table_info(?)`, [table]);
  return rows.map((r) => ({ name: r.name, type: r.type.toUpperCase(), nullable: r.notnull === 0 && r.pk === 0 }));
}

async function sqliteIndexes(sql: Sql, table: string): Promise<ActualIndex[]> {
  const list = await sql.query<{ name: string; unique: number; origin: string }>(`SELECT * FROM pragma_index_list(?)`, [table]);
  const out: ActualIndex[] = [];
  for (const i of list) {
    const cols = await sql.query<{ name: string; seqno: number }>(`SELECT * FROM pragma_index_info(?) ORDER BY seqno`, [i.name]);
    out.push({ name: i.name, unique: i.unique === 1, primary: i.origin === "pk", columns: cols.map((c) => c.name) });
  }
  // A single-column INTEGER/TEXT PRIMARY KEY may have no index entry (rowid alias): read it from table_info.
  if (!out.some((i) => i.primary)) {
    const pk = await sql.query<{ name: string; pk: number }>(`SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, [table]);
    if (pk.length) out.push({ name: "(pk)", unique: true, primary: true, columns: pk.map((p) => p.name) });
  }
  return out;
}

const PG_TYPES: Record<string, string> = {
  text: "TEXT",
  integer: "INTEGER",
  bigint: "BIGINT",
  boolean: "BOOLEAN",
  "double precision": "DOUBLE PRECISION",
  "timestamp without time zone": "TIMESTAMP(3)",
  jsonb: "JSONB",
};

async function pgColumns(sql: Sql, table: string): Promise<ActualColumn[]> {
  const rows = await sql.query<{ column_name: string; data_type: string; is_nullable: string }>(
    `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => ({ name: r.column_name, type: PG_TYPES[r.data_type] ?? r.data_type, nullable: r.is_nullable === "YES" }));
}

async function pgIndexes(sql: Sql, table: string): Promise<ActualIndex[]> {
  const rows = await sql.query<{ name: string; is_unique: boolean; is_primary: boolean; columns: string[] | string }>(
    `SELECT i.relname AS name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
            array_agg(a.attname ORDER BY k.ord) AS columns
       FROM pg_class t
       JOIN pg_index ix ON t.oid = ix.indrelid
       JOIN pg_class i ON i.oid = ix.indexrelid
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relname = ? AND t.relnamespace = current_schema()::regnamespace
      GROUP BY i.relname, ix.indisunique, ix.indisprimary`,
    [table],
  );
  return rows.map((r) => ({
    name: r.name,
    unique: r.is_unique,
    primary: r.is_primary,
    columns: Array.isArray(r.columns) ? r.columns : String(r.columns).replace(/[{}]/g, "").split(","),
  }));
}

export async function checkSchema(sql: Sql, tables: TableModel[]): Promise<string[]> {
  const problems: string[] = [];
  for (const t of tables) {
    const columns = sql.dialect === "sqlite" ? await sqliteColumns(sql, t.table) : await pgColumns(sql, t.table);
    if (columns.length === 0) {
      problems.push(`table "${t.table}" (model ${t.model}) does not exist`);
      continue;
    }
    const byName = new Map(columns.map((c) => [c.name, c]));
    for (const c of t.columns) {
      const actual = byName.get(c.column);
      if (!actual) {
        problems.push(`${t.table}.${c.column} (${t.model}.${c.field}) is missing`);
        continue;
      }
      const auto = c.default?.kind === "autoincrement";
      const expected = auto ? (sql.dialect === "sqlite" ? "INTEGER" : c.type === "BigInt" ? "BIGINT" : "INTEGER") : sqlType(c.type, sql.dialect);
      if (actual.type !== expected) problems.push(`${t.table}.${c.column} has type ${actual.type}, the schema says ${expected}`);
      if (actual.nullable !== c.optional) problems.push(`${t.table}.${c.column} is ${actual.nullable ? "nullable" : "NOT NULL"}, the schema says ${c.optional ? "optional" : "required"}`);
      byName.delete(c.column);
    }
    for (const extra of byName.values()) {
      if (!extra.nullable) problems.push(`${t.table}.${extra.name} is a NOT NULL column the schema does not know (inserts would fail)`);
    }
    const indexes = sql.dialect === "sqlite" ? await sqliteIndexes(sql, t.table) : await pgIndexes(sql, t.table);
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const pk = indexes.find((i) => i.primary);
    if (!pk || !same(pk.columns, t.primaryKey)) problems.push(`${t.table} primary key is (${pk?.columns.join(", ") ?? "none"}), the schema says (${t.primaryKey.join(", ")})`);
    for (const u of t.uniques) {
      if (!indexes.some((i) => i.unique && same(i.columns, u.columns))) problems.push(`${t.table} lacks unique index ${u.name} on (${u.columns.join(", ")})`);
    }
    for (const ix of t.indexes) {
      if (!indexes.some((i) => same(i.columns, ix.columns))) problems.push(`${t.table} lacks index ${ix.name} on (${ix.columns.join(", ")})`);
    }
  }
  return problems;
}
