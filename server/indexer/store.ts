// The indexer's database access: the ONLY writer of chain tables. Loads projection rows in bulk,
// writes a Unit back as multi-row upserts/inserts, advances the checkpoint in the same transaction
// (guarded: the checkpoint must still be where this writer left it), and rolls blocks back from
// the undo journal. Raw SQL through server/db/sql.ts: no per-event ORM round trips.
import os from "node:os";
import { loadTables, type TableModel } from "../db/schema-model";
import { MAX_PARAMS, type Sql, type SqlValue } from "../db/sql";
import { WriterConflictError } from "../lib/errors";
import { retractNotificationsAfter } from "../notifications/outbox";
import { HISTORY_TABLES, PROJECTION_TABLES } from "./projections";
import { parseUndoRow, Unit, type Row } from "./unit";

export interface IndexerStateRow {
  chainId: bigint;
  genesisHash: string;
  contracts: string;
  startBlock: number;
  checkpointBlock: number;
  checkpointHash: string | null;
  undoFloor: number;
  headBlock: number;
  eventsTotal: bigint;
}

export interface BlockRecord {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: bigint;
}

export interface Progress {
  head: number;
  eventsPerSecond: number;
  phase: string;
}

const STATE_ID = "main";
const q = (s: string) => `"${s}"`;

export class Store {
  readonly tables: Map<string, TableModel>;
  readonly writer = `${os.hostname()}:${process.pid}`;

  constructor(readonly sql: Sql) {
    this.tables = new Map(loadTables().map((t) => [t.table, t]));
    for (const t of [...PROJECTION_TABLES, ...HISTORY_TABLES, "indexer_state", "indexed_block", "indexer_undo"]) {
      if (!this.tables.has(t)) throw new Error(`store: table ${t} is not in the Prisma schema`);
    }
  }

  private table(name: string): TableModel {
    return this.tables.get(name)!;
  }

  /** Converts a driver value to the column's JS type (SQLite gives numbers, pg gives strings for BIGINT). */
  private fromDb(t: TableModel, row: Row): Row {
    const out: Row = {};
    for (const c of t.columns) {
      const v = row[c.column];
      if (v === null || v === undefined) out[c.column] = null;
      else if (c.type === "BigInt") out[c.column] = BigInt(v as string | number | bigint);
      else if (c.type === "Int") out[c.column] = Number(v);
      else if (c.type === "Boolean") out[c.column] = v === true || v === 1 || v === 1n || v === "1" || v === "t";
      else if (c.type === "Float") out[c.column] = Number(v);
      else out[c.column] = v;
    }
    return out;
  }

  private toDb(v: unknown): SqlValue {
    if (v === undefined) return null;
    return v as SqlValue;
  }

  // ─── state ───────────────────────────────────────────────────────────────

  async readState(): Promise<IndexerStateRow | undefined> {
    const rows = await this.sql.query(`SELECT * FROM "indexer_state" WHERE "id" = ?`, [STATE_ID]);
    if (!rows[0]) return undefined;
    const r = this.fromDb(this.table("indexer_state"), rows[0]);
    return {
      chainId: r.chain_id as bigint,
      genesisHash: r.genesis_hash as string,
      contracts: r.contracts as string,
      startBlock: Number(r.start_block),
      checkpointBlock: Number(r.checkpoint_block),
      checkpointHash: r.checkpoint_hash as string | null,
      undoFloor: Number(r.undo_floor),
      headBlock: Number(r.head_block),
      eventsTotal: r.events_total as bigint,
    };
  }

  async initState(s: { chainId: number; genesisHash: string; contracts: string; startBlock: number }): Promise<void> {
    await this.sql.run(
      `INSERT INTO "indexer_state" ("id","chain_id","genesis_hash","contracts","start_block","checkpoint_block","checkpoint_hash","undo_floor","head_block","lag_blocks","events_total","events_per_second","phase","last_error","writer","updated_at_ms")
       VALUES (?,?,?,?,?,?,NULL,?,0,0,0,0,'starting',NULL,?,?) ON CONFLICT ("id") DO NOTHING`,
      [STATE_ID, BigInt(s.chainId), s.genesisHash, s.contracts, BigInt(s.startBlock), BigInt(s.startBlock - 1), BigInt(s.startBlock - 1), this.writer, BigInt(Date.now())],
    );
  }

  /** Records the indexer's CONFIRMATIONS, which the API reads to say when a write's block will be indexed. */
  async setConfirmations(confirmations: number): Promise<void> {
    await this.sql.run(`UPDATE "indexer_state" SET "confirmations" = ? WHERE "id" = ?`, [confirmations, STATE_ID]);
  }

