/**
 * Financing through the API against the real chain, indexer and database: requests (time-boxed),
 * risk views, quotes signed with EIP-712 (custodial and relayed), revision and cancellation (cancelled
 * on chain), acceptance (atomic on chain; twice fails cleanly; an idempotent retry sends nothing),
 * portfolio, exposure, settlement and the audit export — with every denial.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { structOf } from "../../../server/domain/financing/quoteStruct";
import { effectiveAnnualRatePpm, ppmToPercent } from "../../../server/domain/financing/rates";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type Actor, type World } from "./world";

for (const dialect of testDialects()) describe(`API: financing (${dialect})`, function () {
  let w: World;
  let n = 0;
  const idem = () => `f-${Date.now()}-${++n}`;

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  async function openRequest(holder: Actor, receivableId: string, body: Record<string, unknown> = {}) {
    return request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(holder))
      .send({ receivableId, amount: (10_000n * UNIT).toString(), mode: "ANY", deadline: (await chainNow()) + 2 * DAY, ...body });
  }

  async function quote(bank: Actor, requestId: string, body: Record<string, unknown>) {
    return request(w.h.app)
      .post(`/v1/financing-requests/${requestId}/quotes`)
      .set(...bearer(bank))
      .send({ expiry: (await chainNow()) + 5 * DAY, ...body });
  }

  describe("effective annual rate", function () {
    it("is exact in integers: 2% discount over half a year is 4.0816% a year", function () {
      const ppm = effectiveAnnualRatePpm({ advance: 98n, cost: 100n, secondsToMaturity: (365n * 86_400n) / 2n });
      expect(ppm).to.equal(40_816n);
      expect(ppmToPercent(ppm as bigint)).to.equal("4.0816");
    });
    it("is undefined at or after maturity", function () {
      expect(effectiveAnnualRatePpm({ advance: 98n, cost: 100n, secondsToMaturity: 0n })).to.equal(null);
    });
  });

  describe("requests, quotes and acceptance", function () {
    let receivableId: string;
    let requestId: string;
    let quoteA: string;
    let quoteB: string;

    before(async function () {
      receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount: 50_000n * UNIT, maturityInDays: 180 });
    });

    it("opens a request on a receivable the holder holds", async function () {
      const res = await openRequest(w.tier1, receivableId, { amount: (20_000n * UNIT).toString() });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({ receivableId, holder: w.tier1.address, issuer: w.core.address, status: "OPEN", open: true, mode: "ANY" });
      requestId = res.body.id;
    });

    it("refuses a second open request on the same receivable", async function () {
      const res = await openRequest(w.tier1, receivableId);
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal("RequestAlreadyOpen");
    });

    it("refuses an amount above the receivable and a deadline in the past, naming the fields", async function () {
      const other = await confirmedReceivable(w, { supplier: w.tier1, amount: 1_000n * UNIT });
      const big = await openRequest(w.tier1, other, { amount: (2_000n * UNIT).toString() });
      expect(big.status).to.equal(400);
      expect(big.body.error.details.fields[0].field).to.equal("body.amount");
      const past = await openRequest(w.tier1, other, { amount: "100", deadline: 1 });
      expect(past.status).to.equal(400);
      expect(past.body.error.details.fields[0].field).to.equal("body.deadline");
    });

    it("refuses a request on another supplier's receivable (404) and by a core enterprise (403)", async function () {
      expect((await openRequest(w.tier2, receivableId)).status).to.equal(404);
      expect((await openRequest(w.core, receivableId)).status).to.equal(403);
    });

    it("shows financiers the open requests with a transparent risk view", async function () {
      const res = await request(w.h.app).get("/v1/financing-requests").set(...bearer(w.bankA)).expect(200);
      const item = res.body.items.find((i: { id: string }) => i.id === requestId);
      expect(item.receivable.id).to.equal(receivableId);
      const factors = item.risk.factors as { name: string; weight: number; points: number; contribution: number }[];
      expect(factors.map((f) => f.name)).to.deep.equal(["issuanceUsage", "repaymentHistory", "treeOverdueHistory", "tenor", "tier", "lineageDepth"]);
      expect(factors.reduce((s, f) => s + f.weight, 0)).to.equal(100);
      for (const f of factors) expect(f.contribution).to.equal(Math.floor((f.points * f.weight) / 100));
      expect(item.risk.total).to.equal(factors.reduce((s, f) => s + f.contribution, 0));
      // The financier may now see the receivable and its lineage.
      await request(w.h.app).get(`/v1/receivables/${receivableId}/trace`).set(...bearer(w.bankA)).expect(200);
    });

    it("shows a supplier only its own requests", async function () {
      const res = await request(w.h.app).get("/v1/financing-requests").set(...bearer(w.tier2)).expect(200);
      expect(res.body.items.map((i: { id: string }) => i.id)).to.not.include(requestId);
      await request(w.h.app).get(`/v1/financing-requests/${requestId}`).set(...bearer(w.tier2)).expect(404);
    });

    it("takes a quote signed with the bank's custodial key, with its effective annual rate", async function () {
      const res = await quote(w.bankA, requestId, { mode: "PURCHASE", advance: (19_500n * UNIT).toString() });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({ financier: w.bankA.address, holder: w.tier1.address, mode: "PURCHASE", status: "OPEN", amount: (20_000n * UNIT).toString() });
      expect(BigInt(res.body.effectiveAnnualRate.ppm)).to.be.greaterThan(0n);
      // The contract is the oracle: the quote as stored (and later cancelled or accepted) hashes to the
      // quoteHash the API answered.
      const stored = await w.ctx.db.financingQuote.findUniqueOrThrow({ where: { id: res.body.id } });
      expect(await w.ctx.chain.financing!.hashQuote(structOf(stored))).to.equal(res.body.quoteHash);
      quoteA = res.body.id;
    });

    it("relays a quote a bank signed itself from a draft, and refuses one signed by someone else", async function () {
      const fields = { mode: "PLEDGE", advance: (19_000n * UNIT).toString(), repayment: (19_600n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY };
      const draft = await request(w.h.app).post(`/v1/financing-requests/${requestId}/quote-drafts`).set(...bearer(w.bankB)).send(fields);
      expect(draft.status, JSON.stringify(draft.body)).to.equal(201);
      const { domain, types, message } = draft.body.typedData;
      expect(message).to.include({ financier: w.bankB.address, holder: w.tier1.address, amount: (20_000n * UNIT).toString(), evidenceHash: draft.body.evidenceHash });
      const forged = await w.tier3.signer.signTypedData(domain, types, message);
      const bad = await quote(w.bankB, requestId, { ...fields, draftId: draft.body.draftId, signature: forged });
      expect(bad.status).to.equal(409);
      expect(bad.body.error.code).to.equal("FinancingInvalidSignature");
      const signature = await w.bankB.signer.signTypedData(domain, types, message);
      const res = await quote(w.bankB, requestId, { ...fields, draftId: draft.body.draftId, signature });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({ signature, evidenceHash: draft.body.evidenceHash, nonce: message.nonce });
      // The contract is the oracle for the typed data the API handed out.
      const stored = await w.ctx.db.financingQuote.findUniqueOrThrow({ where: { id: res.body.id } });
      expect(await w.ctx.chain.financing!.hashQuote(structOf(stored))).to.equal(res.body.quoteHash);
      quoteB = res.body.id;
    });

    it("refuses an advance above the amount, naming the field", async function () {
      const res = await quote(w.bankA, requestId, { mode: "PURCHASE", advance: (30_000n * UNIT).toString() });
      expect(res.status).to.equal(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.advance"]);
    });

    it("refuses quotes from a supplier (403)", async function () {
      expect((await quote(w.tier2, requestId, { mode: "PURCHASE", advance: "1" })).status).to.equal(403);
    });

    it("lets the holder compare all quotes, best rate first, and a bank see only its own", async function () {
      const holder = await request(w.h.app).get(`/v1/financing-requests/${requestId}/quotes`).set(...bearer(w.tier1)).expect(200);
      expect(holder.body.items.map((q: { id: string }) => q.id).sort()).to.deep.equal([quoteA, quoteB].sort());
      const rates = holder.body.items.map((q: { effectiveAnnualRate: { ppm: string } }) => BigInt(q.effectiveAnnualRate.ppm));
      expect(rates[0] <= rates[1]).to.equal(true);
      const bank = await request(w.h.app).get(`/v1/financing-requests/${requestId}/quotes`).set(...bearer(w.bankA)).expect(200);
      expect(bank.body.items.map((q: { id: string }) => q.id)).to.deep.equal([quoteA]);
    });

    it("hides another bank's quote (404)", async function () {
      await request(w.h.app).get(`/v1/quotes/${quoteA}`).set(...bearer(w.bankB)).expect(404);
      await request(w.h.app).post(`/v1/quotes/${quoteA}/cancel`).set(...bearer(w.bankB)).set("Idempotency-Key", idem()).expect(404);
    });

    it("refuses a revision it cannot complete before cancelling anything (never half-done)", async function () {
      const old = (await request(w.h.app).get(`/v1/quotes/${quoteA}`).set(...bearer(w.bankA)).expect(200)).body;
      const res = await request(w.h.app)
        .put(`/v1/quotes/${quoteA}`)
        .set(...bearer(w.bankA))
        .set("Idempotency-Key", idem())
        .send({ advance: (19_700n * UNIT).toString(), expiry: 1 });
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      // The old quote is still open, on chain and in the API.
      expect(await w.ctx.chain.financing!.quoteStatus(old.quoteHash)).to.equal(0n);
      expect((await request(w.h.app).get(`/v1/quotes/${quoteA}`).set(...bearer(w.bankA)).expect(200)).body.status).to.equal("OPEN");
    });

    it("revises a quote: the old one is cancelled on chain and can never be accepted", async function () {
      const old = (await request(w.h.app).get(`/v1/quotes/${quoteA}`).set(...bearer(w.bankA)).expect(200)).body;
      const res = await request(w.h.app)
        .put(`/v1/quotes/${quoteA}`)
        .set(...bearer(w.bankA))
        .set("Idempotency-Key", idem())
        .send({ advance: (19_700n * UNIT).toString() })
        .expect(200);
      expect(res.body.supersedes).to.equal(quoteA);
      expect(res.body.cancelledTxHash).to.match(/^0x/);
      expect(await w.ctx.chain.financing!.quoteStatus(old.quoteHash)).to.equal(2n);
      const accept = await request(w.h.app).post(`/v1/quotes/${quoteA}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).expect(409);
      expect(accept.body.error.code).to.equal("QuoteNotOpen");
      quoteA = res.body.id;
    });

    it("refuses acceptance by another supplier (404) and by the bank (403)", async function () {
      await request(w.h.app).post(`/v1/quotes/${quoteA}/accept`).set(...bearer(w.tier2)).set("Idempotency-Key", idem()).expect(404);
      const bank = await request(w.h.app).post(`/v1/quotes/${quoteA}/accept`).set(...bearer(w.bankA)).set("Idempotency-Key", idem()).expect(403);
      expect(bank.body.error.code).to.equal("NotQuotedHolder");
    });

    it("accepts a quote: the advance and the receivable part move in one transaction; a retry sends nothing", async function () {
      const k = idem();
      const cashBefore = await w.cash.balanceOf(w.tier1.signer.address);
      const blockBefore = await ethers.provider.getBlockNumber();
      const res = await request(w.h.app).post(`/v1/quotes/${quoteA}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", k).expect(200);
      expect(await w.cash.balanceOf(w.tier1.signer.address)).to.equal(cashBefore + 19_700n * UNIT);
      const financed = await request(w.h.app).get(`/v1/receivables/${res.body.financedId}`).set(...bearer(w.bankA)).expect(200);
      expect(financed.body).to.include({ holder: w.bankA.address, financed: true, amount: (20_000n * UNIT).toString() });
      const retry = await request(w.h.app).post(`/v1/quotes/${quoteA}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", k).expect(200);
      expect(retry.body).to.deep.equal(res.body);
      expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore + 1);
    });

    it("fails cleanly when the same quote is accepted twice", async function () {
      const res = await request(w.h.app).post(`/v1/quotes/${quoteA}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).expect(409);
      expect(res.body.error.code).to.equal("FinancingQuoteAlreadyAccepted");
    });

    it("closes the request and the competing quote", async function () {
      const req = await request(w.h.app).get(`/v1/financing-requests/${requestId}`).set(...bearer(w.tier1)).expect(200);
      expect(req.body).to.include({ status: "ACCEPTED", acceptedQuoteId: quoteA, open: false });
      const other = await request(w.h.app).get(`/v1/quotes/${quoteB}`).set(...bearer(w.tier1)).expect(200);
      expect(other.body.status).to.equal("CLOSED");
      const late = await quote(w.bankB, requestId, { mode: "PURCHASE", advance: "100" });
      expect(late.status).to.equal(409);
      expect(late.body.error.code).to.equal("RequestNotOpen");
    });

    it("shows the financed receivable in the bank's portfolio and exposure", async function () {
      const portfolio = await request(w.h.app).get("/v1/portfolio").set(...bearer(w.bankA)).expect(200);
      const item = portfolio.body.items.find((i: { receivableId: string }) => i.receivableId === receivableId);
      expect(item).to.include({ mode: "PURCHASE", currency: w.currency, advance: (19_700n * UNIT).toString(), expected: (20_000n * UNIT).toString(), received: "0", status: "OPEN" });
      // Every amount names its currency; totals are per currency, never mixed.
      expect(portfolio.body.totals.map((t: { currency: string }) => t.currency)).to.deep.equal([w.currency]);
      const exposure = await request(w.h.app).get("/v1/exposure").set(...bearer(w.bankA)).expect(200);
      const core = exposure.body.items.find((i: { obligor: string }) => i.obligor === w.core.address);
      expect(core.currency).to.equal(w.currency);
      expect(BigInt(core.held)).to.be.greaterThanOrEqual(20_000n * UNIT);
      expect(exposure.body.totals).to.deep.equal([{ currency: w.currency, total: exposure.body.items.reduce((s: bigint, i: { total: string }) => s + BigInt(i.total), 0n).toString() }]);
      const requests = await request(w.h.app).get("/v1/financing-requests").set(...bearer(w.tier1)).expect(200);
      for (const r of requests.body.items) expect(r.currency).to.equal(w.currency);
      await request(w.h.app).get("/v1/portfolio").set(...bearer(w.tier1)).expect(403);
    });
  });

  describe("a custodial bank's allowance", function () {
    it("covers its open quotes' advances, so the holder can execute any of them", async function () {
      await (await w.cash.connect(w.bankB.signer).approve(w.addresses.financing, 0n)).wait();
      const receivableId = await confirmedReceivable(w, { supplier: w.tier3, amount: 3_000n * UNIT, maturityInDays: 100 });
      const req = await openRequest(w.tier3, receivableId, { amount: (3_000n * UNIT).toString(), mode: "PURCHASE" });
      expect(req.status, JSON.stringify(req.body)).to.equal(201);
      const q = await quote(w.bankB, req.body.id, { advance: (2_900n * UNIT).toString() });
      expect(q.status, JSON.stringify(q.body)).to.equal(201);
      expect(await w.cash.allowance(w.bankB.signer.address, w.addresses.financing)).to.be.greaterThanOrEqual(2_900n * UNIT);
      await request(w.h.app).post(`/v1/quotes/${q.body.id}/accept`).set(...bearer(w.tier3)).set("Idempotency-Key", idem()).expect(200);
    });
  });

  describe("a quote posted twice", function () {
    let requestId: string;
    before(async function () {
      const receivableId = await confirmedReceivable(w, { supplier: w.tier2, amount: 30_000n * UNIT, maturityInDays: 120 });
      requestId = (await openRequest(w.tier2, receivableId, { mode: "PURCHASE" })).body.id;
    });

    it("with the same Idempotency-Key makes one open quote and replays the answer", async function () {
      const key = `quote-twice-${Date.now()}`;
      const body = { mode: "PURCHASE", advance: (9_800n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY };
      const post = () => request(w.h.app).post(`/v1/financing-requests/${requestId}/quotes`).set(...bearer(w.bankA)).set("Idempotency-Key", key).send(body);
      const first = await post();
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      const second = await post();
      expect(second.status).to.equal(201);
      expect(second.headers["idempotent-replayed"]).to.equal("true");
      expect(second.body.id).to.equal(first.body.id);
      expect(await w.db.prisma.financingQuote.count({ where: { requestId, status: "OPEN" } })).to.equal(1);
      const reused = await request(w.h.app)
        .post(`/v1/financing-requests/${requestId}/quotes`)
        .set(...bearer(w.bankA))
        .set("Idempotency-Key", key)
        .send({ ...body, advance: (9_700n * UNIT).toString() });
      expect(reused.status).to.equal(422);
      expect(reused.body.error.code).to.equal("IdempotencyKeyReused");
    });

    it("refuses a malformed Idempotency-Key, naming the header", async function () {
      const res = await request(w.h.app)
        .post(`/v1/financing-requests/${requestId}/quotes`)
        .set(...bearer(w.bankB))
        .set("Idempotency-Key", "bad key with spaces")
        .send({ mode: "PURCHASE", advance: "100", expiry: (await chainNow()) + 5 * DAY });
      expect(res.status).to.equal(400);
      expect(res.body.error.details.fields[0].field).to.equal("headers.idempotency-key");
    });
  });

  describe("time-boxed requests", function () {
    it("takes no quote after the deadline", async function () {
      const receivableId = await confirmedReceivable(w, { supplier: w.tier2, amount: 5_000n * UNIT, maturityInDays: 120 });
      const res = await openRequest(w.tier2, receivableId, { amount: (5_000n * UNIT).toString(), mode: "PURCHASE", deadline: (await chainNow()) + 3600 });
      expect(res.status).to.equal(201);
      const early = await quote(w.bankB, res.body.id, { advance: (4_800n * UNIT).toString() });
      expect(early.status, JSON.stringify(early.body)).to.equal(201);
      await w.advanceTime(3601);
      // The bank that quoted in time is told the request closed; it takes no more quotes.
      const late = await quote(w.bankB, res.body.id, { advance: (4_900n * UNIT).toString() });
      expect(late.status).to.equal(409);
      expect(late.body.error.code).to.equal("RequestNotOpen");
      // A bank that never quoted no longer sees it at all.
      expect((await quote(w.bankA, res.body.id, { advance: (4_900n * UNIT).toString() })).status).to.equal(404);
      const market = await request(w.h.app).get("/v1/financing-requests").set(...bearer(w.bankA)).expect(200);
      expect(market.body.items.map((i: { id: string }) => i.id)).to.not.include(res.body.id);
      await request(w.h.app).get(`/v1/financing-requests/${res.body.id}`).set(...bearer(w.bankA)).expect(404);
      // The holder can still accept the quote it received in time, until the quote's own expiry.
      await request(w.h.app).post(`/v1/quotes/${early.body.id}/accept`).set(...bearer(w.tier2)).set("Idempotency-Key", idem()).expect(200);
    });
  });

  describe("audit export", function () {
    it("exports financings as CSV and JSON for the auditor", async function () {
      const from = new Date((await chainNow()) * 1000 - 365 * DAY * 1000).toISOString();
      const to = new Date((await chainNow()) * 1000 + DAY * 1000).toISOString();
      const csv = await request(w.h.app).get(`/v1/audit/export?dataset=financings&from=${from}&to=${to}&format=csv`).set(...bearer(w.auditor)).expect(200);
      expect(csv.headers["content-type"]).to.match(/^text\/csv/);
      const lines = csv.text.trim().split("\n");
      expect(lines[0]).to.equal("executedAt,quoteHash,receivableId,financedId,financier,holder,mode,currency,amount,advance,repayment,txHash,blockNumber,registrationStatus,registrationNumber,registeredOn,registrationOverdue,evidenceHash");
      expect(lines.length).to.be.greaterThanOrEqual(2);
      const json = await request(w.h.app).get(`/v1/audit/export?dataset=receivables&from=${from}&to=${to}&format=json`).set(...bearer(w.auditor)).expect(200);
      expect(json.body.rows.length).to.be.greaterThan(0);
      for (const row of json.body.rows) expect(row.txHash).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("refuses the export to organisations, and a malformed period", async function () {
      await request(w.h.app).get("/v1/audit/export?dataset=financings&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z").set(...bearer(w.bankA)).expect(403);
      const res = await request(w.h.app).get("/v1/audit/export?dataset=financings&from=yesterday&to=2030-01-01T00:00:00Z").set(...bearer(w.auditor)).expect(400);
      expect(res.body.error.details.fields[0].field).to.equal("query.from");
    });
  });
});
