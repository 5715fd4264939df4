// Generates the two Prisma clients (SQLite and PostgreSQL) from the one schema in server/db/schema.
//
// A Prisma schema names exactly one provider, and the generated client refuses a driver adapter of
// another provider. So the PostgreSQL client is generated from a copy of the schema folder with only
// the provider and output path swapped; the models are identical, so both clients share one type
// (see client.ts). Runs offline: the schema-engine stand-in only answers the version probe.
//
// Skips the work when the schema files have not changed since the last run (npm test, start and
// install all call this).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const dbDir = __dirname;
const schemaDir = path.join(dbDir, "schema");
const generatedDir = path.join(dbDir, "generated");
const stampFile = path.join(generatedDir, ".schema-hash");

export const PROVIDERS = ["sqlite", "postgres"] as const;

function schemaFiles(): string[] {
  return fs
    .readdirSync(schemaDir)
    .filter((f) => f.endsWith(".prisma"))
    .sort();
}

function schemaHash(): string {
  const hash = createHash("sha256");
  for (const f of schemaFiles()) hash.update(f).update("\0").update(fs.readFileSync(path.join(schemaDir, f)));
  // The stamp also covers the CLI version, so an upgrade regenerates.
  hash.update((JSON.parse(fs.readFileSync(require.resolve("prisma/package.json"), "utf8")) as { version: string }).version);
  return hash.digest("hex");
}

function prismaGenerate(schemaPath: string): void {
  const cli = require.resolve("prisma/build/index.js");
  execFileSync(process.execPath, [cli, "generate", "--schema", schemaPath], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: path.join(dbDir, "schema-engine-offline.sh"),
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
}

export function generateClients({ force = false }: { force?: boolean } = {}): boolean {
  const hash = schemaHash();
  const upToDate =
    !force &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, "utf8") === hash &&
    PROVIDERS.every((p) => fs.existsSync(path.join(generatedDir, p, "client.ts")));
  if (upToDate) return false;

  prismaGenerate(schemaDir);

  // PostgreSQL copy: same files, provider and output swapped in base.prisma only.
  const pgSchemaDir = path.join(generatedDir, "schema-postgres");
  fs.rmSync(pgSchemaDir, { recursive: true, force: true });
  fs.mkdirSync(pgSchemaDir, { recursive: true });
  for (const f of schemaFiles()) {
    let text = fs.readFileSync(path.join(schemaDir, f), "utf8");
    if (/^\s*datasource\s+\w+\s*\{/m.test(text)) {
      const swapped = text
        .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
        .replace(/output\s*=\s*"\.\.\/generated\/sqlite"/, 'output = "../postgres"');
      if (swapped === text || !swapped.includes('"postgresql"') || !swapped.includes('"../postgres"')) {
        throw new Error(`server/db/generate.ts: cannot swap provider/output in ${f}`);
      }
      text = swapped;
    }
    fs.writeFileSync(path.join(pgSchemaDir, f), text);
  }
  prismaGenerate(pgSchemaDir);

  fs.writeFileSync(stampFile, hash);
  return true;
}

if (require.main === module) {
  const generated = generateClients({ force: process.argv.includes("--force") });
  console.log(generated ? "db:generate: Prisma clients generated (sqlite, postgres)" : "db:generate: up to date");
}