  async setPhase(phase: string, lastError: string | null, head?: number): Promise<void> {
    await this.sql.run(
      `UPDATE "indexer_state" SET "phase" = ?, "last_error" = ?, "head_block" = COALESCE(?, "head_block"),
         "lag_blocks" = CASE WHEN COALESCE(?, "head_block") > "checkpoint_block" THEN COALESCE(?, "head_block") - "checkpoint_block" ELSE 0 END,
         "writer" = ?, "updated_at_ms" = ? WHERE "id" = ?`,
      [phase, lastError, head === undefined ? null : BigInt(head), head === undefined ? null : BigInt(head), head === undefined ? null : BigInt(head), this.writer, BigInt(Date.now()), STATE_ID],
    );
  }

  /** The writer's sign of life on a quiet chain (no block to commit): `updated_at_ms` and the head, nothing else. */
  async heartbeat(head: number): Promise<void> {
    await this.sql.run(
      `UPDATE "indexer_state" SET "head_block" = ?, "lag_blocks" = CASE WHEN ? > "checkpoint_block" THEN ? - "checkpoint_block" ELSE 0 END,
         "writer" = ?, "updated_at_ms" = ? WHERE "id" = ?`,
      [BigInt(head), BigInt(head), BigInt(head), this.writer, BigInt(Date.now()), STATE_ID],
    );
  }

  async recentBlocks(): Promise<BlockRecord[]> {
    const rows = await this.sql.query(`SELECT * FROM "indexed_block" ORDER BY "number" DESC`);
    return rows.map((r) => ({ number: Number(r.number), hash: r.hash as string, parentHash: r.parent_hash as string, timestamp: BigInt(r.timestamp as number) }));
  }

  // ─── loading ─────────────────────────────────────────────────────────────

  /** Loads the named projection rows into `unit` (absent ones as null), a few queries per table. */
  async preload(tx: Sql, unit: Unit, needs: Map<string, Set<string>>): Promise<void> {
    for (const [table, keySet] of needs) {
      const keys = [...keySet].filter((k) => !unit.isLoaded(table, k));
      if (keys.length === 0) continue;
      const t = this.table(table);
      const keyCol = unit.keyColumn(table);
      for (let i = 0; i < keys.length; i += 512) {
        const chunk = keys.slice(i, i + 512);
        // Pad the list to a power of two (repeating a key is harmless in IN) so only ten statement
        // shapes exist per table: the driver caches prepared statements by their text.
        const size = 1 << Math.ceil(Math.log2(chunk.length));
        const padded = chunk.concat(Array(size - chunk.length).fill(chunk[0]));
        const rows = await tx.query(`SELECT * FROM ${q(table)} WHERE ${q(keyCol)} IN (${padded.map(() => "?").join(",")})`, padded);
        const found = new Map(rows.map((r) => [String(r[keyCol]), this.fromDb(t, r)]));
        for (const k of chunk) unit.preload(table, k, found.get(k) ?? null);
      }
    }
  }

  // ─── writing ─────────────────────────────────────────────────────────────

  private async insertRows(tx: Sql, table: string, rows: Row[], conflict: "update" | "error"): Promise<void> {
    if (rows.length === 0) return;
    const t = this.table(table);
    const cols = t.columns.map((c) => c.column);
    const perStatement = 1 << Math.floor(Math.log2(Math.max(1, Math.min(256, Math.floor(MAX_PARAMS / cols.length)))));
    const tuple = `(${cols.map(() => "?").join(",")})`;
    const onConflict =
      conflict === "update"
        ? ` ON CONFLICT (${t.primaryKey.map(q).join(",")}) DO UPDATE SET ${cols
            .filter((c) => !t.primaryKey.includes(c))
            .map((c) => `${q(c)} = excluded.${q(c)}`)
            .join(", ")}`
        : "";
    // Full statements of `perStatement` rows, then the remainder in power-of-two pieces: a bounded set
    // of statement shapes (the driver caches prepared statements by their text).
    const sizes: number[] = [];
    let left = rows.length;
    while (left >= perStatement) {
      sizes.push(perStatement);
      left -= perStatement;
    }
    for (let p = 1 << 30; p >= 1; p >>= 1) if (left & p) sizes.push(p);
    let i = 0;
    for (const size of sizes) {
      const chunk = rows.slice(i, i + size);
      i += size;
      const params: SqlValue[] = [];
      for (const r of chunk) for (const c of cols) params.push(this.toDb(r[c]));
      await tx.run(`INSERT INTO ${q(table)} (${cols.map(q).join(",")}) VALUES ${chunk.map(() => tuple).join(",")}${onConflict}`, params);
    }
  }

