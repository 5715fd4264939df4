// Which chain and which deployment. Addresses and the start block come from deployments/<NETWORK>.json
// (written by scripts/deploy.ts) unless DEPLOYMENT_FILE points elsewhere or RECEIVABLE_TOKEN_ADDRESS
// (+ the others) give them directly.
import { z } from "zod";
import { addressVar, intVar, logLevelVar, parseEnv, urlVar, type Env } from "./env";

const schema = z.object({
  RPC_URL: urlVar(["http://", "https://", "ws://", "wss://"]).default("http://127.0.0.1:8545"),
  NETWORK: z.string().regex(/^[a-zA-Z0-9_-]+$/, "must be a deployment name like localhost").default("localhost"),
  DEPLOYMENT_FILE: z.string().optional(),
  CHAIN_ID: intVar({ min: 1 }).optional(),
  RECEIVABLE_TOKEN_ADDRESS: addressVar().optional(),
  FINANCING_SETTLEMENT_ADDRESS: addressVar().optional(),
  REPAYMENT_VAULT_ADDRESS: addressVar().optional(),
  RISK_PROGRAMME_ADDRESS: addressVar().optional(),
  START_BLOCK: intVar().optional(),
  RPC_TIMEOUT_MS: intVar({ min: 100 }).default(10_000),
  /** How often the API polls for receipts and new blocks (ms); by default a quarter of the chain's block time (50 ms..1 s). */
  RPC_POLL_MS: intVar({ min: 10, max: 60_000 }).optional(),
  LOG_LEVEL: logLevelVar().default("info"),
});

export type ChainEnv = z.infer<typeof schema>;

export function loadChainEnv(env: Env = process.env): ChainEnv {
  return parseEnv(schema, env);
}
