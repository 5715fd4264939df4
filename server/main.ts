/**
 * The API as its own process: reads its environment (bad values stop it with the variable's name),
 * opens and migrates the database, connects to the chain named by RPC_URL and the deployment record,
 * unlocks the custodial keystore, listens, and shuts down gracefully on SIGINT/SIGTERM (stops taking
 * connections, finishes in-flight requests, closes the database). It never writes chain projections:
 * run the indexer next to it (or use `npm start`, which runs both).
 *
 * It never issues keys: the first operator API key comes from `npm run bootstrap`, once per database
 * (with several API processes, printing it from whichever started first would lose or leak it).
 * Supervisors run it as `node -r ts-node/register/transpile-only server/main.ts` — npm does not forward
 * signals to its child.
 */
import { JsonRpcProvider } from "ethers";
import { loadApiConfig } from "./config/api";
import { loadChainEnv, loadDatabaseConfig } from "./config";
import { openDatabase } from "./db/client";
import { loadDeployment } from "./lib/deployment";
import { createLogger } from "./lib/logger";
import { startApiServer } from "./api/server";
import { observedBlockTimeMs, receiptPollMs } from "./signing/signers";

async function main(): Promise<void> {
  const apiConfig = loadApiConfig(process.env);
  const chainEnv = loadChainEnv(process.env);
  const dbConfig = loadDatabaseConfig(process.env);
  const logger = createLogger({ name: "api", level: apiConfig.API_LOG_LEVEL });
  const deployment = loadDeployment(chainEnv);
  const db = await openDatabase({ url: dbConfig.url, log: (m) => logger.info(m) });
  // The network is detected once: otherwise ethers asks the node for its chain id alongside most calls.
  const provider = new JsonRpcProvider(chainEnv.RPC_URL, undefined, { staticNetwork: true });
  // ethers polls every 4 s by default, slower than most chains make blocks: follow the chain instead.
  const pollMs = chainEnv.RPC_POLL_MS ?? receiptPollMs(await observedBlockTimeMs(provider));
  provider.pollingInterval = pollMs;
  const api = await startApiServer({ db, provider, deployment, config: apiConfig, logger, pollMs });

  const operators = await db.prisma.apiKey.count({ where: { subjectKind: "OPERATOR", revokedAtMs: null } });
  if (operators === 0) logger.warn("api: the database has no operator API key yet; issue one with `npm run bootstrap`");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.warn({ signal }, "api: shutting down (no new connections; finishing requests in flight)");
    const force = setTimeout(() => {
      logger.error("api: requests still running after 10 s; exiting anyway");
      process.exit(1);
    }, 10_000);
    force.unref();
    await api.close();
    provider.destroy();
    await db.close();
    logger.warn({ signal }, "api: stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
