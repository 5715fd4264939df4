// The in-memory working set of one database transaction: projection rows loaded up front in bulk,
// changed by the event handlers, then written back in bulk (store.ts). It also keeps, for every row
// a block changes, the row as it was before that block (the undo journal) when the block is recent
// enough to be reorganised away.
import type { TableModel } from "../db/schema-model";
import type { ChainNotice } from "./notifications";

export type Row = Record<string, unknown>;

export interface UndoEntry {
  block_number: bigint;
  seq: number;
  table_name: string;
  row_key: string;
  row_before: string | null;
}

export class Unit {
  private readonly rows = new Map<string, Map<string, Row | null>>();
  readonly dirty = new Map<string, Set<string>>();
  readonly history = new Map<string, Row[]>();
  readonly undo: UndoEntry[] = [];
  /** Notifications the unit's events cause, written to the outbox with the unit (notifications.ts). */
  readonly notices: ChainNotice[] = [];
  private block = -1;
  private journal = false;
  private touched = new Set<string>();
  private seq = 0;
  eventCount = 0;

  constructor(private readonly tables: Map<string, TableModel>) {}

  keyColumn(table: string): string {
    const t = this.tables.get(table);
    if (!t || t.primaryKey.length !== 1) throw new Error(`unit: ${table} is not a single-key projection table`);
    return t.primaryKey[0]!;
  }

  isLoaded(table: string, key: string): boolean {
    return this.rows.get(table)?.has(key) ?? false;
  }

  preload(table: string, key: string, row: Row | null): void {
    let m = this.rows.get(table);
    if (!m) this.rows.set(table, (m = new Map<string, Row | null>()));
    m.set(key, row);
  }

  /** Starts applying `block`; `journal` records before-images for a later rollback. */
  beginBlock(block: number, journal: boolean): void {
    this.block = block;
    this.journal = journal;
    this.touched = new Set();
    this.seq = 0;
  }

  /** A copy of the row (null when it does not exist). Throws if the key was not preloaded: a handler's
   * `needs` must name every row it reads. */
  get(table: string, key: string): Row | null {
    const m = this.rows.get(table);
    if (!m || !m.has(key)) throw new Error(`unit: ${table}[${key}] read without being preloaded (handler needs() is incomplete)`);
    const r = m.get(key)!;
    return r ? { ...r } : null;
  }

  /** Same as get, for rows that must exist: a missing one means the chain and the database disagree. */
  require(table: string, key: string, why: string): Row {
    const r = this.get(table, key);
    if (!r) throw new Error(`projection: ${table}[${key}] does not exist but ${why}`);
    return r;
  }

  put(table: string, row: Row): void {
    const keyCol = this.keyColumn(table);
    const key = String(row[keyCol]);
    let m = this.rows.get(table);
    if (!m) this.rows.set(table, (m = new Map<string, Row | null>()));
    const touchKey = `${table}\u0000${key}`;
    if (this.journal && !this.touched.has(touchKey)) {
      if (!m.has(key)) throw new Error(`unit: ${table}[${key}] written without being preloaded`);
      const before = m.get(key) ?? null;
      this.undo.push({
        block_number: BigInt(this.block),
        seq: this.seq++,
        table_name: table,
        row_key: key,
        row_before: before ? JSON.stringify(before, (_k, v: unknown) => (typeof v === "bigint" ? { $bigint: v.toString() } : v)) : null,
      });
    }
    this.touched.add(touchKey);
    m.set(key, { ...row });
    let d = this.dirty.get(table);
    if (!d) this.dirty.set(table, (d = new Set()));
    d.add(key);
  }

  append(table: string, row: Row): void {
    let h = this.history.get(table);
    if (!h) this.history.set(table, (h = []));
    h.push(row);
  }

  dirtyRows(table: string): Row[] {
    const keys = this.dirty.get(table);
    if (!keys) return [];
    const m = this.rows.get(table)!;
    return [...keys].map((k) => m.get(k)!).filter(Boolean);
  }
}

/** Reverses the JSON encoding of an undo before-image. */
export function parseUndoRow(json: string): Row {
  return JSON.parse(json, (_k, v: unknown) =>
    v && typeof v === "object" && "$bigint" in (v as Record<string, unknown>) ? BigInt((v as { $bigint: string }).$bigint) : v,
  ) as Row;
}