  /** Writes the unit and moves the checkpoint from `expectedCheckpoint` to `block` (same transaction). */
  async commit(
    tx: Sql,
    unit: Unit,
    c: { expectedCheckpoint: number; block: BlockRecord; blocks: BlockRecord[]; undoFloor: number | null; reorgWindow: number; progress: Progress },
  ): Promise<void> {
    const moved = await tx.run(
      `UPDATE "indexer_state" SET "checkpoint_block" = ?, "checkpoint_hash" = ?, "undo_floor" = COALESCE(?, "undo_floor"),
         "head_block" = ?, "lag_blocks" = ?, "events_total" = "events_total" + ?, "events_per_second" = ?, "phase" = ?,
         "last_error" = NULL, "writer" = ?, "updated_at_ms" = ?
       WHERE "id" = ? AND "checkpoint_block" = ?`,
      [
        BigInt(c.block.number),
        c.block.hash,
        c.undoFloor === null ? null : BigInt(c.undoFloor),
        BigInt(c.progress.head),
        BigInt(Math.max(0, c.progress.head - c.block.number)),
        BigInt(unit.eventCount),
        c.progress.eventsPerSecond,
        c.progress.phase,
        this.writer,
        BigInt(Date.now()),
        STATE_ID,
        BigInt(c.expectedCheckpoint),
      ],
    );
    if (moved !== 1) {
      throw new WriterConflictError(`the checkpoint is no longer at block ${c.expectedCheckpoint}: another indexer wrote to this database`);
    }
    for (const table of PROJECTION_TABLES) await this.insertRows(tx, table, unit.dirtyRows(table), "update");
    for (const table of HISTORY_TABLES) await this.insertRows(tx, table, unit.history.get(table) ?? [], "error");
    await this.insertRows(tx, "indexer_undo", unit.undo as unknown as Row[], "error");
    await this.insertRows(
      tx,
      "indexed_block",
      c.blocks.map((b) => ({ number: BigInt(b.number), hash: b.hash, parent_hash: b.parentHash, timestamp: b.timestamp })),
      "update",
    );
    // The reorg window: older journal entries and block hashes can never be needed again.
    const floor = BigInt(c.block.number - c.reorgWindow);
    await tx.run(`DELETE FROM "indexer_undo" WHERE "block_number" <= ?`, [floor]);
    await tx.run(`DELETE FROM "indexed_block" WHERE "number" < ? AND "number" < (SELECT MAX("number") FROM "indexed_block")`, [floor]);
  }

  /** Undoes every block after `ancestor`: restores journalled rows, deletes their history, moves the checkpoint back. */
  async rollback(tx: Sql, c: { ancestor: BlockRecord; expectedCheckpoint: number }): Promise<{ blocks: number; events: number }> {
    const A = BigInt(c.ancestor.number);
    const entries = await tx.query<{ table_name: string; row_key: string; row_before: string | null }>(
      `SELECT "table_name", "row_key", "row_before" FROM "indexer_undo" WHERE "block_number" > ? ORDER BY "block_number" DESC, "seq" DESC`,
      [A],
    );
    // Applied newest first, so each row ends as it was before the oldest orphaned block touched it.
    for (const e of entries) {
      const keyCol = this.table(e.table_name).primaryKey[0]!;
      if (e.row_before === null) {
        await tx.run(`DELETE FROM ${q(e.table_name)} WHERE ${q(keyCol)} = ?`, [e.row_key]);
      } else {
        await this.insertRows(tx, e.table_name, [parseUndoRow(e.row_before)], "update");
      }
    }
    const events = await tx.query<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "chain_event" WHERE "block_number" > ?`, [A]);
    for (const table of HISTORY_TABLES) await tx.run(`DELETE FROM ${q(table)} WHERE "block_number" > ?`, [A]);
    await tx.run(`DELETE FROM "indexer_undo" WHERE "block_number" > ?`, [A]);
    await tx.run(`DELETE FROM "indexed_block" WHERE "number" > ?`, [A]);
    // Notifications of the orphaned blocks: withdrawn if never sent, else retracted (same transaction).
    await retractNotificationsAfter(tx, c.ancestor.number, Date.now());
    const nEvents = Number(events[0]?.n ?? 0);
    const moved = await tx.run(
      `UPDATE "indexer_state" SET "checkpoint_block" = ?, "checkpoint_hash" = ?, "events_total" = "events_total" - ?, "writer" = ?, "updated_at_ms" = ?
       WHERE "id" = ? AND "checkpoint_block" = ?`,
      [A, c.ancestor.hash, BigInt(nEvents), this.writer, BigInt(Date.now()), STATE_ID, BigInt(c.expectedCheckpoint)],
    );
    if (moved !== 1) throw new WriterConflictError(`the checkpoint is no longer at block ${c.expectedCheckpoint}: another indexer wrote to this database`);
    return { blocks: c.expectedCheckpoint - c.ancestor.number, events: nEvents };
  }
}

/** Deletes every chain-derived row (not the API's off-chain tables), for re-indexing a reset chain. */
export async function resetChainTables(sql: Sql): Promise<void> {
  await sql.transaction(async (tx) => {
    for (const t of [...PROJECTION_TABLES, ...HISTORY_TABLES, "indexer_undo", "indexed_block", "indexer_state"]) await tx.run(`DELETE FROM ${q(t)}`);
  });
}
