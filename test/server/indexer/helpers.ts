// Shared by the indexer tests: a database + indexer for a deployed system, a row-for-row dump of the
// chain tables (to compare two indexes of the same chain), and a check of the projections against
// contract state read through eth_call.
import { str } from "../../../server/db/codec";
import { expect } from "chai";
import { openDatabase, type Db } from "../../../server/db/client";
import type { IndexerConfig } from "../../../server/config/indexer";
import type { Deployment } from "../../../server/lib/deployment";
import pino from "pino";
import { silentLogger, type Logger } from "../../../server/lib/logger";
import type { RpcTransport } from "../../../server/lib/rpc";
import { createIndexer, type Indexer } from "../../../server/indexer/indexer";
import { HISTORY_TABLES, PROJECTION_TABLES } from "../../../server/indexer/projections";
import { freshDatabase, type FreshDatabase } from "../db/fresh";
import type { Dialect } from "../../../server/db/schema-model";

export const TEST_INDEXER_CONFIG: IndexerConfig = {
  confirmations: 0,
  reorgWindow: 64,
  pollMs: 20,
  blockRange: 2_000,
  maxBlockRange: 50_000,
  batchLogs: 5_000,
  maxBackoffMs: 200,
};

export interface SystemAddresses {
  ledger: { getAddress(): Promise<string> };
  financing: { getAddress(): Promise<string> };
  vault: { getAddress(): Promise<string> };
  programmes: { getAddress(): Promise<string> };
}

export async function deploymentOf(sys: SystemAddresses, startBlock = 0): Promise<Deployment> {
  return {
    startBlock,
    contracts: {
      ReceivableToken: (await sys.ledger.getAddress()).toLowerCase(),
      FinancingSettlement: (await sys.financing.getAddress()).toLowerCase(),
      RepaymentVault: (await sys.vault.getAddress()).toLowerCase(),
      RiskProgramme: (await sys.programmes.getAddress()).toLowerCase(),
    },
  };
}

export interface IndexedDb {
  fresh: FreshDatabase;
  db: Db;
  indexer: Indexer;
  close(): Promise<void>;
}

/** A logger that keeps every line, so a test can see what the indexer reported. */
export function captureLogger(): { logger: Logger; lines: { level: number; msg: string; [k: string]: unknown }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

export async function indexedDb(o: {
  dialect: Dialect;
  provider: RpcTransport;
  deployment: Deployment;
  config?: Partial<IndexerConfig>;
  label?: string;
  logger?: Logger;
}): Promise<IndexedDb> {
  const fresh = await freshDatabase(o.dialect, o.label ?? "idx");
  const db = await openDatabase({ url: fresh.url });
  const indexer = createIndexer({
    provider: o.provider,
    db,
    config: { ...TEST_INDEXER_CONFIG, ...o.config },
    deployment: o.deployment,
    logger: o.logger ?? silentLogger(),
  });
  return {
    fresh,
    db,
    indexer,
    async close() {
      await indexer.stop();
      await db.close();
      await fresh.drop();
    },
  };
}

/** Every chain table's rows, ordered, with values normalised across drivers; the indexer's bookkeeping
 * (timing, undo journal, recent hashes) left out because it depends on how the blocks arrived. */
export async function dumpChainTables(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of [...PROJECTION_TABLES, ...HISTORY_TABLES]) {
    const rows = await db.sql.query(`SELECT * FROM "${table}"`);
    out[table] = rows
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => {
              const v = r[k];
              if (v === null || v === undefined) return [k, null];
              if (typeof v === "boolean") return [k, v ? 1 : 0];
              return [k, str(v)];
            }),
        ),
      )
      .sort();
  }
  const st = await db.sql.query(`SELECT "checkpoint_block", "checkpoint_hash", "events_total" FROM "indexer_state"`);
  out.indexer_state = st.map((r) => JSON.stringify([String(r.checkpoint_block), r.checkpoint_hash, String(r.events_total)]));
  return out;
}

export function expectSameTables(actual: Record<string, string[]>, expected: Record<string, string[]>): void {
  for (const table of Object.keys(expected)) {
    const a = actual[table] ?? [];
    const e = expected[table] ?? [];
    const missing = e.filter((x) => !a.includes(x));
    const extra = a.filter((x) => !e.includes(x));
    expect({ table, missing: missing.slice(0, 3), extra: extra.slice(0, 3), counts: [a.length, e.length] }).to.deep.equal({
      table,
      missing: [],
      extra: [],
      counts: [e.length, e.length],
    });
  }
}

/**
 * Indexes the chain afresh into a new database (up to `head`, or the chain's head) and expects `db` to
 * hold exactly the same chain tables: how every crash, reorg and hand-over test proves it lost nothing.
 */
export async function expectSameAsFreshIndex(
  db: Db,
  o: { dialect: Dialect; provider: RpcTransport; deployment: Deployment; head?: number; config?: Partial<IndexerConfig>; label?: string },
): Promise<void> {
  const reference = await indexedDb({ dialect: o.dialect, provider: o.provider, deployment: o.deployment, config: o.config, label: o.label ?? "fresh" });
  try {
    await reference.indexer.syncTo(o.head);
    expectSameTables(await dumpChainTables(db), await dumpChainTables(reference.db));
  } finally {
    await reference.close();
  }
}
