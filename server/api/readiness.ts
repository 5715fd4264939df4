/**
 * `/ready` from the database: the database answers, the indexed data is not known to be wrong (see
 * projection.ts), the indexer is neither stopped by a fatal error ("failed") nor retrying one without
 * progress ("stalled": the node unreachable, or serving inconsistent blocks), it is alive — its heartbeat
 * (a commit, or its idle beat every INDEXER_HEARTBEAT_MS) is recent, which is what notices a dead indexer
 * on a quiet chain where the lag never grows — and its committed checkpoint (the newest block whose data
 * the API serves) is within the configured lag of the chain head. The indexer's phase and last error are
 * reported either way. The head is asked of the node when the API has one, otherwise taken from the
 * indexer's own last report.
 */
import type { ProjectionGuard } from "./projection";
import type { ReadinessProbe, ReadyReport } from "./system";

export function createReadinessProbe(input: {
  guard: ProjectionGuard;
  maxLagBlocks: number;
  /** Oldest acceptable indexer heartbeat, in ms (compared with this host's clock: keep hosts in NTP sync). */
  maxHeartbeatAgeMs: number;
  chainHead?: () => Promise<number>;
  now?: () => number;
}): ReadinessProbe {
  const now = input.now ?? Date.now;
  return {
    async check(): Promise<ReadyReport> {
      let health: Awaited<ReturnType<ProjectionGuard["health"]>>;
      try {
        // Fresh, not the reads' one-second cache: a supervisor polling /ready sees a recovery at once.
        health = await input.guard.health({ fresh: true });
      } catch (err) {
        return {
          ready: false,
          database: { ok: false, error: err instanceof Error ? err.message.split("\n")[0] : "unreachable" },
          indexer: { checkpoint: null, head: null, lagBlocks: null, phase: null, lastError: null, ok: false },
        };
      }
      const state = health.state;
      if (state === undefined) {
        return { ready: false, database: { ok: true }, indexer: { checkpoint: null, head: null, lagBlocks: null, phase: null, lastError: null, ok: false } };
      }
      const checkpoint = state.checkpointBlock;
      let head = state.headBlock;
      if (input.chainHead !== undefined) {
        try {
          head = await input.chainHead();
        } catch {
          // The node being briefly unreachable does not make stored data unservable; use the last report.
        }
      }
      const lagBlocks = Math.max(0, head - checkpoint);
      const heartbeatAgeMs = Math.max(0, now() - state.updatedAtMs);
      const alive = heartbeatAgeMs <= input.maxHeartbeatAgeMs;
      const ok = state.phase !== "failed" && state.phase !== "stalled" && lagBlocks <= input.maxLagBlocks && alive && health.valid;
      return {
        ready: ok,
        database: { ok: true },
        indexer: {
          checkpoint,
          head,
          lagBlocks,
          phase: state.phase,
          lastError: state.lastError,
          ok,
          heartbeatAgeMs,
          ...(alive ? {} : { problem: `no heartbeat from the indexer for ${Math.round(heartbeatAgeMs / 1000)} s (is it running?)` }),
        },
        projection: health.valid ? { valid: true } : { valid: false, reason: health.reason, message: health.message },
      };
    },
  };
}
