// The migrated database is what the generated Prisma clients expect, on SQLite and PostgreSQL:
// the structure matches the schema, and every model accepts create / read / update / count / delete
// through the client with every scalar field set (so every column exists with a type the client
// can write and read back exactly). Also: the runner is idempotent and refuses changed or unknown
// migrations.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../../server/db/client";
import { migrate, listMigrations, migrationsRoot, MigrationError } from "../../../server/db/migrate";
import { checkSchema } from "../../../server/db/schema-check";
import { loadTables, type ColumnModel, type TableModel } from "../../../server/db/schema-model";
import { openSql } from "../../../server/db/sql";
import { announceDialects, freshDatabase, testDialects, type FreshDatabase } from "./fresh";

const tables = loadTables();

function delegateName(model: string): string {
  return model[0]!.toLowerCase() + model.slice(1);
}

/** A value for `column` of row `n` of `table`; foreign keys take the referenced row's value. */
function valueFor(table: TableModel, c: ColumnModel, n: number): unknown {
  const fk = table.foreignKeys.find((f) => f.columns.includes(c.column));
  if (fk) {
    const target = tables.find((t) => t.table === fk.table)!;
    const refCol = target.columns.find((x) => x.column === fk.references[fk.columns.indexOf(c.column)])!;
    return valueFor(target, refCol, n);
  }
  switch (c.type) {
    case "String":
      // Wider than any 256-bit decimal so a truncating column would show.
      return `${c.field}-${n}-${"9".repeat(80)}`;
    case "Int":
      return 2_000_000_000 - n;
    case "BigInt":
      return (1n << 62n) + 12345n + BigInt(n); // beyond 2^53: must come back exact
    case "Boolean":
      return n % 2 === 0;
    case "Float":
      return 1234.5 + n;
    case "DateTime":
      return new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678) + n * 1000);
    case "Json":
      return { n, list: [1, "two", null], nested: { big: "115792089237316195423570985008687907853269984665640564039457584007913129639935" } };
  }
}

function rowFor(t: TableModel, n: number): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const c of t.columns) if (c.default?.kind !== "autoincrement") data[c.field] = valueFor(t, c, n);
  return data;
}

function normalise(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return `${v}n`;
  return v;
}

/** Models ordered so that every relation's target is created first. */
function creationOrder(): TableModel[] {
  const done: TableModel[] = [];
  const pending = [...tables];
  while (pending.length) {
    const i = pending.findIndex((t) => t.foreignKeys.every((fk) => fk.table === t.table || done.some((d) => d.table === fk.table)));
    if (i < 0) throw new Error("relation cycle between models; extend this test");
    done.push(pending.splice(i, 1)[0]!);
  }
  return done;
}

