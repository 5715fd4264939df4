/**
 * Need to know, applied to a lineage tree: what of a tree one organisation may see. Pure (no database):
 * the trace and the proof bundle feed it the tree's nodes, history and financings.
 *
 * The rule (ARCHITECTURE.md "Need to know"):
 * - an organisation's **own parts** are the receivables it holds, is offered, has pledged to it, held
 *   before (confirmed to it, split by it, accepted or moved to it, pledged to it) or bought or took in
 *   pledge as a financier; it sees them and **their descendants** in full (`FULL`);
 * - a financier that sees a receivable only through the market (an open request, its own quote) sees
 *   that receivable and its provenance (`MARKET`), not what its holder did with it since;
 * - it sees the **path** from the confirmed invoice down to each of those (`PATH`): ids, amounts,
 *   maturity, obligor, and of the path's history only what brought its parts into being — the
 *   confirmation, the transfers of each path node up to the split that created the next one, and those
 *   splits; never a path node's later history, its pledges or financings, nor other branches;
 * - financing terms (advance, repayment, mode) only to the two parties to them; redemptions only to the
 *   holder and the pledgee paid;
 * - the obligor (the tree's core enterprise) owes every part, so it sees every node and event, but not
 *   the financing terms between others; operator and auditor see everything.
 *
 * Never decides whether the caller may see the tree at all: that is `canSeeReceivable`'s (a caller that
 * passed it always sees the receivable it asked about, e.g. a financier quoting on an open request).
 */

/**
 * FULL: every detail and event. PATH: ids, amounts, maturity, obligor and provenance. MARKET: a
 * receivable a financier sees only because it is (or was) offered for financing — its details and its
 * provenance, not its later splits, pledges or financings.
 */
export type NodeVisibility = "FULL" | "PATH" | "MARKET";

export interface TreeNode {
  id: string;
  parentId: string | null;
  holder: string;
  offeredTo: string | null;
  pledgee: string | null;
}

export interface TreeEvent {
  receivableId: string;
  kind: string;
  to: string | null;
  relatedId: string | null;
  blockNumber: number;
  logIndex: number;
}

export interface FinancingParties {
  receivableId: string;
  financedId: string;
  financier: string;
  holder: string;
}

/** Events that made a receivable and moved it whole: the provenance of anything split off it later. */
const PROVENANCE_KINDS = new Set(["CONFIRMED", "CREATED", "OFFERED", "ACCEPTED", "OFFER_ENDED", "MOVED"]);
/** Events on the root that change the whole tree (every holder is affected, so every viewer sees them). */
const TREE_KINDS = new Set(["FROZEN", "UNFROZEN", "OVERDUE"]);
/** History entries whose `to` became a holder (or pledgee) of the receivable: a part the organisation had. */
const HELD_KINDS = new Set(["CONFIRMED", "CREATED", "ACCEPTED", "MOVED", "PLEDGED"]);

export interface TreeView {
  /** Node id → how much of it the caller sees; nodes not in the map are not shown at all. */
  nodes: Map<string, NodeVisibility>;
  /** Whether the caller sees the whole tree (operator, auditor, the obligor). */
  whole: boolean;
}

/** The whole tree: for operator, auditor and the obligor. */
export function wholeTree(nodes: readonly TreeNode[]): TreeView {
  return { nodes: new Map(nodes.map((n) => [n.id, "FULL" as const])), whole: true };
}

/** What `org` sees of a tree (see the module comment). `target` is the receivable asked about. */
export function needToKnowView(input: {
  org: string;
  target: string;
  nodes: readonly TreeNode[];
  events: readonly TreeEvent[];
  financings: readonly FinancingParties[];
}): TreeView {
  const { org } = input;
  const byId = new Map(input.nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const n of input.nodes) {
    if (n.parentId === null) continue;
    const list = children.get(n.parentId) ?? [];
    list.push(n.id);
    children.set(n.parentId, list);
  }
  const own = new Set<string>();
  for (const n of input.nodes) if (n.holder === org || n.offeredTo === org || n.pledgee === org) own.add(n.id);
  for (const e of input.events) if (e.to === org && HELD_KINDS.has(e.kind)) own.add(e.receivableId);
  // The part a financier bought or took in pledge (the holder's side is a holding anyway).
  for (const f of input.financings) if (f.financier === org || f.holder === org) own.add(f.financedId);
  const nodes = new Map<string, NodeVisibility>();
  // Own parts and their descendants in full.
  const stack = [...own].filter((id) => byId.has(id));
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (nodes.has(id)) continue;
    nodes.set(id, "FULL");
    stack.push(...(children.get(id) ?? []));
  }
  // A receivable seen only through the market (a financier on an open request or its own quote): the
  // receivable itself and how it came to be, not what its holder did with it since.
  if (!nodes.has(input.target) && byId.has(input.target)) nodes.set(input.target, "MARKET");
  // The path from the root down to each of them.
  for (const id of [...nodes.keys()]) {
    let parent = byId.get(id)?.parentId ?? null;
    while (parent !== null && !nodes.has(parent)) {
      nodes.set(parent, "PATH");
      parent = byId.get(parent)?.parentId ?? null;
    }
  }
  return { nodes, whole: false };
}

const point = (e: { blockNumber: number; logIndex: number }) => e.blockNumber * 1_000_000 + e.logIndex;

/**
 * The history entries `view` lets its caller see: everything of FULL nodes; of PATH nodes, their
 * provenance up to the split of the last visible child and the splits to visible children; the tree's
 * freezes and overdue marks.
 */
export function visibleEvents<E extends TreeEvent>(view: TreeView, nodes: readonly Pick<TreeNode, "id" | "parentId">[], events: readonly E[]): E[] {
  if (view.whole) return [...events];
  // For each PATH node: the chain position at which its last visible child was split off it.
  const cutoff = new Map<string, number>();
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  for (const e of events) {
    if (e.kind !== "CREATED" || !view.nodes.has(e.receivableId)) continue;
    const parent = parentOf.get(e.receivableId) ?? null;
    if (parent === null || view.nodes.get(parent) !== "PATH") continue;
    cutoff.set(parent, Math.max(cutoff.get(parent) ?? 0, point(e)));
  }
  return events.filter((e) => {
    const seen = view.nodes.get(e.receivableId);
    if (seen === "FULL" || (seen !== undefined && TREE_KINDS.has(e.kind))) return true;
    if (seen === undefined) return false;
    if (e.kind === "SPLIT") return e.relatedId !== null && view.nodes.has(e.relatedId);
    if (!PROVENANCE_KINDS.has(e.kind)) return false;
    return seen === "MARKET" || point(e) <= (cutoff.get(e.receivableId) ?? -1);
  });
}

/** Financing terms are the business of their two parties (and of operator and auditor: `privileged`). */
export function visibleFinancings<F extends { financier: string; holder: string }>(org: string | undefined, privileged: boolean, financings: readonly F[]): F[] {
  return privileged ? [...financings] : financings.filter((f) => f.financier === org || f.holder === org);
}

/** A redemption is the business of the holder paid and the pledgee paid first (and of operator and auditor). */
export function visibleRedemptions<R extends { holder: string; pledgee: string | null }>(org: string | undefined, privileged: boolean, redemptions: readonly R[]): R[] {
  return privileged ? [...redemptions] : redemptions.filter((r) => r.holder === org || r.pledgee === org);
}
