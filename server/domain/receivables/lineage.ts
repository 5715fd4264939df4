/**
 * Lineage reads over the indexer's projections: ancestors of receivables (one recursive query for a
 * whole page) and their tier. Tier is the holder's distance from the core enterprise along the tree: 1
 * for the supplier the invoice was confirmed to, plus one for every accepted transfer on the path from
 * the root to the receivable — counting a transfer of an ancestor only if it happened before the next
 * receivable on the path was split off it.
 */
import type { Reads } from "../reads";

interface HistoryPoint {
  receivableId: string;
  kind: string;
  blockNumber: bigint;
  logIndex: number;
}

function before(a: HistoryPoint, b: HistoryPoint): boolean {
  return a.blockNumber < b.blockNumber || (a.blockNumber === b.blockNumber && a.logIndex < b.logIndex);
}

/** For each id: its path from the root down to itself (root first). */
export async function pathsOf(reads: Reads, ids: readonly string[]): Promise<Map<string, string[]>> {
  return reads.paths(ids);
}

/** Tiers of the given receivables, from their paths and the ACCEPTED/CREATED history of the path. */
export async function tiersOf(reads: Reads, paths: ReadonlyMap<string, readonly string[]>): Promise<Map<string, number>> {
  const all = [...new Set([...paths.values()].flat())];
  const tiers = new Map<string, number>();
  if (all.length === 0) return tiers;
  const history = await reads.tierHistory(all);
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
