/**
 * What every use case needs: the database (projections to read, API tables to write), the chain
 * (contracts to call, signers to send with) and a clock. Built once by `createDomain`, shared by routes
 * and scripts.
 */
import type { Interface, Provider } from "ethers";
import type { PrismaClient } from "../db/client";
import type { SignerRegistry } from "../signing/signers";
import type { Reads } from "./reads";
import {
  IERC20Errors__factory,
  IFinancingSettlement__factory,
  IReceivableToken__factory,
  IRepaymentVault__factory,
  IERC20__factory,
  type IERC20,
  type IFinancingSettlement,
  type IReceivableToken,
  type IRepaymentVault,
} from "../../typechain-types";

export interface ContractAddresses {
  /** The receivable token (which is also the organisation registry). */
  ledger: string;
  financing?: string;
  vault?: string;
  /** The settlement token of the embedded world (informational; each receivable names its own). */
  currency?: string;
}

export interface ChainContext {
  provider: Provider;
  chainId: bigint;
  addresses: ContractAddresses;
  ledger: IReceivableToken;
  financing: IFinancingSettlement | undefined;
  vault: IRepaymentVault | undefined;
  erc20(address: string): IERC20;
  signers: SignerRegistry;
  /** ABIs of every project contract, for decoding reverts and events. */
  interfaces: readonly Interface[];
}

export interface DomainContext {
  db: PrismaClient;
  /** Hot read paths in plain SQL on the API's own read connection (see reads.ts). */
  reads: Reads;
  chain: ChainContext;
  now: () => Date;
  /**
   * Waits (briefly) until the indexer has committed `blockNumber`, so that a write's answer is followed
   * by reads that already show it. Resolves false on timeout: the write still happened.
   */
  waitForIndexed(blockNumber: number): Promise<boolean>;
}

export function projectInterfaces(): Interface[] {
  return [
    IReceivableToken__factory.createInterface(),
    IFinancingSettlement__factory.createInterface(),
    IRepaymentVault__factory.createInterface(),
    IERC20Errors__factory.createInterface(),
  ];
}

export function createChainContext(input: {
  provider: Provider;
  chainId: bigint;
  addresses: ContractAddresses;
  signers: SignerRegistry;
}): ChainContext {
  const { provider, addresses } = input;
  return {
    provider,
    chainId: input.chainId,
    addresses,
    ledger: IReceivableToken__factory.connect(addresses.ledger, provider),
    financing: addresses.financing === undefined ? undefined : IFinancingSettlement__factory.connect(addresses.financing, provider),
    vault: addresses.vault === undefined ? undefined : IRepaymentVault__factory.connect(addresses.vault, provider),
    erc20: (address) => IERC20__factory.connect(address, provider),
    signers: input.signers,
    interfaces: projectInterfaces(),
  };
}

/** Polls the indexer's committed checkpoint; the indexer is the only writer of projections. */
export function indexedWaiter(db: PrismaClient, options: { timeoutMs?: number; pollMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const pollMs = options.pollMs ?? 25;
  return async (blockNumber: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await db.indexerState.findUnique({ where: { id: "main" }, select: { checkpointBlock: true } });
      if (state !== null && state.checkpointBlock >= BigInt(blockNumber)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
}
