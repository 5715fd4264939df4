/**
 * The API as its own process: reads its environment (bad values stop it with the variable's name),
 * opens and migrates the database, connects to the chain named by RPC_URL and the deployment record,
 * unlocks the custodial keystore, listens, and shuts down gracefully on SIGINT/SIGTERM (stops taking
 * connections, finishes in-flight requests, closes the database). It never writes chain projections:
 * run the indexer next to it (or use `npm start`, which runs both).
 *
 * On a database without any operator API key it issues one and prints it once to stdout.
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
  const provider = new JsonRpcProvider(chainEnv.RPC_URL);
  // ethers polls every 4 s by default, slower than most chains make blocks: follow the chain instead.
  const pollMs = chainEnv.RPC_POLL_MS ?? receiptPollMs(await observedBlockTimeMs(provider));
  provider.pollingInterval = pollMs;
  const api = await startApiServer({ db, provider, deployment, config: apiConfig, logger, pollMs });

  const operators = await db.prisma.apiKey.count({ where: { subjectKind: "OPERATOR", revokedAtMs: null } });
  if (operators === 0) {
    const issued = await api.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "OPERATOR" }, label: "bootstrap operator" });
    // stdout, not the log: the key is shown once to whoever started the server.
    process.stdout.write(`operator API key (shown once): ${issued.token}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "api: shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await api.close();
    provider.destroy();
    await db.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
