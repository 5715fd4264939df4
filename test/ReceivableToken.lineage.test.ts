import { confirmationNonceOf } from "../scripts/ledgerStory";
// One invoice followed from confirmation through three tiers of splits: every child's ancestors lead to
// the confirmed invoice, and the demo story (scripts/ledgerStory.ts) prints holdings and the tree.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { groupDigits, playLedgerStory, readLineageTree, rootIdFromReceipt, type LineageNode } from "../scripts/ledgerStory";
import { DAY, deployLedgerFixture, makeInvoice, signFor, transfer } from "./fixtures/system";

function flatten(node: LineageNode): LineageNode[] {
  return [node, ...node.children.flatMap(flatten)];
}

describe("ReceivableToken: lineage", () => {
  it("traces every part held at tiers 1-3 back to the confirmed invoice", async () => {
    const f = await loadFixture(deployLedgerFixture);
    const { ledger, tier1, tier2, tier3, relayer } = f;
    const invoice = await makeInvoice(f, { amount: 90_000n });
    const deadline = BigInt(await time.latest()) + DAY;
    const receipt = await (await ledger.connect(relayer).confirmInvoiceWithSignature(invoice, confirmationNonceOf(invoice), deadline, await signFor(f, invoice, deadline))).wait();
    const rootId = rootIdFromReceipt(ledger, receipt!.logs);

    // Tier 1 passes two parts to tier 2; tier 2 passes parts of both on to tier 3, and tier 3 splits one.
    const a = await transfer(ledger, rootId, tier1, tier2, 40_000n);
    const b = await transfer(ledger, rootId, tier1, tier2, 20_000n);
    const a1 = await transfer(ledger, a, tier2, tier3, 15_000n);
    const b1 = await transfer(ledger, b, tier2, tier3, 20_000n); // the whole of b: the token itself moves
    await ledger.connect(tier3).split(a1, 5_000n);

    expect(b1).to.equal(b);
    const tree = await readLineageTree(ledger, rootId);
    const nodes = flatten(tree);
    expect(nodes).to.have.length(5);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const node of nodes) {
      const r = await ledger.receivableOf(node.id);
      expect(r.rootId).to.equal(rootId);
      expect(await ledger.slotOf(node.id)).to.equal(rootId);
      // Walk the parent links up: the path length is the depth and it ends at the confirmed root.
      let steps = 0n;
      let cursor = r;
      while (cursor.parentId !== 0n) {
        expect(byId.has(cursor.parentId), `parent ${cursor.parentId} of ${node.id} is live`).to.equal(true);
        cursor = await ledger.receivableOf(cursor.parentId);
        steps += 1n;
      }
      expect(steps).to.equal(r.depth);
      expect(cursor.rootId).to.equal(rootId);
    }
    expect(await ledger.rootIdOfInvoice(invoice.invoiceHash)).to.equal(rootId);
    expect((await ledger.rootOf(rootId)).issuer).to.equal(f.core.address);
    // The live amounts add up to the face amount.
    expect(nodes.reduce((sum, n) => sum + n.amount, 0n)).to.equal(invoice.amount);
    // Holdings by tier.
    const held = (who: string) => nodes.filter((n) => n.holder === who).reduce((sum, n) => sum + n.amount, 0n);
    expect([held(tier1.address), held(tier2.address), held(tier3.address)]).to.deep.equal([30_000n, 25_000n, 35_000n]);
    // Depths: b moved whole, so it stays depth 1; a1's split child is depth 3.
    expect(nodes.map((n) => Number(n.depth)).sort()).to.deep.equal([0, 1, 1, 2, 3]);
  });

  it("reads a tree with burnt members: their live children hang under the root", async () => {
    const f = await loadFixture(deployLedgerFixture);
    const { ledger, tier1, tier2 } = f;
    const invoice = await makeInvoice(f, { amount: 9_000n });
    const receipt = await (await ledger.connect(f.core).confirmInvoice(invoice)).wait();
    const rootId = rootIdFromReceipt(ledger, receipt!.logs);
    const part = await transfer(ledger, rootId, tier1, tier2, 3_000n);
    await ledger.connect(tier2).split(part, 1_000n);
    await ledger.connect(f.admin).bindSystemContracts(f.relayer.address, f.admin.address);
    await ledger.connect(f.admin).burn(part);
    const tree = await readLineageTree(ledger, rootId);
    expect(tree.children.map((n) => [n.id, n.parentId, n.amount])).to.deep.equal([[rootId | 2n, part, 1_000n]]);
  });

  it("plays the demo story: confirmation by signature, then parts down to tier 3", async () => {
    const f = await loadFixture(deployLedgerFixture);
    const lines: string[] = [];
    const story = await playLedgerStory({
      ledger: f.ledger,
      accounts: { coreEnterprise: f.core, suppliers: [f.tier1, f.tier2, f.tier3], banks: [f.bankA, f.bankB] },
      world: f.world,
      amount: 100_000n,
      formatAmount: groupDigits,
      log: (line) => lines.push(line),
      documentId: "INV-TEST-1",
    });
    const holdings = Object.fromEntries(story.holdings.map((h) => [h.name, h.total]));
    expect(holdings).to.deep.equal({
      "Core enterprise": 0n,
      "Tier-1 supplier": 40_000n,
      "Tier-2 supplier": 35_000n,
      "Tier-3 supplier": 25_000n,
      "Bank A": 0n,
      "Bank B": 0n,
    });
    expect(story.tree.children[0]!.children[0]!.holder).to.equal(f.tier3.address);
    expect(story.treeText.split("\n")).to.deep.equal([
      `#1.0  40,000  held by Tier-1 supplier  (root)`,
      `└── #1.1  35,000  held by Tier-2 supplier`,
      `    └── #1.2  25,000  held by Tier-3 supplier`,
    ]);
    expect(lines.join("\n")).to.contain("Lineage tree:");
  });
});
