/**
 * The lineage graph's layout (web/src/features/trace/layout.ts), in Node as the page runs it: every part
 * below its parent, no two parts overlapping, a part whose parent the caller may not see hung from the
 * invoice, and a 500-part tree laid out well within the 1 s.
 */
import { expect } from "chai";
import { INVOICE_NODE, layoutLineage, NODE_HEIGHT, NODE_WIDTH } from "../../web/src/features/trace/layout";

/** A tree of `size` parts: each new part split from a random earlier one (seeded, so the same every run). */
function randomTree(size: number, seed = 7): { id: string; parentId: string | null }[] {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31);
  const root = (1n << 32n).toString();
  const nodes = [{ id: root, parentId: null as string | null }];
  for (let i = 1; i < size; i++) nodes.push({ id: ((1n << 32n) + BigInt(i)).toString(), parentId: nodes[next() % nodes.length]!.id });
  return nodes;
}

describe("web app: lineage layout", function () {
  it("puts every part below its parent and no two parts on top of each other", function () {
    const nodes = randomTree(120);
    const { placed, invoice } = layoutLineage(nodes);
    expect(placed).to.have.length(nodes.length);
    const at = new Map(placed.map((p) => [p.node.id, p]));
    for (const p of placed) {
      const parent = p.parent === INVOICE_NODE ? invoice : at.get(p.parent)!;
      expect(p.y, p.node.id).to.be.greaterThan(parent.y);
    }
    const overlapping: string[] = [];
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const [a, b] = [placed[i]!, placed[j]!];
        if (Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT) overlapping.push(`${a.node.id}/${b.node.id}`);
      }
    }
    expect(overlapping).to.deep.equal([]);
  });

  it("hangs a part whose parent is not shown (need to know) from the invoice", function () {
    const { placed } = layoutLineage([
      { id: "4294967297", parentId: "4294967296" },
      { id: "4294967298", parentId: "4294967297" },
    ]);
    expect(placed.find((p) => p.node.id === "4294967297")!.parent).to.equal(INVOICE_NODE);
    expect(placed.find((p) => p.node.id === "4294967298")!.parent).to.equal("4294967297");
  });

  it("lays out a 500-part tree in well under a second", function () {
    const nodes = randomTree(500);
    const started = process.hrtime.bigint();
    const { placed } = layoutLineage(nodes);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(placed).to.have.length(500);
    expect(ms, `${ms.toFixed(1)} ms`).to.be.below(1_000);
  });
});
