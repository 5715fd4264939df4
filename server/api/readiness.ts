/**
 * `/ready` from the database: the database answers, the indexer is neither stopped by a fatal error
 * ("failed") nor retrying one without progress ("stalled": the node unreachable, or serving inconsistent
 * blocks), and its committed checkpoint (the newest block whose data the API serves) is within the
 * configured lag of the chain head. The indexer's phase and last error are reported either way. The
 * head is asked of the node when the API has one, otherwise taken from the indexer's own last report.
 */
import type { PrismaClient } from "../db/client";
import type { ReadinessProbe, ReadyReport } from "./system";

export function createReadinessProbe(input: {
  db: PrismaClient;
  maxLagBlocks: number;
  chainHead?: () => Promise<number>;
}): ReadinessProbe {
  return {
    async check(): Promise<ReadyReport> {
      let state: { checkpointBlock: bigint; headBlock: bigint; phase: string; lastError: string | null } | null;
      try {
        state = await input.db.indexerState.findUnique({
          where: { id: "main" },
          select: { checkpointBlock: true, headBlock: true, phase: true, lastError: true },
        });
      } catch (err) {
        return {
          ready: false,
          database: { ok: false, error: err instanceof Error ? err.message.split("\n")[0] : "unreachable" },
          indexer: { checkpoint: null, head: null, lagBlocks: null, phase: null, lastError: null, ok: false },
        };
      }
      if (state === null) {
        return { ready: false, database: { ok: true }, indexer: { checkpoint: null, head: null, lagBlocks: null, phase: null, lastError: null, ok: false } };
      }
      const checkpoint = Number(state.checkpointBlock);
      let head = Number(state.headBlock);
      if (input.chainHead !== undefined) {
        try {
          head = await input.chainHead();
        } catch {
          // The node being briefly unreachable does not make stored data unservable; use the last report.
        }
      }
      const lagBlocks = Math.max(0, head - checkpoint);
      const ok = state.phase !== "failed" && state.phase !== "stalled" && lagBlocks <= input.maxLagBlocks;
      return { ready: ok, database: { ok: true }, indexer: { checkpoint, head, lagBlocks, phase: state.phase, lastError: state.lastError, ok } };
    },
  };
}
