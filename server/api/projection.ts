/**
 * Whether the indexer's projection may be served. Stale data (the indexer behind, or dead) is still true
 * data as of its checkpoint and is served; data *known to be wrong* is not: after a reorganisation deeper
 * than the indexer's window (`REORG_TOO_DEEP`), a reset chain (`CHAIN_RESET`, or a genesis that is not the
 * one the database indexed) or a database that indexes other contracts (`DEPLOYMENT_MISMATCH`), its rows
 * describe blocks or contracts that are not the chain's. Reads then answer 503 `ProjectionInvalid` with
 * the reason until an operator runs `npm run indexer:reset` and the indexer rebuilds.
 *
 * One database read (and one block-0 read) per `cacheMs` per process, never one per request.
 */
import { AppError } from "../lib/appErrors";
import { num, str, strOrNull } from "../db/codec";
import type { Sql } from "../db/sql";

/** The indexer's fatal codes that mean the stored rows do not describe the chain. */
export const PROJECTION_INVALID_CODES = ["REORG_TOO_DEEP", "CHAIN_RESET", "DEPLOYMENT_MISMATCH"] as const;

export interface IndexerStateView {
  phase: string;
  lastError: string | null;
  genesisHash: string;
  checkpointBlock: number;
  headBlock: number;
  /** When the indexer last wrote (a commit or its heartbeat), by its clock. */
  updatedAtMs: number;
}

export type ProjectionHealth = { valid: true } | { valid: false; reason: string; message: string };

export class ProjectionInvalidError extends AppError {
  constructor(health: { reason: string; message: string }) {
    super({
      code: "ProjectionInvalid",
      status: 503,
      message: `the indexed data is known not to match the chain (${health.reason}): ${health.message}. An operator must run \`npm run indexer:reset\` and let the indexer rebuild`,
      details: { reason: health.reason },
      expose: true, // the reason is what the caller (and its operator) needs; it carries no secret
    });
  }
}

/** Reads the indexer's one state row; undefined before the indexer first started. */
export async function readIndexerState(sql: Sql): Promise<IndexerStateView | undefined> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT "phase", "last_error", "genesis_hash", "checkpoint_block", "head_block", "updated_at_ms" FROM "indexer_state" WHERE "id" = 'main'`,
  );
  const r = rows[0];
  if (r === undefined) return undefined;
  return {
    phase: str(r.phase),
    lastError: strOrNull(r.last_error),
    genesisHash: str(r.genesis_hash),
    checkpointBlock: num(r.checkpoint_block),
    headBlock: num(r.head_block),
    updatedAtMs: num(r.updated_at_ms),
  };
}

/** Judges a state row (and, when known, the chain's genesis hash). */
export function projectionHealth(state: IndexerStateView | undefined, chainGenesis: string | undefined): ProjectionHealth {
  if (state === undefined) return { valid: true };
  if (state.phase === "failed" && state.lastError !== null) {
    const code = /^\[([A-Z_]+)\]/.exec(state.lastError)?.[1];
    if (code !== undefined && (PROJECTION_INVALID_CODES as readonly string[]).includes(code)) {
      return { valid: false, reason: code, message: state.lastError.slice(code.length + 2).trim() };
    }
  }
  if (chainGenesis !== undefined && chainGenesis.toLowerCase() !== state.genesisHash.toLowerCase()) {
    return { valid: false, reason: "CHAIN_RESET", message: `the chain's genesis block is ${chainGenesis}, the database indexed ${state.genesisHash}` };
  }
  return { valid: true };
}

export interface ProjectionGuard {
  /** The current judgement: cached for `cacheMs` (the per-read guard), or read now with `fresh` (`/ready`). */
  health(options?: { fresh?: boolean }): Promise<ProjectionHealth & { state: IndexerStateView | undefined }>;
  /** Throws ProjectionInvalidError when the projection is known to be wrong. */
  assertValid(): Promise<void>;
}

export function createProjectionGuard(input: { sql: Sql; genesisHash?: () => Promise<string>; cacheMs?: number; now?: () => number }): ProjectionGuard {
  const cacheMs = input.cacheMs ?? 1_000;
  const now = input.now ?? Date.now;
  let cached: { at: number; value: Promise<ProjectionHealth & { state: IndexerStateView | undefined }> } | undefined;
  const compute = async () => {
    const state = await readIndexerState(input.sql);
    let genesis: string | undefined;
    if (state !== undefined && input.genesisHash !== undefined) {
      // A node that does not answer says nothing about the stored rows: judge them on the indexer's report.
      genesis = await input.genesisHash().catch(() => undefined);
    }
    return { ...projectionHealth(state, genesis), state };
  };
  const guard: ProjectionGuard = {
    health(options) {
      const t = now();
      if (cached === undefined || t - cached.at >= cacheMs || options?.fresh === true) {
        const value = compute();
        cached = { at: t, value };
        // A failed read is not remembered: the next request asks again.
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    },
    async assertValid() {
      const h = await guard.health();
      if (!h.valid) throw new ProjectionInvalidError(h);
    },
  };
  return guard;
}
