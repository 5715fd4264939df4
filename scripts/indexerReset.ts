// `npm run indexer:reset`: clears the indexer's chain tables (projections, history, undo journal, block
// hashes, its state row) of the database named by DATABASE_URL, keeping the API's own tables (API keys,
// sessions, idempotency records, documents, financing requests and quotes, the audit log). The recovery
// after REORG_TOO_DEEP or CHAIN_RESET: reset, then start the indexer, which re-indexes from the
// deployment's start block. Refuses while an indexer is running: on PostgreSQL it must get the indexer's
// writer lock itself (and holds it while clearing, so no indexer starts half-way); on SQLite, where there
// is no such lock, an indexer heartbeat younger than INDEXER_RESET_MIN_SILENCE_SECONDS (default 30) refuses.
import { Client } from "pg";
import { z } from "zod";
import { loadDatabaseConfig } from "../server/config";
import { ConfigError, intVar, parseEnv } from "../server/config/env";
import { migrate } from "../server/db/migrate";
import { openSql, type Sql } from "../server/db/sql";
import { readIndexerState } from "../server/api/projection";
import { INDEXER_LOCK_KEY } from "../server/indexer/lock";
import { resetChainTables } from "../server/indexer/store";

export class ResetRefusedError extends Error {
  override name = "ResetRefusedError";
}

async function main(): Promise<void> {
  const { url } = loadDatabaseConfig(process.env);
  const { INDEXER_RESET_MIN_SILENCE_SECONDS: silence } = parseEnv(
    z.object({ INDEXER_RESET_MIN_SILENCE_SECONDS: intVar().default(30) }),
    process.env,
  );
  let lock: Client | undefined;
  let sql: Sql | undefined;
  try {
    sql = openSql(url);
    await migrate({ sql });
    if (sql.dialect === "postgres") {
      lock = new Client({ connectionString: url });
      await lock.connect();
      const got = await lock.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [INDEXER_LOCK_KEY]);
      if (!got.rows[0]?.ok) {
        throw new ResetRefusedError("an indexer holds the writer lock (it is running, possibly as a standby that took over): stop every indexer first, then run this again");
      }
    }
    const before = await readIndexerState(sql);
    if (sql.dialect === "sqlite" && before !== undefined && before.phase !== "failed" && before.phase !== "stopped" && Date.now() - before.updatedAtMs < silence * 1000) {
      throw new ResetRefusedError(
        `an indexer wrote ${Math.round((Date.now() - before.updatedAtMs) / 1000)} s ago (phase ${before.phase}): stop it first, or wait ${silence} s after it died`,
      );
    }
    await resetChainTables(sql);
    console.log(
      before === undefined
        ? "indexer:reset: the chain tables were already empty; nothing to clear"
        : `indexer:reset: cleared the chain tables (checkpoint was block ${before.checkpointBlock}, phase ${before.phase}${before.lastError ? `, last error ${before.lastError}` : ""}); kept the API's tables. Start the indexer to re-index from the start block.`,
    );
  } finally {
    await lock?.end().catch(() => undefined); // ending the session releases the lock
    await sql?.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError || e instanceof ResetRefusedError ? e.message : e);
  process.exit(1);
});
