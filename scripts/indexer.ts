// Runs the indexer on its own: `npx ts-node --transpile-only scripts/indexer.ts` (or `npm run indexer`).
// Reads DATABASE_URL, RPC_URL, NETWORK / DEPLOYMENT_FILE / RECEIVABLE_TOKEN_ADDRESS, CONFIRMATIONS,
// REORG_WINDOW, ... (server/config). Stops cleanly on SIGINT/SIGTERM; exits 1 on a fatal error.
import { ConfigError } from "../server/config/env";
import { runIndexerFromEnv } from "../server/indexer/main";

async function main(): Promise<void> {
  const running = await runIndexerFromEnv();
  const shutdown = () => {
    void running.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  await running.done;
}

main().catch((e: unknown) => {
  const err = e as Error & { code?: string };
  console.error(e instanceof ConfigError ? err.message : `indexer stopped: ${err.code ? `[${err.code}] ` : ""}${err.message}`);
  process.exit(1);
});
