// Reads the Prisma schema folder into a plain table model, for two offline jobs the Prisma engine
// would normally do: printing the CREATE statements of models (a starting point for a new SQL
// migration, `npm run db:sql -- Model ...`) and checking that a migrated database has exactly the
// tables, columns, types, keys and indexes the generated clients expect (test/server/db).
//
// It understands the portable subset the project uses (see base.prisma): scalar fields, `?`,
// @id/@@id, @unique/@@unique, @@index, @map/@@map, @default, @updatedAt and @relation with
// fields/references. Anything else (enums, @db.* attributes, lists) is rejected loudly rather than
// half-understood.
import fs from "node:fs";
import path from "node:path";

export type Dialect = "sqlite" | "postgres";
export type ScalarType = "String" | "Int" | "BigInt" | "Boolean" | "Float" | "DateTime" | "Json";

export interface ColumnModel {
  field: string;
  column: string;
  type: ScalarType;
  optional: boolean;
  /** SQL default expression (dialect-independent spelling) or undefined. */
  default?: { kind: "autoincrement" } | { kind: "now" } | { kind: "literal"; value: string | number | boolean } | { kind: "client" };
  updatedAt: boolean;
}

export interface ForeignKeyModel {
  name: string;
  columns: string[];
  table: string;
  references: string[];
  optional: boolean;
  onDelete: string;
}

export interface TableModel {
  model: string;
  table: string;
  columns: ColumnModel[];
  primaryKey: string[];
  uniques: { name: string; columns: string[] }[];
  indexes: { name: string; columns: string[] }[];
  foreignKeys: ForeignKeyModel[];
}

const SCALARS = new Set<string>(["String", "Int", "BigInt", "Boolean", "Float", "DateTime", "Json"]);

function stripComment(line: string): string {
  // `//` inside a string literal does not occur in our schema files except in URLs we never write.
  const i = line.indexOf("//");
  return (i >= 0 ? line.slice(0, i) : line).trim();
}

