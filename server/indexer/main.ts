// Starts the indexer from the environment: the standalone `scripts/indexer.ts` and the embedded
// system (scripts/start.ts) both call runIndexerFromEnv. Configuration errors throw ConfigError
// naming the variable; the returned `done` rejects on a fatal indexer error.
import { loadChainEnv } from "../config/chain";
import { loadDatabaseConfig } from "../config/database";
import { loadIndexerConfig, type IndexerConfig } from "../config/indexer";
import type { Env } from "../config/env";
import { openDatabase, type Db } from "../db/client";
import { loadDeployment, type Deployment } from "../lib/deployment";
import { createLogger, type Logger } from "../lib/logger";
import { createHttpTransport } from "../lib/rpc";
import { createIndexer, type Indexer, type IndexerStatus } from "./indexer";
import { resetChainTables } from "./store";

export interface RunningIndexer {
  indexer: Indexer;
  db: Db;
  deployment: Deployment;
  config: IndexerConfig;
  /** Settles when the indexer stops: resolves after stop(), rejects on a fatal error. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export interface RunIndexerOptions {
  env?: Env;
  logger?: Logger;
  /** Overrides the deployment record / environment. */
  deployment?: Deployment;
  /** Clears the chain tables (not the API's) before starting: for an embedded system that starts a
   * brand-new chain each time, where the old rows describe a chain that no longer exists. */
  freshChainTables?: boolean;
}

export async function runIndexerFromEnv({ env = process.env, logger, deployment, freshChainTables = false }: RunIndexerOptions = {}): Promise<RunningIndexer> {
  const chain = loadChainEnv(env);
  const config = loadIndexerConfig(env);
  const { url } = loadDatabaseConfig(env);
  const log = logger ?? createLogger({ name: "indexer", level: chain.LOG_LEVEL });
  const dep = deployment ?? loadDeployment(chain);
  const db = await openDatabase({ url, log: (m) => log.info(m) });
  if (freshChainTables) await resetChainTables(db.sql);
  const indexer = createIndexer({
    provider: createHttpTransport(chain.RPC_URL, { timeoutMs: chain.RPC_TIMEOUT_MS }),
    db,
    config,
    deployment: dep,
    logger: log,
  });
  const done = indexer.start();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await db.close();
  };
  // Close the database whichever way the indexer ends.
  const settled = done.then(close, async (e: unknown) => {
    await close();
    throw e;
  });
  return {
    indexer,
    db,
    deployment: dep,
    config,
    done: settled,
    async stop() {
      await indexer.stop();
      await settled.catch(() => {});
    },
  };
}

/** One human line for consoles (npm start): "indexer live: block 120 of 120 (lag 0), 3,456 events, 0 events/s". */
export function describeStatus(s: IndexerStatus): string {
  const n = (x: number | bigint) => x.toLocaleString("en-US");
  return `indexer ${s.phase}: block ${n(Math.max(0, s.checkpoint))} of ${n(s.head)} (lag ${n(s.lag)}), ${n(s.eventsTotal)} events, ${n(Math.round(s.eventsPerSecond))} events/s${s.lastError && s.phase !== "live" ? ` — last error: ${s.lastError}` : ""}`;
}
