// One writer per database. On PostgreSQL the indexer holds a session advisory lock on its own
// connection for as long as it runs; a second indexer waits for it and takes over when the first
// dies (its session ends, the lock is released). On SQLite, where every process is on one machine,
// the checkpoint guard in store.commit is the protection: a second writer fails its first commit.
import { Client } from "pg";
import type { Logger } from "../lib/logger";

export const INDEXER_LOCK_KEY = 0x4c44474c; // "LDGL"

export interface WriterLock {
  /** Resolves when lost (connection closed), so the indexer can stop writing. */
  readonly lost: Promise<Error>;
  release(): Promise<void>;
}

export async function acquireWriterLock({
  url,
  logger,
  isStopped,
  pollMs = 1_000,
}: {
  url: string;
  logger: Logger;
  isStopped: () => boolean;
  pollMs?: number;
}): Promise<WriterLock | undefined> {
  const client = new Client({ connectionString: url });
  let onLost!: (e: Error) => void;
  const lost = new Promise<Error>((resolve) => (onLost = resolve));
  client.on("error", (e) => onLost(e));
  client.on("end", () => onLost(new Error("the lock connection closed")));
  await client.connect();
  let waitingSince: number | undefined;
  for (;;) {
    const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [INDEXER_LOCK_KEY]);
    if (r.rows[0]?.ok) break;
    if (isStopped()) {
      await client.end();
      return undefined;
    }
    if (waitingSince === undefined || Date.now() - waitingSince > 30_000) {
      logger.info("another indexer holds the writer lock; waiting to take over");
      waitingSince = Date.now();
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  if (waitingSince !== undefined) logger.info("writer lock acquired; taking over");
  return {
    lost,
    async release() {
      client.removeAllListeners("end");
      client.on("error", () => {});
      await client.query("SELECT pg_advisory_unlock($1)", [INDEXER_LOCK_KEY]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}
