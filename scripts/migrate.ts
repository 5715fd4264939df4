// `npm run db:migrate`: applies pending SQL migrations to DATABASE_URL (SQLite file by default).
// The indexer and the API also migrate at start-up; this is for operators and CI.
import { loadDatabaseConfig } from "../server/config/database";
import { openSql } from "../server/db/sql";
import { migrate } from "../server/db/migrate";

async function main(): Promise<void> {
  const { url } = loadDatabaseConfig();
  const sql = openSql(url);
  try {
    const result = await migrate({ sql, log: (m) => console.log(m) });
    console.log(`db:migrate: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied (${url.replace(/\/\/[^@]*@/, "//***@")})`);
  } finally {
    await sql.close();
  }
}

main().catch((e: unknown) => {
  console.error(`db:migrate failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
