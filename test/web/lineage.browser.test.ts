/**
 * The lineage graph in Chromium, per role: a holder deep in a tree traces its part to the confirmed
 * invoice and sees only the path to it (the API's need to know: no holders on the path, no other
 * branch); the auditor sees the whole tree, follows it up to the root and downloads the proof bundle.
 */
import fs from "node:fs";
import { expect } from "chai";
import request from "supertest";
import { bearer, confirmedReceivable, UNIT, type Actor } from "../server/api/world";
import { browserAvailable, DEMO_NAMES, expectAccessible, screenshot, signInAsDemo, startWebSystem, type WebSystem } from "./browser";

describe("web app in Chromium: lineage graph, history and proof bundle, per role", function () {
  let sys: WebSystem;
  let rootId: string;
  /** tier 1 → tier 2 (3,000), then tier 2 → tier 3 (1,000): tier 3's part is at depth 2. */
  let tier2Part: string;
  let tier3Part: string;
  /** Another branch: tier 1 → tier 2 (2,000); tier 3 has no business there. */
  let otherBranch: string;

  async function offerAndAccept(from: Actor, to: Actor, id: string, amount: bigint): Promise<string> {
    const offered = await request(sys.w.h.app)
      .post(`/v1/receivables/${id}/transfer`)
      .set(...bearer(from))
      .set("Idempotency-Key", `lineage-${id}-${to.name}-${amount}`)
      .send({ to: to.address, amount: amount.toString() })
      .expect(201);
    const partId = offered.body.offeredId as string;
    await request(sys.w.h.app)
      .post(`/v1/receivables/${partId}/accept`)
      .set(...bearer(to))
      .set("Idempotency-Key", `lineage-accept-${partId}`)
      .expect(200);
    await sys.w.indexer.syncTo();
    return partId;
  }

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
    rootId = await confirmedReceivable(sys.w, { supplier: sys.w.tier1, amount: 10_000n * UNIT });
    tier2Part = await offerAndAccept(sys.w.tier1, sys.w.tier2, rootId, 3_000n * UNIT);
    tier3Part = await offerAndAccept(sys.w.tier2, sys.w.tier3, tier2Part, 1_000n * UNIT);
    otherBranch = await offerAndAccept(sys.w.tier1, sys.w.tier2, rootId, 2_000n * UNIT);
  });

  after(async function () {
    await sys?.close();
  });

  it("a tier-3 holder traces its part to the confirmed invoice and sees only the path to it (need to know)", async function () {
    const trace = (await request(sys.w.h.app).get(`/v1/receivables/${tier3Part}/trace`).set(...bearer(sys.w.tier3)).expect(200)).body;
    expect(trace.scope).to.equal("NEED_TO_KNOW");
    const { page, errors, context } = await sys.context("zh-CN");
    try {
      await signInAsDemo(page, DEMO_NAMES.tier3);
      await page.goto(`/receivables/${tier3Part}`);
      const graph = page.getByRole("region", { name: /^流转图谱：/ });
      await graph.waitFor();
      // The invoice at the top, then the root and tier 2's part (the path), then its own part.
      await graph.getByRole("group", { name: `已确权发票 ${trace.invoice.invoiceHash}`, exact: true }).waitFor();
      for (const id of [rootId, tier2Part, tier3Part]) await graph.getByRole("group", { name: `应收账款 ${id}`, exact: true }).waitFor();
      // Nothing of the other branch, and no holder on the path: the API sends neither.
      expect(await graph.getByRole("group", { name: `应收账款 ${otherBranch}`, exact: true }).count()).to.equal(0);
      expect(await graph.getByRole("group", { name: /^应收账款 / }).count()).to.equal(trace.nodes.length);
      for (const id of [rootId, tier2Part]) {
        const node = graph.getByRole("group", { name: `应收账款 ${id}`, exact: true });
        expect(await node.textContent(), id).to.include("持有人不显示").and.include("仅路径");
        // A path part is not the caller's to open: no link (its page would answer "not found").
        expect(await node.getByRole("link").count()).to.equal(0);
      }
      expect(await graph.getByRole("group", { name: `应收账款 ${tier3Part}`, exact: true }).textContent()).to.include(`持有人：${DEMO_NAMES.tier3}`);
      // The history holds no event of the other branch.
      const history = page.getByRole("table", { name: "您有权查看的部分的历史，按时间先后" });
      expect(await history.textContent()).to.not.include(otherBranch);
      await expectAccessible(page, "receivable with lineage (zh-CN)");
      await page.getByRole("heading", { name: "流转图谱" }).evaluate((el) => el.scrollIntoView({ block: "start" }));
      await screenshot(page, "supplier-lineage-zh-CN");
      // The holder verifies its own proof bundle against the chain, in Chinese.
      await page.getByRole("button", { name: "对照链上数据验证" }).click();
      await page.getByRole("status").filter({ hasText: `验证通过：应收账款 ${tier3Part} 可追溯至已确权发票 ${trace.invoice.invoiceHash as string}` }).waitFor();
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("the auditor sees the whole tree with every holder, follows it up to the root, and downloads the proof bundle", async function () {
    const { page, errors, context } = await sys.context("en");
    try {
      await signInAsDemo(page, "Auditor");
      await page.goto(`/receivables/${tier3Part}`);
      const graph = page.getByRole("region", { name: /^Lineage graph/ });
      await graph.waitFor();
      await page.getByText("The whole tree.").waitFor();
      for (const id of [rootId, tier2Part, tier3Part, otherBranch]) await graph.getByRole("group", { name: `Receivable ${id}`, exact: true }).waitFor();
      expect(await graph.getByRole("group", { name: `Receivable ${rootId}`, exact: true }).textContent()).to.include(`Holder: ${DEMO_NAMES.tier1}`);
      expect(await graph.getByRole("group", { name: `Receivable ${otherBranch}`, exact: true }).textContent()).to.include(`Holder: ${DEMO_NAMES.tier2}`);
      await expectAccessible(page, "receivable with lineage (en, auditor)");
      await page.getByRole("heading", { name: "Lineage" }).evaluate((el) => el.scrollIntoView({ block: "start" }));
      await screenshot(page, "auditor-lineage-en");

      // The proof bundle, saved as a file, is the API's.
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the proof bundle" }).click()]);
      expect(download.suggestedFilename()).to.equal(`receivable-${tier3Part}.proof.json`);
      const saved = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
      const served = (await request(sys.w.h.app).get(`/v1/receivables/${tier3Part}/proof`).set(...bearer(sys.w.auditor)).expect(200)).body;
      expect(saved).to.deep.equal(served);
      expect(saved.path).to.deep.equal([rootId, tier2Part, tier3Part]);
      // Verified here, against the chain (through the API's read-only JSON-RPC relay), by the script's own code.
      await page.getByRole("button", { name: "Verify against the chain" }).click();
      const verdict = page.getByRole("status").filter({ hasText: "Valid: receivable" });
      await verdict.waitFor();
      expect(await verdict.textContent()).to.include(`Valid: receivable ${tier3Part} traces to the confirmed invoice ${saved.invoice.invoiceHash as string}`).and.include(", 0 failed");
      await expectAccessible(page, "verified proof bundle (en, auditor)");

      // Up the tree: the root's node links to the root's own page.
      await graph.getByRole("group", { name: `Receivable ${rootId}`, exact: true }).getByRole("link", { name: rootId }).click();
      await page.getByRole("heading", { name: `Receivable ${rootId}` }).waitFor();
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
