/**
 * Where each node of a lineage tree sits in the graph: a tidy tree (d3-hierarchy's Reingold–Tilford
 * layout) from the confirmed invoice at the top down to the latest splits. Pure and DOM-free, so the
 * benchmark and the tests lay out a 500-node tree in Node exactly as the page does.
 *
 * A caller sees only part of a tree (need to know): nodes whose parent it may not see hang from the
 * invoice directly, so what the API returns is always one connected picture and nothing is invented.
 */
import { stratify, tree } from "d3-hierarchy";

export interface LineageInput {
  id: string;
  parentId: string | null;
}

export interface Placed<N> {
  node: N;
  x: number;
  y: number;
  /** The node drawn above it: its parent, or the invoice for the root (and for an orphaned part). */
  parent: string;
}

/** The id of the synthetic top node: the confirmed invoice every part traces back to. */
export const INVOICE_NODE = "invoice";

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 96;
const GAP_X = 24;
const GAP_Y = 56;

export function layoutLineage<N extends LineageInput>(nodes: readonly N[]): { placed: Placed<N>[]; invoice: { x: number; y: number } } {
  const ids = new Set(nodes.map((n) => n.id));
  type Row = { id: string; parent: string | null; node: N | null };
  const rows: Row[] = [{ id: INVOICE_NODE, parent: null, node: null }];
  for (const n of nodes) rows.push({ id: n.id, parent: n.parentId !== null && ids.has(n.parentId) ? n.parentId : INVOICE_NODE, node: n });
  const root = stratify<Row>()
    .id((r) => r.id)
    .parentId((r) => r.parent)(rows);
  // Children in id order (split order within a tree): the same tree always draws the same way.
  root.sort((a, b) => (BigInt(a.id ?? "0") < BigInt(b.id ?? "0") ? -1 : 1));
  tree<Row>().nodeSize([NODE_WIDTH + GAP_X, NODE_HEIGHT + GAP_Y])(root);
  const placed: Placed<N>[] = [];
  let invoice = { x: 0, y: 0 };
  root.each((d) => {
    const x = d.x ?? 0;
    const y = d.y ?? 0;
    if (d.data.node === null) invoice = { x, y };
    else placed.push({ node: d.data.node, x, y, parent: d.data.parent ?? INVOICE_NODE });
  });
  return { placed, invoice };
}
