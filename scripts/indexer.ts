// Runs the indexer on its own: `npm run indexer`, or — under a supervisor (systemd, a container runtime),
// which must signal the node process itself because npm does not forward signals to its child —
// `node --max-old-space-size=128 -r ts-node/register/transpile-only scripts/indexer.ts`.
// Reads DATABASE_URL, RPC_URL, NETWORK / DEPLOYMENT_FILE / RECEIVABLE_TOKEN_ADDRESS, CONFIRMATIONS,
// REORG_WINDOW, ... (server/config). On SIGINT/SIGTERM it logs, finishes the block it is applying, releases
// the writer lock (a standby takes over) and exits 0; exits 1 on a fatal error.
import { loadChainEnv } from "../server/config/chain";
import { ConfigError } from "../server/config/env";
import { runIndexerFromEnv } from "../server/indexer/main";
import { createLogger } from "../server/lib/logger";

async function main(): Promise<void> {
  const logger = createLogger({ name: "indexer", level: loadChainEnv(process.env).LOG_LEVEL });
  const running = await runIndexerFromEnv({ logger });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.warn({ signal }, "indexer: shutting down (finishing the current block, releasing the writer lock)");
    void running.stop().then(() => {
      const { checkpoint } = running.indexer.status();
      logger.warn({ signal, checkpoint }, "indexer: stopped");
      process.exit(0);
    });
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  await running.done;
}

main().catch((e: unknown) => {
  const err = e as Error & { code?: string };
  console.error(e instanceof ConfigError ? err.message : `indexer stopped: ${err.code ? `[${err.code}] ` : ""}${err.message}`);
  process.exit(1);
});