describe("database: migrations and generated clients", function () {
  before(announceDialects);

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, function () {
      let fresh: FreshDatabase;
      let db: Db;

      before(async function () {
        fresh = await freshDatabase(dialect, "migrations");
        db = await openDatabase({ url: fresh.url });
      });
      after(async function () {
        await db?.close();
        await fresh?.drop();
      });

      it("applies every migration once, then none", async function () {
        const names = listMigrations(dialect).map((m) => m.name);
        const again = await migrate({ sql: db.sql });
        expect(again.applied).to.deep.equal([]);
        expect(again.alreadyApplied).to.deep.equal(names);
        const rows = await db.sql.query<{ name: string }>(`SELECT "name" FROM "_migrations" ORDER BY "name"`);
        expect(rows.map((r) => r.name)).to.deep.equal(names);
      });

      it("has exactly the tables, columns, types, keys and indexes of the Prisma schema", async function () {
        expect(await checkSchema(db.sql, tables)).to.deep.equal([]);
      });

      it("accepts create, read, update, count and delete of every model with every field set", async function () {
        const prisma = db.prisma as unknown as Record<string, Record<string, (args?: unknown) => Promise<unknown>>>;
        const order = creationOrder();
        for (const t of order) {
          const delegate = prisma[delegateName(t.model)]!;
          expect(delegate, `client delegate for ${t.model}`).to.not.equal(undefined);
          for (const n of [1, 2]) await delegate.create!({ data: rowFor(t, n) });
          const row2 = rowFor(t, 2);
          const where: Record<string, unknown> = {};
          const pkFields = t.primaryKey.map((col) => t.columns.find((c) => c.column === col)!);
          const auto = pkFields.some((c) => c.default?.kind === "autoincrement");
          const found = (auto
            ? await delegate.findFirst!({ orderBy: { [pkFields[0]!.field]: "desc" } })
            : await delegate.findFirst!({ where: Object.fromEntries(pkFields.map((c) => [c.field, row2[c.field]])) })) as Record<string, unknown>;
          for (const [field, value] of Object.entries(row2)) {
            expect(normalise(found[field]), `${t.model}.${field} read back`).to.deep.equal(normalise(value));
          }
          for (const c of pkFields) where[c.field] = found[c.field];
          // Every optional column accepts null, every non-key column accepts a new value.
          const update: Record<string, unknown> = {};
          for (const c of t.columns) {
            if (t.primaryKey.includes(c.column) || t.foreignKeys.some((f) => f.columns.includes(c.column))) continue;
            update[c.field] = c.optional ? null : valueFor(t, c, 3);
          }
          if (Object.keys(update).length) await delegate.updateMany!({ where, data: update });
          expect(await delegate.count!()).to.equal(2);
        }
        for (const t of [...order].reverse()) {
          await prisma[delegateName(t.model)]!.deleteMany!({});
          expect(await prisma[delegateName(t.model)]!.count!()).to.equal(0);
        }
      });
    });
  }

  describe("the runner", function () {
    let dir: string;
    beforeEach(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-mig-"));
      fs.cpSync(migrationsRoot, dir, { recursive: true });
    });
    afterEach(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a migration whose file changed after it was applied", async function () {
      const sql = openSql(`file:${path.join(dir, "x.db")}`);
      try {
        await migrate({ sql, root: dir });
        const first = listMigrations("sqlite", dir)[0]!;
        fs.appendFileSync(path.join(dir, "sqlite", first.name, "migration.sql"), "\n-- edited\n");
        const err = await migrate({ sql, root: dir }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(MigrationError);
        expect((err as Error).message).to.contain(`migration ${first.name} was changed after it was applied`);
      } finally {
        await sql.close();
      }
    });

    it("refuses a database migrated by newer code", async function () {
      const sql = openSql(`file:${path.join(dir, "y.db")}`);
      try {
        fs.mkdirSync(path.join(dir, "sqlite", "29991231000000_future"));
        fs.writeFileSync(path.join(dir, "sqlite", "29991231000000_future", "migration.sql"), `CREATE TABLE "future" ("id" TEXT NOT NULL PRIMARY KEY);`);
        await migrate({ sql, root: dir });
        fs.rmSync(path.join(dir, "sqlite", "29991231000000_future"), { recursive: true });
        const err = await migrate({ sql, root: dir }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(MigrationError);
        expect((err as Error).message).to.contain("the database has migrations this code does not know: 29991231000000_future");
      } finally {
        await sql.close();
      }
    });

    it("rolls back a failing migration entirely and records nothing", async function () {
      const sql = openSql(`file:${path.join(dir, "z.db")}`);
      try {
        fs.mkdirSync(path.join(dir, "sqlite", "29991231000000_broken"));
        fs.writeFileSync(path.join(dir, "sqlite", "29991231000000_broken", "migration.sql"), `CREATE TABLE "half" ("id" TEXT);\nTHIS IS NOT SQL;`);
        const err = await migrate({ sql, root: dir }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(Error);
        const half = await sql.query(`SELECT name FROM sqlite_master WHERE name = 'half'`);
        expect(half).to.deep.equal([]);
        const recorded = await sql.query(`SELECT name FROM "_migrations" WHERE name = '29991231000000_broken'`);
        expect(recorded).to.deep.equal([]);
      } finally {
        await sql.close();
      }
    });

    if (process.env.TEST_POSTGRES_URL) {
      it("lets two processes migrate the same PostgreSQL database at once", async function () {
        const fresh = await freshDatabase("postgres", "concurrent");
        const a = openSql(fresh.url);
        const b = openSql(fresh.url);
        try {
          const [ra, rb] = await Promise.all([migrate({ sql: a }), migrate({ sql: b })]);
          expect([...ra.applied, ...rb.applied].sort()).to.deep.equal(listMigrations("postgres").map((m) => m.name));
        } finally {
          await a.close();
          await b.close();
          await fresh.drop();
        }
      });
    }
  });
});
