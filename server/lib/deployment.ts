// The deployment record scripts/deploy.ts writes (deployments/<network>.json), or the same facts from
// the environment. The indexer reads its contract addresses and start block from here.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { ChainEnv } from "../config/chain";
import { ConfigError } from "../config/env";
import { projectRoot } from "./abi";
import { toAddress } from "./encode";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  startBlock: z.number().int().nonnegative(),
  contracts: z
    .object({
      ReceivableToken: address,
      FinancingSettlement: address.optional(),
      RepaymentVault: address.optional(),
      SettlementToken: address.optional(),
    })
    .catchall(address),
  local: z.literal(true).optional(),
});

export interface Deployment {
  chainId?: number;
  startBlock: number;
  /** Contract name → lower-case address. */
  contracts: Record<string, string>;
  /** Written by `npm start` for its own local development chain (see `isLocalDevelopmentChain`). */
  local?: boolean;
}

/** Hardhat's and anvil's development chain id. */
export const DEVELOPMENT_CHAIN_ID = 31337n;

/**
 * Whether the chain is a local development chain, where the operator's faucet may mint test cash: the
 * node reports the development chain id 31337 AND the deployment record says `local: true` (only
 * `npm start` writes it, for the node it started itself). A record from a real network never has the
 * flag, and a real network never has chain id 31337; either alone refuses the faucet.
 */
export function isLocalDevelopmentChain(chainId: bigint, deployment: Pick<Deployment, "local">): boolean {
  return chainId === DEVELOPMENT_CHAIN_ID && deployment.local === true;
}

/** The contracts whose events the indexer projects (others in the record, e.g. SettlementToken, are not indexed). */
export const INDEXED_CONTRACTS = ["ReceivableToken", "FinancingSettlement", "RepaymentVault", "RiskProgramme"] as const;

export function deploymentPath(network: string, root = projectRoot): string {
  return path.join(root, "deployments", `${network}.json`);
}

export function readDeploymentFile(file: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`cannot read the deployment record ${file}: ${(e as Error).message} (deploy first, or set RECEIVABLE_TOKEN_ADDRESS)`);
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`deployment record ${file} is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return normalise(parsed.data);
}

function normalise(d: { chainId?: number; startBlock: number; contracts: Record<string, string | undefined>; local?: boolean }): Deployment {
  const contracts: Record<string, string> = {};
  for (const [name, addr] of Object.entries(d.contracts)) if (addr) contracts[name] = toAddress(addr);
  return { chainId: d.chainId, startBlock: d.startBlock, contracts, ...(d.local === true ? { local: true } : {}) };
}

/** From RECEIVABLE_TOKEN_ADDRESS (+ FINANCING_SETTLEMENT_ADDRESS, REPAYMENT_VAULT_ADDRESS, RISK_PROGRAMME_ADDRESS, START_BLOCK, CHAIN_ID) if set, else the file. */
export function loadDeployment(env: ChainEnv, root = projectRoot): Deployment {
  if (env.RECEIVABLE_TOKEN_ADDRESS) {
    return normalise({
      chainId: env.CHAIN_ID,
      startBlock: env.START_BLOCK ?? 0,
      contracts: {
        ReceivableToken: env.RECEIVABLE_TOKEN_ADDRESS,
        FinancingSettlement: env.FINANCING_SETTLEMENT_ADDRESS,
        RepaymentVault: env.REPAYMENT_VAULT_ADDRESS,
        RiskProgramme: env.RISK_PROGRAMME_ADDRESS,
      },
    });
  }
  const file = env.DEPLOYMENT_FILE ? path.resolve(env.DEPLOYMENT_FILE) : deploymentPath(env.NETWORK, root);
  const d = readDeploymentFile(file);
  return env.START_BLOCK === undefined ? d : { ...d, startBlock: env.START_BLOCK };
}