function listArg(text: string): string[] {
  return text
    .replace(/[[\]]/g, "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function namedArg(attr: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s*:\\s*(\\[[^\\]]*\\]|"[^"]*"|\\w+)`).exec(attr);
  return m?.[1];
}

function attrBody(text: string, attr: string): string | undefined {
  // Returns what is between the parentheses of the first `attr(`, handling nesting.
  const start = text.indexOf(`${attr}(`);
  if (start < 0) return text.includes(attr) && new RegExp(`${attr.replace(/[@]/g, "\\@")}(?![\\w(])`).test(text) ? "" : undefined;
  let depth = 0;
  for (let i = start + attr.length; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") {
      depth--;
      if (depth === 0) return text.slice(start + attr.length + 1, i);
    }
  }
  throw new Error(`unbalanced parentheses in ${text}`);
}

function unquote(s: string): string {
  return s.replace(/^"|"$/g, "");
}

interface RawModel {
  name: string;
  lines: string[];
}

export function readSchemaFolder(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".prisma"))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
}

export function parseSchema(text: string): TableModel[] {
  const raws: RawModel[] = [];
  let current: RawModel | undefined;
  for (const rawLine of text.split("\n")) {
    const line = stripComment(rawLine);
    if (!line) continue;
    const open = /^(model|enum|type|view)\s+(\w+)\s*\{$/.exec(line);
    if (open) {
      if (open[1] !== "model") throw new Error(`schema-model: "${open[1]} ${open[2]}" is not portable; use String fields`);
      current = { name: open[2]!, lines: [] };
      raws.push(current);
      continue;
    }
    if (line === "}") {
      current = undefined;
      continue;
    }
    if (current) current.lines.push(line);
  }
  const modelNames = new Set(raws.map((r) => r.name));
  const tables = raws.map((r) => parseModel(r, modelNames));
  // Resolve relation targets' table names and referenced column names.
  const byModel = new Map(tables.map((t) => [t.model, t]));
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const target = byModel.get(fk.table);
      if (!target) throw new Error(`schema-model: ${t.model} relates to unknown model ${fk.table}`);
      fk.table = target.table;
      fk.references = fk.references.map((f) => columnOf(target, f));
    }
  }
  return tables;
}

function columnOf(t: TableModel, field: string): string {
  const c = t.columns.find((c) => c.field === field);
  if (!c) throw new Error(`schema-model: ${t.model} has no field ${field}`);
  return c.column;
}

function parseModel(raw: RawModel, modelNames: Set<string>): TableModel {
  const t: TableModel = {
    model: raw.name,
    table: raw.name,
    columns: [],
    primaryKey: [],
    uniques: [],
    indexes: [],
    foreignKeys: [],
  };
  const blockAttrs: string[] = [];
  const relations: { field: string; type: string; optional: boolean; attrs: string }[] = [];
  for (const line of raw.lines) {
    if (line.startsWith("@@")) {
      blockAttrs.push(line);
      continue;
    }
    const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!m) throw new Error(`schema-model: cannot read line "${line}" in ${raw.name}`);
    const [, field, type, list, opt, attrs] = m as unknown as [string, string, string, string | undefined, string | undefined, string];
    if (modelNames.has(type)) {
      relations.push({ field, type, optional: !!opt || !!list, attrs });
      continue;
    }
    if (!SCALARS.has(type) || list) throw new Error(`schema-model: ${raw.name}.${field} has unsupported type ${type}${list ?? ""}`);
    if (/@db\./.test(attrs)) throw new Error(`schema-model: ${raw.name}.${field}: @db.* attributes are not portable`);
    const map = attrBody(attrs, "@map");
    const col: ColumnModel = {
      field,
      column: map ? unquote(map.trim()) : field,
      type: type as ScalarType,
      optional: !!opt,
      updatedAt: /@updatedAt\b/.test(attrs),
    };
    const def = attrBody(attrs, "@default");
    if (def !== undefined && def !== "") {
      const d = def.trim();
      if (d === "autoincrement()") col.default = { kind: "autoincrement" };
      else if (d === "now()") col.default = { kind: "now" };
      else if (/^(cuid|uuid|nanoid|ulid)\(/.test(d)) col.default = { kind: "client" };
      else if (/^".*"$/.test(d)) col.default = { kind: "literal", value: unquote(d) };
      else if (d === "true" || d === "false") col.default = { kind: "literal", value: d === "true" };
      else if (/^-?\d+(\.\d+)?$/.test(d)) col.default = { kind: "literal", value: Number(d) };
      else throw new Error(`schema-model: ${raw.name}.${field}: unsupported default ${d}`);
    }
    t.columns.push(col);
    if (/@id\b/.test(attrs)) t.primaryKey = [col.column];
    if (/@unique\b/.test(attrs)) t.uniques.push({ name: "", columns: [col.column] });
  }
  for (const a of blockAttrs) {
    const body = (name: string) => attrBody(a, name);
    if (a.startsWith("@@map(")) t.table = unquote(body("@@map")!.trim());
    else if (a.startsWith("@@id(")) t.primaryKey = listArg(body("@@id")!.replace(/fields\s*:/, "")).map((f) => columnOf(t, f));
    else if (a.startsWith("@@unique(")) {
      const b = body("@@unique")!;
      t.uniques.push({ name: unquote(namedArg(b, "name") ?? namedArg(b, "map") ?? ""), columns: listArg(b.replace(/(name|map)\s*:\s*"[^"]*"/g, "").replace(/fields\s*:/, "")).map((f) => columnOf(t, f)) });
    } else if (a.startsWith("@@index(")) {
      const b = body("@@index")!;
      t.indexes.push({ name: unquote(namedArg(b, "map") ?? namedArg(b, "name") ?? ""), columns: listArg(b.replace(/(name|map)\s*:\s*"[^"]*"/g, "").replace(/fields\s*:/, "")).map((f) => columnOf(t, f)) });
    } else throw new Error(`schema-model: unsupported block attribute ${a} in ${raw.name}`);
  }
  if (t.primaryKey.length === 0) throw new Error(`schema-model: ${raw.name} has no primary key`);
  for (const u of t.uniques) if (!u.name) u.name = `${t.table}_${u.columns.join("_")}_key`;
  for (const i of t.indexes) if (!i.name) i.name = `${t.table}_${i.columns.join("_")}_idx`;
  for (const r of relations) {
    const rel = attrBody(r.attrs, "@relation");
    const fields = rel === undefined ? undefined : namedArg(rel, "fields");
    if (!fields) continue; // the back-relation side holds no column
    const columns = listArg(fields).map((f) => columnOf(t, f));
    const optional = columns.every((c) => t.columns.find((x) => x.column === c)!.optional);
    const onDelete = rel && namedArg(rel, "onDelete");
    t.foreignKeys.push({
      name: `${t.table}_${columns.join("_")}_fkey`,
      columns,
      table: r.type,
      references: listArg(namedArg(rel!, "references") ?? ""),
      optional,
      onDelete: onDelete ? sqlAction(onDelete) : optional ? "SET NULL" : "RESTRICT",
    });
  }
  return t;
}

function sqlAction(prismaAction: string): string {
  const map: Record<string, string> = { Cascade: "CASCADE", Restrict: "RESTRICT", NoAction: "NO ACTION", SetNull: "SET NULL", SetDefault: "SET DEFAULT" };
  const a = map[prismaAction];
  if (!a) throw new Error(`schema-model: unknown referential action ${prismaAction}`);
  return a;
}

/** The column type Prisma's migration engine uses for each scalar, per dialect. */
export function sqlType(type: ScalarType, dialect: Dialect): string {
  const sqlite: Record<ScalarType, string> = { String: "TEXT", Int: "INTEGER", BigInt: "BIGINT", Boolean: "BOOLEAN", Float: "REAL", DateTime: "DATETIME", Json: "JSONB" };
  const pg: Record<ScalarType, string> = { String: "TEXT", Int: "INTEGER", BigInt: "BIGINT", Boolean: "BOOLEAN", Float: "DOUBLE PRECISION", DateTime: "TIMESTAMP(3)", Json: "JSONB" };
  return (dialect === "sqlite" ? sqlite : pg)[type];
}

function sqlDefault(c: ColumnModel): string {
  const d = c.default;
  if (!d || d.kind === "client" || d.kind === "autoincrement") return "";
  if (d.kind === "now") return " DEFAULT CURRENT_TIMESTAMP";
  if (typeof d.value === "string") return ` DEFAULT '${d.value.replace(/'/g, "''")}'`;
  return ` DEFAULT ${String(d.value)}`;
}

const q = (s: string) => `"${s}"`;

/** CREATE TABLE / INDEX statements as Prisma's engine would write them for a new model. */
export function createTableSql(t: TableModel, dialect: Dialect): string {
  const lines: string[] = [];
  const singlePk = t.primaryKey.length === 1 ? t.primaryKey[0] : undefined;
  for (const c of t.columns) {
    const auto = c.default?.kind === "autoincrement";
    if (dialect === "sqlite") {
      let l = `    ${q(c.column)} ${auto ? "INTEGER" : sqlType(c.type, dialect)}${c.optional ? "" : " NOT NULL"}`;
      if (c.column === singlePk) l += auto ? " PRIMARY KEY AUTOINCREMENT" : " PRIMARY KEY";
      lines.push(l + sqlDefault(c));
    } else {
      const type = auto ? (c.type === "BigInt" ? "BIGSERIAL" : "SERIAL") : sqlType(c.type, dialect);
      lines.push(`    ${q(c.column)} ${type}${c.optional ? "" : " NOT NULL"}${sqlDefault(c)}`);
    }
  }
  if (dialect === "sqlite") {
    if (!singlePk) lines.push(`\n    PRIMARY KEY (${t.primaryKey.map(q).join(", ")})`);
    for (const fk of t.foreignKeys) {
      lines.push(`    CONSTRAINT ${q(fk.name)} FOREIGN KEY (${fk.columns.map(q).join(", ")}) REFERENCES ${q(fk.table)} (${fk.references.map(q).join(", ")}) ON DELETE ${fk.onDelete} ON UPDATE CASCADE`);
    }
  } else {
    lines.push(`\n    CONSTRAINT ${q(`${t.table}_pkey`)} PRIMARY KEY (${t.primaryKey.map(q).join(",")})`);
  }
  let sql = `-- CreateTable\nCREATE TABLE ${q(t.table)} (\n${lines.join(",\n")}\n);\n`;
  for (const u of t.uniques) sql += `\n-- CreateIndex\nCREATE UNIQUE INDEX ${q(u.name)} ON ${q(t.table)}(${u.columns.map(q).join(", ")});\n`;
  for (const i of t.indexes) sql += `\n-- CreateIndex\nCREATE INDEX ${q(i.name)} ON ${q(t.table)}(${i.columns.map(q).join(", ")});\n`;
  if (dialect === "postgres") {
    for (const fk of t.foreignKeys) {
      sql += `\n-- AddForeignKey\nALTER TABLE ${q(t.table)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${fk.columns.map(q).join(", ")}) REFERENCES ${q(fk.table)}(${fk.references.map(q).join(", ")}) ON DELETE ${fk.onDelete} ON UPDATE CASCADE;\n`;
    }
  }
  return sql;
}

export const schemaDir = path.join(__dirname, "schema");

export function loadTables(dir = schemaDir): TableModel[] {
  return parseSchema(readSchemaFolder(dir));
}

// `npm run db:sql -- <Model> [<Model> ...]` prints both dialects' DDL for new models.
if (require.main === module) {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const tables = loadTables().filter((t) => wanted.length === 0 || wanted.includes(t.model));
  for (const dialect of ["sqlite", "postgres"] as const) {
    console.log(`-- ===== ${dialect} (server/db/migrations/${dialect}/<timestamp>_<name>/migration.sql)`);
    for (const t of tables) console.log(createTableSql(t, dialect));
  }
}
