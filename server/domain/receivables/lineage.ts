/**
 * Lineage reads over the indexer's projections: ancestors of receivables (one recursive query for a
 * whole page) and their tier. Tier is the holder's distance from the core enterprise along the tree: 1
 * for the supplier the invoice was confirmed to, plus one for every accepted transfer on the path from
 * the root to the receivable — counting a transfer of an ancestor only if it happened before the next
 * receivable on the path was split off it.
 */
import { Prisma } from "../../db/generated/sqlite/client";
import type { PrismaClient } from "../../db/client";

interface AncestorRow {
  start_id: string;
  id: string;
  parent_id: string | null;
}

/** For each id: its path from the root down to itself (root first). */
export async function pathsOf(db: PrismaClient, ids: readonly string[]): Promise<Map<string, string[]>> {
  const paths = new Map<string, string[]>();
  if (ids.length === 0) return paths;
  const rows = await db.$queryRaw<AncestorRow[]>`
    WITH RECURSIVE anc(start_id, id, parent_id, hops) AS (
      SELECT r."id", r."id", r."parent_id", 0 FROM "receivable" r WHERE r."id" IN (${Prisma.join(ids)})
      UNION ALL
      SELECT anc.start_id, p."id", p."parent_id", anc.hops + 1 FROM "receivable" p JOIN anc ON p."id" = anc.parent_id
    )
    SELECT start_id, id, parent_id FROM anc ORDER BY start_id, hops DESC`;
  for (const row of rows) {
    const list = paths.get(row.start_id) ?? [];
    list.push(row.id);
    paths.set(row.start_id, list);
  }
  return paths;
}

interface HistoryPoint {
  receivableId: string;
  kind: string;
  blockNumber: bigint;
  logIndex: number;
}

function before(a: HistoryPoint, b: HistoryPoint): boolean {
  return a.blockNumber < b.blockNumber || (a.blockNumber === b.blockNumber && a.logIndex < b.logIndex);
}

/** Tiers of the given receivables, from their paths and the ACCEPTED/CREATED history of the path. */
export async function tiersOf(db: PrismaClient, paths: ReadonlyMap<string, readonly string[]>): Promise<Map<string, number>> {
  const all = [...new Set([...paths.values()].flat())];
  const tiers = new Map<string, number>();
  if (all.length === 0) return tiers;
  const history = await db.receivableHistory.findMany({
    where: { receivableId: { in: all }, kind: { in: ["ACCEPTED", "CREATED"] } },
    select: { receivableId: true, kind: true, blockNumber: true, logIndex: true },
  });
  const byId = new Map<string, HistoryPoint[]>();
  for (const h of history) {
    const list = byId.get(h.receivableId) ?? [];
    list.push(h);
    byId.set(h.receivableId, list);
  }
  for (const [id, path] of paths) {
    let tier = 1;
    path.forEach((node, i) => {
      const accepted = (byId.get(node) ?? []).filter((h) => h.kind === "ACCEPTED");
      const next = path[i + 1];
      if (next === undefined) {
        tier += accepted.length;
        return;
      }
      const created = (byId.get(next) ?? []).find((h) => h.kind === "CREATED");
      tier += created === undefined ? 0 : accepted.filter((a) => before(a, created)).length;
    });
    tiers.set(id, tier);
  }
  return tiers;
}
