// The indexer's knobs. Defaults suit the embedded local chain (0 confirmations, fast polling).
import { z } from "zod";
import { intVar, parseEnv, type Env } from "./env";

export const DEFAULT_HEARTBEAT_MS = 5_000;

const schema = z.object({
  /** Blocks to stay behind the head; 0 follows the head itself (reorgs are then rolled back). */
  CONFIRMATIONS: intVar({ max: 10_000 }).default(0),
  /** Recent blocks kept for reorg rollback; a deeper reorg stops the indexer. */
  REORG_WINDOW: intVar({ min: 1, max: 100_000 }).default(64),
  /** How often to ask for the head when caught up. */
  INDEXER_POLL_MS: intVar({ min: 10, max: 600_000 }).default(100),
  /** First and largest eth_getLogs block range; the range halves when the node refuses and grows back. */
  INDEXER_BLOCK_RANGE: intVar({ min: 1 }).default(10),
  INDEXER_MAX_BLOCK_RANGE: intVar({ min: 1 }).default(50_000),
  /** Logs per database transaction during backfill (whole blocks only). */
  INDEXER_BATCH_LOGS: intVar({ min: 1 }).default(2_000),
  /** Longest pause between RPC retries. */
  INDEXER_MAX_BACKOFF_MS: intVar({ min: 10 }).default(10_000),
  /** How often an idle indexer (nothing to commit) still writes its heartbeat; the API's /ready watches it. */
  INDEXER_HEARTBEAT_MS: intVar({ min: 100, max: 600_000 }).default(DEFAULT_HEARTBEAT_MS),
});

export interface IndexerConfig {
  confirmations: number;
  reorgWindow: number;
  pollMs: number;
  blockRange: number;
  maxBlockRange: number;
  batchLogs: number;
  maxBackoffMs: number;
  /** Default DEFAULT_HEARTBEAT_MS. */
  heartbeatMs?: number;
}


export function loadIndexerConfig(env: Env = process.env): IndexerConfig {
  const e = parseEnv(schema, env);
  return {
    confirmations: e.CONFIRMATIONS,
    reorgWindow: e.REORG_WINDOW,
    pollMs: e.INDEXER_POLL_MS,
    blockRange: Math.min(e.INDEXER_BLOCK_RANGE, e.INDEXER_MAX_BLOCK_RANGE),
    maxBlockRange: e.INDEXER_MAX_BLOCK_RANGE,
    batchLogs: e.INDEXER_BATCH_LOGS,
    maxBackoffMs: e.INDEXER_MAX_BACKOFF_MS,
    heartbeatMs: e.INDEXER_HEARTBEAT_MS,
  };
}
