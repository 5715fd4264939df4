/**
 * Due-diligence evidence (issue 12 item 6): every quote stores the decision record it was priced on, its
 * keccak256 is a field of the signed quote and is emitted with the acceptance, and the record's export
 * verifies against the chain — checked here independently, from the receipt's log and ethers' keccak256.
 * Also: a financier keeping its own key signs a draft's typed data; every misuse of a draft is refused,
 * and only the financier, the operator and auditors see a record.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { keccak256, toUtf8Bytes } from "ethers";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type Actor, type World } from "./world";

for (const dialect of testDialects()) describe(`API: due-diligence evidence of quotes (${dialect})`, function () {
  let w: World;
  let n = 0;
  const idem = () => `ev-${Date.now()}-${++n}`;

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  async function openRequest(amount: bigint): Promise<{ requestId: string; receivableId: string }> {
    const receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount, maturityInDays: 120 });
    const res = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(w.tier1))
      .send({ receivableId, amount: amount.toString(), mode: "PURCHASE", deadline: (await chainNow()) + 2 * DAY });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { requestId: res.body.id, receivableId };
  }

  const post = (who: Actor, path: string, body: Record<string, unknown>) => request(w.h.app).post(path).set(...bearer(who)).send(body);
  const evidenceOf = (who: Actor, quoteId: string) => request(w.h.app).get(`/v1/quotes/${quoteId}/evidence`).set(...bearer(who));

  describe("a custodial bank's quote", function () {
    let requestId: string;
    let receivableId: string;
    let quoteId: string;
    let evidenceHash: string;
    const memo = keccak256(toUtf8Bytes("credit memo 2026-118"));

    before(async function () {
      ({ requestId, receivableId } = await openRequest(30_000n * UNIT));
    });

    it("keeps the decision record: the risk view as it was, the documents seen, who prepared it, the rationale", async function () {
      const res = await post(w.bankA, `/v1/financing-requests/${requestId}/quotes`, {
        advance: (29_000n * UNIT).toString(),
        expiry: (await chainNow()) + 5 * DAY,
        documents: [{ name: "credit memo", hash: memo }],
        notes: "obligor pays on time; tier 1",
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      quoteId = res.body.id;
      evidenceHash = res.body.evidenceHash;
      expect(evidenceHash).to.match(/^0x[0-9a-f]{64}$/).and.not.equal(ethers.ZeroHash);

      const ev = await evidenceOf(w.bankA, quoteId);
      expect(ev.status, JSON.stringify(ev.body)).to.equal(200);
      const record = ev.body.record;
      expect(record.kind).to.equal("ledgerline.quote-decision/1");
      expect(record.quote).to.include({ receivableId, financier: w.bankA.address, holder: w.tier1.address, advance: (29_000n * UNIT).toString(), nonce: res.body.nonce });
      expect(record.decision.risk.factors.map((f: { name: string }) => f.name)).to.deep.equal(["issuanceUsage", "repaymentHistory", "treeOverdueHistory", "tenor", "tier", "lineageDepth"]);
      expect(record.decision.receivable.id).to.equal(receivableId);
      const root = await w.ctx.db.receivableRoot.findUniqueOrThrow({ where: { rootId: receivableId } });
      expect(record.documents).to.deep.include({ kind: "INVOICE", hash: root.invoiceHash, name: "invoice", organisation: null });
      expect(record.documents).to.deep.include({ kind: "FINANCIER", hash: memo, name: "credit memo", organisation: null });
      expect(record.notes).to.equal("obligor pays on time; tier 1");
      expect(record.preparedBy.organisation).to.equal(w.bankA.address);
      expect(record.preparedBy.credentialId).to.be.a("string").and.not.equal("");
      // Independent of the API's code: the exact bytes hash to the signed evidenceHash.
      expect(keccak256(toUtf8Bytes(ev.body.recordJson))).to.equal(evidenceHash);
      expect(ev.body.checks).to.deep.equal({ recordMatchesHash: true, quoteSignsHash: true, anchoredOnChain: null });
      expect(ev.body.financing).to.equal(null);
    });

    it("is anchored on chain by the acceptance: QuoteAccepted carries the record's hash", async function () {
      const accepted = await request(w.h.app).post(`/v1/quotes/${quoteId}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem());
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      const financing = await ethers.getContractAt("FinancingSettlement", w.addresses.financing);
      const receipt = await ethers.provider.getTransactionReceipt(accepted.body.txHash);
      const logs = receipt!.logs.map((l) => financing.interface.parseLog(l)).filter((l) => l?.name === "QuoteAccepted");
      expect(logs).to.have.length(1);
      expect(logs[0]!.args.evidenceHash).to.equal(evidenceHash);

      const ev = await evidenceOf(w.bankA, quoteId);
      expect(ev.body.checks).to.deep.equal({ recordMatchesHash: true, quoteSignsHash: true, anchoredOnChain: true });
      expect(ev.body.financing).to.include({ txHash: accepted.body.txHash, evidenceHash, financedId: accepted.body.financedId });
      // The auditor's financings export carries the hash the chain emitted.
      const from = new Date((await chainNow()) * 1000 - DAY * 1000).toISOString();
      const to = new Date((await chainNow()) * 1000 + DAY * 1000).toISOString();
      const exported = await request(w.h.app).get(`/v1/audit/export?dataset=financings&from=${from}&to=${to}&format=json`).set(...bearer(w.auditor)).expect(200);
      expect(exported.body.rows.find((r: { quoteHash: string }) => r.quoteHash === accepted.body.quoteHash)).to.include({ evidenceHash });
    });

    it("shows the record to the operator and auditors, refuses the holder (403) and hides it from other banks (404)", async function () {
      for (const who of [w.operator, w.auditor]) expect((await evidenceOf(who, quoteId)).body.evidenceHash, who.name).to.equal(evidenceHash);
      const holder = await evidenceOf(w.tier1, quoteId);
      expect(holder.status).to.equal(403);
      expect(holder.body.error.code).to.equal("NotQuoteFinancier");
      expect((await evidenceOf(w.bankB, quoteId)).status).to.equal(404);
      expect((await evidenceOf(w.tier2, quoteId)).status).to.equal(404);
    });

    it("detects a record rewritten in the database", async function () {
      const stored = await w.ctx.db.quoteEvidence.findUniqueOrThrow({ where: { quoteId } });
      const rewritten = stored.record.replace("obligor pays on time", "obligor pays very well");
      await w.ctx.db.quoteEvidence.update({ where: { id: stored.id }, data: { record: rewritten } });
      try {
        const ev = await evidenceOf(w.auditor, quoteId);
        expect(ev.body.checks).to.deep.equal({ recordMatchesHash: false, quoteSignsHash: true, anchoredOnChain: true });
      } finally {
        await w.ctx.db.quoteEvidence.update({ where: { id: stored.id }, data: { record: stored.record } });
      }
    });

    it("refuses a document that is not a 32-byte hash and an unknown field, naming them, and stores nothing", async function () {
      const other = await openRequest(1_000n * UNIT);
      const before = await w.ctx.db.quoteEvidence.count();
      const bad = await post(w.bankA, `/v1/financing-requests/${other.requestId}/quotes`, {
        advance: "1",
        expiry: (await chainNow()) + DAY,
        documents: [{ name: "memo", hash: "0x1234" }],
        nonce: "5",
      });
      expect(bad.status).to.equal(400);
      const fields = bad.body.error.details.fields.map((f: { field: string }) => f.field);
      expect(fields).to.include("body.documents.0.hash");
      expect(await w.ctx.db.quoteEvidence.count()).to.equal(before);
    });
  });

  describe("a bank that keeps its own key signs a draft", function () {
    let requestId: string;
    const fields = async () => ({ advance: (9_500n * UNIT).toString(), expiry: (await chainNow()) + 3 * DAY });

    before(async function () {
      ({ requestId } = await openRequest(10_000n * UNIT));
    });

    async function draft(who: Actor, body: Record<string, unknown>) {
      const res = await post(who, `/v1/financing-requests/${requestId}/quote-drafts`, body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body as { draftId: string; evidenceHash: string; record: { quote: Record<string, string> }; typedData: { domain: Record<string, string>; types: Record<string, { name: string; type: string }[]>; message: Record<string, string> } };
    }

    it("the typed data's evidenceHash is the draft record's hash; nothing is placed until it is signed", async function () {
      const body = await fields();
      const d = await draft(w.bankB, body);
      expect(d.typedData.message.evidenceHash).to.equal(d.evidenceHash);
      const stored = await w.ctx.db.quoteEvidence.findUniqueOrThrow({ where: { id: d.draftId } });
      expect(keccak256(toUtf8Bytes(stored.record))).to.equal(d.evidenceHash);
      expect(await w.ctx.db.financingQuote.count({ where: { requestId } })).to.equal(0);
    });

    it("refuses fields other than the draft's (409 QuoteDraftMismatch), another bank's draft, and a draft without a signature (400)", async function () {
      const body = await fields();
      const d = await draft(w.bankB, body);
      const signature = await w.bankB.signer.signTypedData(d.typedData.domain, d.typedData.types, d.typedData.message);
      const changed = await post(w.bankB, `/v1/financing-requests/${requestId}/quotes`, { ...body, advance: (9_600n * UNIT).toString(), draftId: d.draftId, signature });
      expect(changed.status).to.equal(409);
      expect(changed.body.error.code).to.equal("QuoteDraftMismatch");
      const stolen = await post(w.bankA, `/v1/financing-requests/${requestId}/quotes`, { ...body, draftId: d.draftId, signature });
      expect(stolen.status).to.equal(409);
      expect(stolen.body.error.code).to.equal("QuoteDraftNotFound");
      const unsigned = await post(w.bankB, `/v1/financing-requests/${requestId}/quotes`, { ...body, draftId: d.draftId });
      expect(unsigned.status).to.equal(400);
      expect(await w.ctx.db.financingQuote.count({ where: { requestId } })).to.equal(0);
    });

    it("places exactly one quote when the same signed draft is submitted twice at once", async function () {
      const body = await fields();
      const d = await draft(w.bankB, body);
      const signature = await w.bankB.signer.signTypedData(d.typedData.domain, d.typedData.types, d.typedData.message);
      const results = await Promise.all([0, 1].map(() => post(w.bankB, `/v1/financing-requests/${requestId}/quotes`, { ...body, draftId: d.draftId, signature })));
      expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409]);
      const placed = results.find((r) => r.status === 201)!.body;
      expect(placed).to.include({ evidenceHash: d.evidenceHash, signature });
      expect(results.find((r) => r.status === 409)!.body.error.code).to.equal("QuoteDraftUsed");
      expect(await w.ctx.db.financingQuote.count({ where: { requestId } })).to.equal(1);
      const ev = await evidenceOf(w.bankB, placed.id);
      expect(ev.body.checks).to.deep.equal({ recordMatchesHash: true, quoteSignsHash: true, anchoredOnChain: null });
    });

    it("refuses a draft over an hour old (409 QuoteDraftExpired)", async function () {
      const body = { advance: (9_000n * UNIT).toString(), expiry: (await chainNow()) + 10 * DAY };
      const d = await draft(w.bankB, body);
      const signature = await w.bankB.signer.signTypedData(d.typedData.domain, d.typedData.types, d.typedData.message);
      await w.advanceTime(3_601);
      const late = await post(w.bankB, `/v1/financing-requests/${requestId}/quotes`, { ...body, draftId: d.draftId, signature });
      expect(late.status).to.equal(409);
      expect(late.body.error.code).to.equal("QuoteDraftExpired");
    });
  });
});
