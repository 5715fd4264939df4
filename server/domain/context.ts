/**
 * What every use case needs: the database (projections to read, API tables to write), the chain
 * (contracts to call, signers to send with) and a clock. Built once by `createDomain`, shared by routes
 * and scripts.
 */
import type { Block, Interface, Provider } from "ethers";
import type { PrismaClient } from "../db/client";
import type { SignerRegistry } from "../signing/signers";
import type { Reads } from "./reads";
import {
  IERC20Errors__factory,
  IFinancingSettlement__factory,
  IReceivableToken__factory,
  IRepaymentVault__factory,
  IERC20__factory,
  LedgerTimelock__factory,
  ReceivableToken__factory,
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
  /** The chain's latest block; requests asking at the same time share one call to the node. */
  latestBlock(): Promise<Block | null>;
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
    // What the interfaces leave out: OpenZeppelin's errors the ledger reverts with (EnforcedPause, access
    // control, default-admin rules) and the timelock's, for operator administration.
    ReceivableToken__factory.createInterface(),
    LedgerTimelock__factory.createInterface(),
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
    latestBlock: singleFlight(() => provider.getBlock("latest")),
  };
}

/**
 * Joins callers to the call already in flight instead of starting another: a burst of writes asks the
 * node once. Never serves an answer older than the call a caller joined (no cache after it settles).
 */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    if (inFlight === undefined) {
      inFlight = fn().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };
}

/**
 * Waits for the indexer's committed checkpoint. One poll loop per waiter serves every request waiting
 * at once (a burst of writes asks the database once per poll, not once per request and poll).
 */
export function indexedWaiter(db: PrismaClient, options: { timeoutMs?: number; pollMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const pollMs = options.pollMs ?? 25;
  const waiting = new Set<{ blockNumber: number; deadline: number; resolve: (indexed: boolean) => void }>();
  let checkpoint = -1;
  let polling = false;
  async function poll(): Promise<void> {
    polling = true;
    try {
      while (waiting.size > 0) {
        try {
          const state = await db.indexerState.findUnique({ where: { id: "main" }, select: { checkpointBlock: true } });
          if (state !== null) checkpoint = Number(state.checkpointBlock);
        } catch {
          // The database is briefly unavailable: waiters time out if it stays so.
        }
        const now = Date.now();
        for (const w of waiting) {
          if (checkpoint >= w.blockNumber || now >= w.deadline) {
            waiting.delete(w);
            w.resolve(checkpoint >= w.blockNumber);
          }
        }
        if (waiting.size > 0) await new Promise((r) => setTimeout(r, pollMs));
      }
    } finally {
      polling = false;
    }
  }
  return (blockNumber: number): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      waiting.add({ blockNumber, deadline: Date.now() + timeoutMs, resolve });
      if (!polling) void poll();
    });
}
