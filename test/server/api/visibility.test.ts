/**
 * Need to know (issue 9, item 3), per role, through the API against the real chain, indexer and
 * database. One tree: the core enterprise confirms 1,000,000.00 to tier 1; tier 1 passes 400,000 to
 * tier 2 and sells 150,000 of what it keeps to bank A; tier 2 passes 100,000 to tier 3 and pledges
 * 100,000 of the rest to bank B. Each party traces its own part and must see the path from the
 * confirmed invoice to it and its own descendants — never another party's financing terms or an
 * unrelated branch — and the proof bundle a holder downloads still verifies against the node.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { verifyProofBundle, type ProofBundle } from "../../../server/domain/trace/proofBundle";
import { bearer, chainNow, createWorld, DAY, UNIT, type Actor, type World } from "./world";

interface TraceNode {
  id: string;
  visibility: "FULL" | "PATH";
  holder: string | null;
  status: string | null;
  pledgee: string | null;
  amount: string;
  maturity: number;
  issuer: string;
}
interface Trace {
  scope: "TREE" | "NEED_TO_KNOW";
  nodes: TraceNode[];
  events: { receivableId: string; kind: string; relatedId: string | null }[];
  financings: { financier: string; holder: string; advance: string; currency: string }[];
  redemptions: unknown[];
  invoice: { issuer: string; faceAmount: string; confirmedTxHash: string };
}

for (const dialect of testDialects()) describe(`API: need-to-know visibility (${dialect})`, function () {
  let w: World;
  let n = 0;
  const idem = () => `v-${++n}-${Date.now()}`;
  const money = (x: bigint) => (x * UNIT).toString();
  // Distinctive terms, so that a leak shows up as a plain substring of the answer.
  const BANK_A_ADVANCE = "14732109"; // 147,321.09 for 150,000.00 (tier 1's purchase)
  const BANK_B_ADVANCE = "9512345"; // 95,123.45 against 100,000.00 (tier 2's pledge)
  const BANK_B_REPAYMENT = "9765432";

  let rootId: string;
  let t2Id: string;
  let t3Id: string;
  let bankAPart: string;
  let pledgedPart: string;

  async function ok(req: request.Test, status: number) {
    const res = await req;
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    return res.body;
  }
  const post = (actor: Actor, path: string, body: object = {}) =>
    ok(request(w.h.app).post(path).set(...bearer(actor)).set("Idempotency-Key", idem()).send(body), path.endsWith("/accept") ? 200 : 201);
  async function trace(actor: { auth: string }, id: string): Promise<{ body: Trace; text: string }> {
    const res = await request(w.h.app).get(`/v1/receivables/${id}/trace`).set(...bearer(actor));
    expect(res.status, res.text).to.equal(200);
    return { body: res.body as Trace, text: res.text };
  }
  async function finance(holder: Actor, bank: Actor, receivableId: string, terms: { amount: bigint; mode: "PURCHASE" | "PLEDGE"; advance: string; repayment?: string }) {
    const deadline = (await chainNow()) + 2 * DAY;
    const r = await post(holder, "/v1/financing-requests", { receivableId, amount: money(terms.amount), mode: terms.mode, deadline });
    const q = await post(bank, `/v1/financing-requests/${r.id}/quotes`, {
      advance: terms.advance,
      ...(terms.repayment === undefined ? {} : { repayment: terms.repayment }),
      expiry: deadline + DAY,
    });
    return (await post(holder, `/v1/quotes/${q.id}/accept`)).financedId as string;
  }

  before(async function () {
    w = await createWorld({ dialect });
    const maturity = (await chainNow()) + 120 * DAY;
    const { invoiceHash } = await post(w.tier1, "/v1/invoices", {
      debtor: w.core.address,
      currency: w.currency,
      amount: money(1_000_000n),
      maturity,
      invoiceNumber: "NTK-1",
      metadata: { goods: "bearings" },
    });
    rootId = (await post(w.core, `/v1/invoices/${invoiceHash}/confirm`)).rootId;
    t2Id = (await post(w.tier1, `/v1/receivables/${rootId}/transfer`, { to: w.tier2.address, amount: money(400_000n) })).offeredId;
    await post(w.tier2, `/v1/receivables/${t2Id}/accept`);
    t3Id = (await post(w.tier2, `/v1/receivables/${t2Id}/transfer`, { to: w.tier3.address, amount: money(100_000n) })).offeredId;
    await post(w.tier3, `/v1/receivables/${t3Id}/accept`);
    bankAPart = await finance(w.tier1, w.bankA, rootId, { amount: 150_000n, mode: "PURCHASE", advance: BANK_A_ADVANCE });
    pledgedPart = await finance(w.tier2, w.bankB, t2Id, { amount: 100_000n, mode: "PLEDGE", advance: BANK_B_ADVANCE, repayment: BANK_B_REPAYMENT });
  });
  after(async function () {
    await w?.close();
  });

  const ids = (t: Trace) => t.nodes.map((x) => x.id).sort();
  const node = (t: Trace, id: string) => t.nodes.find((x) => x.id === id) as TraceNode;

  describe("a tier-3 supplier tracing its part", function () {
    it("sees the path from the confirmed invoice to its part and nothing of other branches", async function () {
      const { body } = await trace(w.tier3, t3Id);
      expect(body.scope).to.equal("NEED_TO_KNOW");
      expect(ids(body)).to.deep.equal([rootId, t2Id, t3Id].sort());
      expect(node(body, t3Id)).to.include({ visibility: "FULL", holder: w.tier3.address, amount: money(100_000n), issuer: w.core.address });
      for (const id of [rootId, t2Id]) {
        // ids, amounts, maturity and obligor on the path; not who holds it now, nor its status
        expect(node(body, id)).to.include({ visibility: "PATH", holder: null, status: null, pledgee: null, issuer: w.core.address });
        expect(node(body, id).maturity).to.equal(node(body, t3Id).maturity);
      }
      expect(body.invoice).to.include({ issuer: w.core.address, faceAmount: money(1_000_000n) });
    });

    it("sees no financing terms of others, no redemptions, and no event of another branch", async function () {
      const { body, text } = await trace(w.tier3, t3Id);
      expect(body.financings).to.deep.equal([]);
      expect(body.redemptions).to.deep.equal([]);
      for (const leak of [BANK_A_ADVANCE, BANK_B_ADVANCE, BANK_B_REPAYMENT, w.bankA.address, w.bankB.address, bankAPart, pledgedPart]) expect(text).to.not.include(leak);
      const path = new Set([rootId, t2Id, t3Id]);
      for (const e of body.events) {
        expect(path.has(e.receivableId), `${e.kind} on ${e.receivableId}`).to.equal(true);
        if (e.kind === "SPLIT") expect(path.has(e.relatedId as string)).to.equal(true);
        expect(["FINANCED", "PLEDGED", "PLEDGE_RELEASED", "REDEEMED"]).to.not.include(e.kind);
      }
      // The provenance is there: the confirmation, each split down the path, and the transfers.
      const kinds = body.events.map((e) => `${e.kind}:${e.receivableId}`);
      expect(kinds).to.include.members([`CONFIRMED:${rootId}`, `SPLIT:${rootId}`, `ACCEPTED:${t2Id}`, `SPLIT:${t2Id}`, `ACCEPTED:${t3Id}`]);
    });

    it("still cannot read the other parts one by one (404)", async function () {
      for (const id of [rootId, t2Id, bankAPart, pledgedPart]) await request(w.h.app).get(`/v1/receivables/${id}`).set(...bearer(w.tier3)).expect(404);
    });

    it("downloads a proof bundle of the path only, which verifies against the node", async function () {
      const res = await request(w.h.app).get(`/v1/receivables/${t3Id}/proof`).set(...bearer(w.tier3)).expect(200);
      const bundle = res.body as ProofBundle;
      expect(bundle.path).to.deep.equal([rootId, t2Id, t3Id]);
      for (const leak of [w.bankA.address, w.bankB.address, bankAPart, pledgedPart]) expect(res.text).to.not.include(leak);
      const splits = bundle.events.filter((e) => e.eventName === "ReceivableSplit").map((e) => [e.args.parentId, e.args.childId]);
      expect(splits).to.deep.equal([
        [rootId, t2Id],
        [t2Id, t3Id],
      ]);
      const result = await verifyProofBundle(bundle, ethers.provider);
      expect(result.failures).to.deep.equal([]);
      expect(result.ok).to.equal(true);
    });
  });

  describe("a tier-2 supplier tracing its part", function () {
    it("sees its part and its descendants in full, the root as path, and only its own financing", async function () {
      const { body, text } = await trace(w.tier2, t2Id);
      expect(body.scope).to.equal("NEED_TO_KNOW");
      expect(ids(body)).to.deep.equal([rootId, t2Id, t3Id, pledgedPart].sort());
      expect(node(body, rootId).visibility).to.equal("PATH");
      expect(node(body, t3Id)).to.include({ visibility: "FULL", holder: w.tier3.address });
      expect(node(body, pledgedPart)).to.include({ visibility: "FULL", holder: w.tier2.address, pledgee: w.bankB.address, status: "PLEDGED" });
      expect(body.financings.map((f) => [f.financier, f.holder, f.advance, f.currency])).to.deep.equal([[w.bankB.address, w.tier2.address, BANK_B_ADVANCE, w.currency]]);
      for (const leak of [BANK_A_ADVANCE, w.bankA.address, bankAPart]) expect(text).to.not.include(leak);
    });

    it("gets a verifying proof bundle of its own path", async function () {
      const bundle = (await request(w.h.app).get(`/v1/receivables/${pledgedPart}/proof`).set(...bearer(w.tier2)).expect(200)).body as ProofBundle;
      expect(bundle.path).to.deep.equal([rootId, t2Id, pledgedPart]);
      expect(JSON.stringify(bundle)).to.not.include(t3Id);
      expect((await verifyProofBundle(bundle, ethers.provider)).failures).to.deep.equal([]);
    });
  });

  describe("the tier-1 supplier (holder of the root)", function () {
    it("sees every part as its descendant, but only the financing it is a party to", async function () {
      const { body, text } = await trace(w.tier1, rootId);
      expect(body.scope).to.equal("NEED_TO_KNOW");
      expect(ids(body)).to.deep.equal([rootId, t2Id, t3Id, bankAPart, pledgedPart].sort());
      expect(body.nodes.every((x) => x.visibility === "FULL")).to.equal(true);
      expect(body.financings.map((f) => [f.financier, f.holder, f.advance])).to.deep.equal([[w.bankA.address, w.tier1.address, BANK_A_ADVANCE]]);
      for (const leak of [BANK_B_ADVANCE, BANK_B_REPAYMENT]) expect(text).to.not.include(leak);
    });
  });

  describe("banks", function () {
    it("bank A sees the path to the part it bought and its own terms, nothing of tier 2's branch", async function () {
      const { body, text } = await trace(w.bankA, bankAPart);
      expect(ids(body)).to.deep.equal([rootId, bankAPart].sort());
      expect(node(body, rootId).visibility).to.equal("PATH");
      expect(node(body, bankAPart)).to.include({ visibility: "FULL", holder: w.bankA.address });
      expect(body.financings.map((f) => f.advance)).to.deep.equal([BANK_A_ADVANCE]);
      for (const leak of [BANK_B_ADVANCE, w.bankB.address, t2Id, t3Id, pledgedPart]) expect(text).to.not.include(leak);
    });

    it("bank B sees the path to the part pledged to it and its own terms only", async function () {
      const { body, text } = await trace(w.bankB, pledgedPart);
      expect(ids(body)).to.deep.equal([rootId, t2Id, pledgedPart].sort());
      expect(node(body, pledgedPart)).to.include({ visibility: "FULL", holder: w.tier2.address, pledgee: w.bankB.address });
      expect(body.financings.map((f) => f.advance)).to.deep.equal([BANK_B_ADVANCE]);
      for (const leak of [BANK_A_ADVANCE, w.bankA.address, bankAPart, t3Id]) expect(text).to.not.include(leak);
    });

    it("a bank with no stake in the tree sees none of it (404)", async function () {
      await request(w.h.app).get(`/v1/receivables/${t3Id}/trace`).set(...bearer(w.bankA)).expect(404);
      await request(w.h.app).get(`/v1/receivables/${bankAPart}/trace`).set(...bearer(w.bankB)).expect(404);
    });
  });

  describe("a financier looking at the market", function () {
    it("sees a receivable in an open request and how it came to be, not its holder's other business", async function () {
      const deadline = (await chainNow()) + 2 * DAY;
      await post(w.tier3, "/v1/financing-requests", { receivableId: t3Id, amount: money(50_000n), mode: "PURCHASE", deadline });
      const { body, text } = await trace(w.bankA, t3Id);
      expect(body.scope).to.equal("NEED_TO_KNOW");
      // Bank A also holds the part it bought from tier 1 in this tree: that one it sees in full.
      expect(ids(body)).to.deep.equal([rootId, t2Id, t3Id, bankAPart].sort());
      expect(node(body, t3Id)).to.include({ visibility: "MARKET", holder: w.tier3.address, status: "ACTIVE" });
      expect(node(body, t2Id)).to.include({ visibility: "PATH", holder: null });
      expect(node(body, bankAPart)).to.include({ visibility: "FULL", holder: w.bankA.address });
      expect(body.financings.map((f) => f.advance)).to.deep.equal([BANK_A_ADVANCE]);
      // Tier 2's pledge to bank B, in the branch the offered part came from, does not show.
      for (const leak of [BANK_B_ADVANCE, w.bankB.address, pledgedPart]) expect(text).to.not.include(leak);
      const t3Kinds = body.events.filter((e) => e.receivableId === t3Id).map((e) => e.kind);
      expect(t3Kinds).to.deep.equal(["CREATED", "OFFERED", "ACCEPTED"]);
    });
  });

  describe("the obligor", function () {
    it("sees the whole tree it owes, but not the financing terms between others", async function () {
      const { body, text } = await trace(w.core, t3Id);
      expect(body.scope).to.equal("TREE");
      expect(ids(body)).to.deep.equal([rootId, t2Id, t3Id, bankAPart, pledgedPart].sort());
      expect(body.nodes.every((x) => x.visibility === "FULL" && x.holder !== null)).to.equal(true);
      expect(body.financings).to.deep.equal([]);
      for (const leak of [BANK_A_ADVANCE, BANK_B_ADVANCE, BANK_B_REPAYMENT]) expect(text).to.not.include(leak);
    });
  });

  describe("operator and auditor", function () {
    for (const who of ["operator", "auditor"] as const) {
      it(`the ${who} sees the whole tree with every financing's terms`, async function () {
        const { body } = await trace(w[who], t3Id);
        expect(body.scope).to.equal("TREE");
        expect(ids(body)).to.deep.equal([rootId, t2Id, t3Id, bankAPart, pledgedPart].sort());
        expect(body.financings.map((f) => f.advance).sort()).to.deep.equal([BANK_A_ADVANCE, BANK_B_ADVANCE].sort());
        const rows = await w.db.prisma.receivableHistory.findMany({ where: { rootId } });
        expect(body.events).to.have.length(rows.length);
      });
    }
  });
});
