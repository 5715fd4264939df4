/**
 * The API's hot read paths in plain SQL on a read handle of its own (never the indexer's writing
 * connection, so a read can never see a half-applied block). Prisma's query engine costs hundreds of
 * microseconds per query here, a prepared statement tens; every request authenticates and most read a
 * receivable, its lineage and its history, so these few queries decide the API's throughput.
 *
 * Values are normalised across drivers (SQLite gives numbers and 0/1, PostgreSQL strings and booleans)
 * into the same shapes the generated Prisma client uses, so callers do not care which path served them.
 */
import type { FinancingRequest, Receivable as ReceivableRow, ReceivableRoot } from "../db/generated/sqlite/client";
import type { Row, Sql, SqlValue } from "../db/sql";
import { invoiceRowId } from "../lib/encode";

export type { ReceivableRow };

import { big, bool, num, str, strOrNull } from "../db/codec";

/** `(?, ?, ?)` for an IN list of `n` values (values are always bound, never spliced). */
export function placeholders(n: number): string {
  return `(${Array.from({ length: n }, () => "?").join(", ")})`;
}

export const RECEIVABLE_COLUMNS = `"id", "root_id", "parent_id", "depth", "holder", "amount", "initial_amount", "status", "offered_to", "offer_deadline", "pledgee", "financed", "issuer", "currency", "maturity", "created_block", "created_tx_hash", "updated_block", "redeemed_amount"`;

export function receivableFromRow(r: Row): ReceivableRow {
  return {
    id: String(r.id),
    rootId: String(r.root_id),
    parentId: strOrNull(r.parent_id),
    depth: num(r.depth),
    holder: String(r.holder),
    amount: String(r.amount),
    initialAmount: String(r.initial_amount),
    status: String(r.status),
    offeredTo: strOrNull(r.offered_to),
    offerDeadline: r.offer_deadline === null || r.offer_deadline === undefined ? null : big(r.offer_deadline),
    pledgee: strOrNull(r.pledgee),
    financed: bool(r.financed),
    issuer: String(r.issuer),
    currency: String(r.currency),
    maturity: big(r.maturity),
    createdBlock: big(r.created_block),
    createdTxHash: String(r.created_tx_hash),
    updatedBlock: big(r.updated_block),
    redeemedAmount: r.redeemed_amount === null || r.redeemed_amount === undefined ? "0" : str(r.redeemed_amount),
  };
}

export function createReads(sql: Sql) {
  const q = <T extends Row = Row>(text: string, params: readonly SqlValue[] = []) => sql.query<T>(text, params);
  return {
    sql,

    async receivable(id: string): Promise<ReceivableRow | undefined> {
      const [row] = await q(`SELECT ${RECEIVABLE_COLUMNS} FROM "receivable" WHERE "id" = ?`, [id]);
      return row === undefined ? undefined : receivableFromRow(row);
    },

    async receivables(ids: readonly string[]): Promise<ReceivableRow[]> {
      if (ids.length === 0) return [];
      return (await q(`SELECT ${RECEIVABLE_COLUMNS} FROM "receivable" WHERE "id" IN ${placeholders(ids.length)}`, ids)).map(receivableFromRow);
    },

    /**
     * A page of receivables in primary-key order after `after`, filtered by holder (unless null) and by
     * display status — in SQL, before the page is cut, so a page is never short of matches while more
     * exist. The status is `statusOf`'s (receivables/service.ts), most significant first: REDEEMED
     * (burned), OVERDUE and FROZEN (the root's flags), OFFERED, PLEDGED, MATURED (by `nowSec`), ACTIVE.
     * Without a status, burned receivables are left out.
     */
    async receivablePage(input: {
      holder: string | null;
      status?: "ACTIVE" | "OFFERED" | "PLEDGED" | "FROZEN" | "OVERDUE" | "MATURED" | "REDEEMED" | undefined;
      nowSec: number;
      issuer?: string | undefined;
      maturityBefore?: number | undefined;
      after?: string | undefined;
      limit: number;
    }): Promise<ReceivableRow[]> {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (input.holder !== null) {
        where.push(`r."holder" = ?`);
        params.push(input.holder);
      }
      // Booleans as bare predicates: SQLite stores 0/1, PostgreSQL booleans; NOT works on both.
      const live = `r."status" <> 'BURNED'`;
      const calm = `NOT rr."overdue" AND NOT rr."frozen"`;
      const needsRoot = input.status !== undefined && input.status !== "REDEEMED";
      switch (input.status) {
        case undefined:
          where.push(live);
          break;
        case "REDEEMED":
          where.push(`r."status" = 'BURNED'`);
          break;
        case "OVERDUE":
          where.push(live, `rr."overdue"`);
          break;
        case "FROZEN":
          where.push(live, `NOT rr."overdue"`, `rr."frozen"`);
          break;
        case "OFFERED":
          where.push(`r."status" = 'OFFERED'`, calm);
          break;
        case "PLEDGED":
          where.push(live, `r."status" <> 'OFFERED'`, calm, `r."pledgee" IS NOT NULL`);
          break;
        case "MATURED":
        case "ACTIVE":
          where.push(live, `r."status" <> 'OFFERED'`, calm, `r."pledgee" IS NULL`, input.status === "MATURED" ? `r."maturity" <= ?` : `r."maturity" > ?`);
          params.push(input.nowSec);
          break;
      }
      if (input.issuer !== undefined) {
        where.push(`r."issuer" = ?`);
        params.push(input.issuer);
      }
      if (input.maturityBefore !== undefined) {
        where.push(`r."maturity" < ?`);
        params.push(input.maturityBefore);
      }
      if (input.after !== undefined) {
        where.push(`r."id" > ?`);
        params.push(input.after);
      }
      params.push(input.limit);
      const columns = RECEIVABLE_COLUMNS.split(", ").map((c) => `r.${c}`).join(", ");
      const from = needsRoot ? `"receivable" r JOIN "receivable_root" rr ON rr."root_id" = r."root_id"` : `"receivable" r`;
      const rows = await q(`SELECT ${columns} FROM ${from} WHERE ${where.join(" AND ")} ORDER BY r."id" LIMIT ?`, params);
      return rows.map(receivableFromRow);
    },

    /** Open offers to `receiver`, in id order after `after`. */
    async offersTo(input: { receiver: string; after?: string | undefined; limit: number }): Promise<ReceivableRow[]> {
      const params: SqlValue[] = [input.receiver];
      let cursor = "";
      if (input.after !== undefined) {
        cursor = ` AND "id" > ?`;
        params.push(input.after);
      }
      params.push(input.limit);
      return (await q(`SELECT ${RECEIVABLE_COLUMNS} FROM "receivable" WHERE "offered_to" = ? AND "status" = 'OFFERED'${cursor} ORDER BY "id" LIMIT ?`, params)).map(receivableFromRow);
    },

    async treeNodes(rootId: string, limit: number): Promise<ReceivableRow[]> {
      return (await q(`SELECT ${RECEIVABLE_COLUMNS} FROM "receivable" WHERE "root_id" = ? ORDER BY "id" LIMIT ?`, [rootId, limit])).map(receivableFromRow);
    },

    /** `frozen`: under a live dispute at `nowSec` (a debtor's dispute past its end has lapsed); `cured`:
     * marked overdue, and its pool was paid in full since (PoolCured). */
    async roots(
      rootIds: readonly string[],
      nowSec: number = Math.floor(Date.now() / 1000),
    ): Promise<(Pick<ReceivableRoot, "rootId" | "frozen" | "overdue"> & { cured: boolean })[]> {
      if (rootIds.length === 0) return [];
      const rows = await q(
        `SELECT r."root_id", r."frozen", r."frozen_until", r."overdue", p."cured" FROM "receivable_root" r
           LEFT JOIN "repayment_pool" p ON p."issuer" = r."issuer" AND p."currency" = r."currency" AND p."maturity" = r."maturity"
          WHERE r."root_id" IN ${placeholders(rootIds.length)}`,
        rootIds,
      );
      return rows.map((r) => ({
        rootId: String(r.root_id),
        frozen: disputed(r, nowSec),
        overdue: bool(r.overdue),
        cured: bool(r.overdue) && r.cured !== null && bool(r.cured),
      }));
    },

    /** For each id: the ids of its ancestors and itself, root first (one recursive query for all). */
    async paths(ids: readonly string[]): Promise<Map<string, string[]>> {
      const paths = new Map<string, string[]>();
      if (ids.length === 0) return paths;
      const rows = await q<{ start_id: string; id: string }>(
        `WITH RECURSIVE anc(start_id, id, parent_id, hops) AS (
           SELECT r."id", r."id", r."parent_id", 0 FROM "receivable" r WHERE r."id" IN ${placeholders(ids.length)}
           UNION ALL
           SELECT anc.start_id, p."id", p."parent_id", anc.hops + 1 FROM "receivable" p JOIN anc ON p."id" = anc.parent_id
         )
         SELECT start_id, id FROM anc ORDER BY start_id, hops DESC`,
        ids,
      );
      for (const row of rows) {
        const key = String(row.start_id);
        const list = paths.get(key) ?? [];
        list.push(String(row.id));
        paths.set(key, list);
      }
      return paths;
    },

    /** ACCEPTED and CREATED history points of the given receivables (what tiers are computed from). */
    async tierHistory(ids: readonly string[]): Promise<{ receivableId: string; kind: string; blockNumber: bigint; logIndex: number }[]> {
      if (ids.length === 0) return [];
      const rows = await q(
        `SELECT "receivable_id", "kind", "block_number", "log_index" FROM "receivable_history" WHERE "receivable_id" IN ${placeholders(ids.length)} AND "kind" IN ('ACCEPTED', 'CREATED')`,
        ids,
      );
      return rows.map((r) => ({ receivableId: String(r.receivable_id), kind: String(r.kind), blockNumber: big(r.block_number), logIndex: num(r.log_index) }));
    },

    async root(rootId: string, nowSec: number = Math.floor(Date.now() / 1000)) {
      const [r] = await q(`SELECT * FROM "receivable_root" WHERE "root_id" = ?`, [rootId]);
      if (r === undefined) return undefined;
      return {
        rootId: String(r.root_id),
        invoiceHash: String(r.invoice_hash),
        issuer: String(r.issuer),
        supplier: String(r.supplier),
        currency: String(r.currency),
        faceAmount: String(r.face_amount),
        maturity: big(r.maturity),
        frozen: disputed(r, nowSec),
        overdue: bool(r.overdue),
        confirmedBlock: big(r.confirmed_block),
        confirmedTxHash: String(r.confirmed_tx_hash),
      };
    },

    /** By the invoice row's primary key, the confirmed registration's (the table has no index on root_id). */
    async confirmationNonceOf(supplier: string, invoiceHash: string): Promise<string | null> {
      const [r] = await q(`SELECT "confirmation_nonce" FROM "invoice" WHERE "id" = ?`, [invoiceRowId(supplier, invoiceHash)]);
      return r === undefined ? null : strOrNull(r.confirmation_nonce);
    },

    /**
     * The tree's history in chain order as one JSON array text, built by the database (the trace's
     * largest part: ~150 rows a tree). Members: receivableId, kind, from, to, amount, relatedId, detail, txHash,
     * blockNumber, logIndex, timestamp (numbers for the last three).
     */
    async treeHistoryJson(rootId: string): Promise<string> {
      const members = `'receivableId', "receivable_id", 'kind', "kind", 'from', "from_address", 'to', "to_address", 'amount', "amount", 'relatedId', "related_id", 'detail', "detail", 'txHash', "tx_hash", 'blockNumber', "block_number", 'logIndex', "log_index", 'timestamp', "block_timestamp"`;
      // SQLite keeps a subquery's order into the aggregate (the outer aggregate forbids flattening
      // it); PostgreSQL states the order in the aggregate.
      const text =
        sql.dialect === "sqlite"
          ? `SELECT json_group_array(json_object(${members})) AS "j" FROM (SELECT * FROM "receivable_history" WHERE "root_id" = ? ORDER BY "block_number", "log_index")`
          : `SELECT COALESCE(json_agg(json_build_object(${members}) ORDER BY "block_number", "log_index"), '[]')::text AS "j" FROM "receivable_history" WHERE "root_id" = ?`;
      const [r] = await q(text, [rootId]);
      return r === undefined || r.j === null ? "[]" : str(r.j);
    },

    async financingsOf(receivableIds: readonly string[]) {
      if (receivableIds.length === 0) return [];
      const rows = await q(`SELECT * FROM "financing_execution" WHERE "receivable_id" IN ${placeholders(receivableIds.length)} ORDER BY "block_number", "log_index"`, receivableIds);
      return rows.map((f) => ({
        quoteHash: String(f.quote_hash),
        receivableId: String(f.receivable_id),
        financedId: String(f.financed_id),
        financier: String(f.financier),
        holder: String(f.holder),
        mode: String(f.mode) as "PURCHASE" | "PLEDGE",
        currency: String(f.currency),
        amount: String(f.amount),
        advance: String(f.advance),
        repayment: String(f.repayment),
        txHash: String(f.tx_hash),
        blockNumber: num(f.block_number),
      }));
    },

    /** Redemptions of the given receivables (by the indexed receivable_id; root_id has no index). */
    async redemptionsOf(receivableIds: readonly string[]) {
      if (receivableIds.length === 0) return [];
      const rows = await q(
        `SELECT * FROM "redemption" WHERE "receivable_id" IN ${placeholders(receivableIds.length)} ORDER BY "block_number", "log_index"`,
        receivableIds,
      );
      return rows.map((r) => ({
        receivableId: String(r.receivable_id),
        holder: String(r.holder),
        amount: String(r.amount),
        toHolder: String(r.to_holder),
        pledgee: strOrNull(r.pledgee),
        toPledgee: String(r.to_pledgee),
        burnt: bool(r.burnt),
        txHash: String(r.tx_hash),
        blockNumber: num(r.block_number),
      }));
    },

    /**
     * Financing requests, soonest deadline first (then id), after the cursor `after` = [deadlineMs, id]:
     * open to the market (`openAt` given: served in index order by (status, deadline_ms)), or by holder/status.
     */
    async requestPage(input: { openAt?: number; holder?: string; status?: string; after?: [bigint, string] | undefined; limit: number }): Promise<FinancingRequest[]> {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (input.openAt !== undefined) {
        where.push(`"status" = 'OPEN' AND "deadline_ms" > ?`);
        params.push(input.openAt);
      }
      if (input.holder !== undefined) {
        where.push(`"holder" = ?`);
        params.push(input.holder);
      }
      if (input.status !== undefined) {
        where.push(`"status" = ?`);
        params.push(input.status);
      }
      if (input.after !== undefined) {
        where.push(`("deadline_ms" > ? OR ("deadline_ms" = ? AND "id" > ?))`);
        params.push(input.after[0], input.after[0], input.after[1]);
      }
      params.push(input.limit);
      const rows = await q(
        `SELECT * FROM "financing_request" ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`} ORDER BY "deadline_ms", "id" LIMIT ?`,
        params,
      );
      return rows.map((r) => ({
        id: String(r.id),
        receivableId: String(r.receivable_id),
        holder: String(r.holder),
        issuer: String(r.issuer),
        amount: String(r.amount),
        mode: String(r.mode),
        deadlineMs: big(r.deadline_ms),
        status: String(r.status),
        acceptedQuoteId: strOrNull(r.accepted_quote_id),
        createdAtMs: big(r.created_at_ms),
      }));
    },

    async issuanceLimits(cores: readonly string[]) {
      if (cores.length === 0) return [];
      const rows = await q(`SELECT "core_enterprise", "issuance_limit", "issued" FROM "issuance_limit" WHERE "core_enterprise" IN ${placeholders(cores.length)}`, cores);
      return rows.map((r) => ({ coreEnterprise: String(r.core_enterprise), issuanceLimit: String(r.issuance_limit), issued: String(r.issued) }));
    },

    async maturedPools(issuers: readonly string[], nowSec: number) {
      if (issuers.length === 0) return [];
      const rows = await q(
        `SELECT "issuer", "face", "deposited", "overdue_marked" FROM "repayment_pool" WHERE "issuer" IN ${placeholders(issuers.length)} AND "maturity" < ?`,
        [...issuers, nowSec],
      );
      return rows.map((r) => ({ issuer: String(r.issuer), face: String(r.face), deposited: String(r.deposited), overdueMarked: bool(r.overdue_marked) }));
    },

    async checkpoint(): Promise<number | null> {
      const [r] = await q(`SELECT "checkpoint_block" FROM "indexer_state" WHERE "id" = 'main'`);
      return r === undefined ? null : num(r.checkpoint_block);
    },

    /** The indexed block and the indexer's CONFIRMATIONS (0 before an indexer has started). */
    async finality(): Promise<{ checkpoint: number | null; confirmations: number }> {
      const [r] = await q(`SELECT "checkpoint_block", "confirmations" FROM "indexer_state" WHERE "id" = 'main'`);
      return r === undefined ? { checkpoint: null, confirmations: 0 } : { checkpoint: num(r.checkpoint_block), confirmations: num(r.confirmations) };
    },

    async openRequestFor(receivableId: string, nowMs: number): Promise<boolean> {
      const rows = await q(`SELECT 1 AS "x" FROM "financing_request" WHERE "receivable_id" = ? AND "status" = 'OPEN' AND "deadline_ms" > ? LIMIT 1`, [receivableId, nowMs]);
      return rows.length > 0;
    },

    async quotedBy(receivableId: string, financier: string): Promise<boolean> {
      const rows = await q(`SELECT 1 AS "x" FROM "financing_quote" WHERE "receivable_id" = ? AND "financier" = ? LIMIT 1`, [receivableId, financier]);
      return rows.length > 0;
    },
  };
}

export type Reads = ReturnType<typeof createReads>;

/** A root row's freeze as it stands at `nowSec`: raised, not released, and not a debtor's dispute past its end. */
function disputed(r: Record<string, unknown>, nowSec: number): boolean {
  if (!bool(r.frozen)) return false;
  return r.frozen_until === null || r.frozen_until === undefined || big(r.frozen_until) >= BigInt(nowSec);
}
