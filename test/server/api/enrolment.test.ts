/**
 * Quotes that enrol their financing in a risk-sharing programme, placed through the API (issue 13 items 2
 * and 3): the quote carries `programmeId`, the holder sees the interest subsidy it would receive and its
 * effective annual rate after it, and the acceptance enrols the financing on chain in the same
 * transaction. A quote the programme could not take is refused when placed, with the contract's names.
 */
import { expect } from "chai";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { subsidyOf } from "../../../server/domain/financing/enrolment";
import { fundedProgramme } from "./programmeWorld";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type Actor, type World } from "./world";

for (const dialect of testDialects()) describe(`API: quotes with enrolment in a programme (${dialect})`, function () {
  let w: World;
  let programmeId: string;
  let n = 0;
  const idem = () => `enrol-${Date.now()}-${++n}`;

  before(async function () {
    w = await createWorld({ dialect });
    // Bank A takes part; bank B does not. Tier 1 is whitelisted; tier 2 is not.
    programmeId = (await fundedProgramme(w, { quotas: [[w.bankA, 800_000n * UNIT]], whitelist: [w.tier1] })).toString();
    await w.indexer.syncTo();
  });
  after(async function () {
    await w?.close();
  });

  async function openRequest(holder: Actor, amount: bigint): Promise<string> {
    const receivableId = await confirmedReceivable(w, { supplier: holder, amount, maturityInDays: 73 });
    const res = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(holder))
      .send({ receivableId, amount: amount.toString(), mode: "PURCHASE", deadline: (await chainNow()) + 2 * DAY });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id;
  }
  const quote = async (bank: Actor, requestId: string, body: Record<string, unknown>) =>
    request(w.h.app).post(`/v1/financing-requests/${requestId}/quotes`).set(...bearer(bank)).send({ expiry: (await chainNow()) + DAY, ...body });

  it("shows the holder the subsidy it would receive and its rate after it, ranks quotes by it, and enrols on acceptance", async function () {
    const requestId = await openRequest(w.tier1, 100_000n * UNIT);
    const enrolled = await quote(w.bankA, requestId, { advance: (98_000n * UNIT).toString(), programmeId });
    expect(enrolled.status, JSON.stringify(enrolled.body)).to.equal(201);
    expect(enrolled.body.programmeId).to.equal(programmeId);
    // A slightly better advance without enrolment: better before the subsidy, worse after it.
    const plain = await quote(w.bankA, requestId, { advance: (98_010n * UNIT).toString() });
    expect(plain.status, JSON.stringify(plain.body)).to.equal(201);
    expect(plain.body).to.include({ programmeId: "0", subsidy: null });

    const listed = await request(w.h.app).get(`/v1/financing-requests/${requestId}/quotes`).set(...bearer(w.tier1)).expect(200);
    const [first, second] = listed.body.items;
    expect(first.id).to.equal(enrolled.body.id);
    expect(second.id).to.equal(plain.body.id);
    // 1 % a year on 100,000.00 for the whole days left: 72 or 73 of them, as the clock crosses a day.
    expect(BigInt(first.subsidy.amount)).to.be.oneOf([72n, 73n].map((days) => (100_000n * UNIT * 100n * days) / 3_650_000n));
    expect(first.subsidy.recipient).to.equal("HOLDER");
    expect(BigInt(first.subsidy.effectiveAnnualRate.ppm)).to.be.lessThan(BigInt(first.effectiveAnnualRate.ppm));
    expect(BigInt(first.effectiveAnnualRate.ppm)).to.be.greaterThan(BigInt(second.effectiveAnnualRate.ppm));
    expect(BigInt(first.subsidy.effectiveAnnualRate.ppm)).to.be.lessThan(BigInt(second.effectiveAnnualRate.ppm));

    const accepted = await request(w.h.app).post(`/v1/quotes/${enrolled.body.id}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem());
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    const enrolment = await w.ctx.db.riskEnrolment.findUniqueOrThrow({ where: { financedId: accepted.body.financedId } });
    expect(enrolment).to.include({ programmeId, financier: w.bankA.address, supplier: w.tier1.address, advance: (98_000n * UNIT).toString(), coverage: (49_000n * UNIT).toString() });
    // The API's formula is the contract's, to the base unit, at the instant the chain enrolled it.
    expect(BigInt(enrolment.subsidy)).to.equal(subsidyOf(100_000n * UNIT, 100, enrolment.maturity, enrolment.enrolledAt));
    // And the due-diligence record names the programme, as signed.
    const evidence = await request(w.h.app).get(`/v1/quotes/${enrolled.body.id}/evidence`).set(...bearer(w.bankA)).expect(200);
    expect(evidence.body.record.quote.programmeId).to.equal(programmeId);
  });

  it("keeps the programme when the quote is revised", async function () {
    const requestId = await openRequest(w.tier1, 10_000n * UNIT);
    const placed = await quote(w.bankA, requestId, { advance: (9_700n * UNIT).toString(), programmeId });
    expect(placed.status, JSON.stringify(placed.body)).to.equal(201);
    const revised = await request(w.h.app).put(`/v1/quotes/${placed.body.id}`).set(...bearer(w.bankA)).set("Idempotency-Key", idem()).send({ advance: (9_750n * UNIT).toString() });
    expect(revised.status, JSON.stringify(revised.body)).to.equal(200);
    expect(revised.body.programmeId).to.equal(programmeId);
  });

  it("refuses, when placed, a quote the programme could not take, and places nothing", async function () {
    const forTier1 = await openRequest(w.tier1, 5_000n * UNIT);
    const forTier2 = await openRequest(w.tier2, 5_000n * UNIT);
    const before = await w.ctx.db.financingQuote.count();
    const notWhitelisted = await quote(w.bankA, forTier2, { advance: (4_900n * UNIT).toString(), programmeId });
    expect(notWhitelisted.status).to.equal(409);
    expect(notWhitelisted.body.error.code).to.equal("RiskNotWhitelisted");
    // A bank outside the programme cannot tell it from one that does not exist.
    const outsider = await quote(w.bankB, forTier1, { advance: (4_900n * UNIT).toString(), programmeId });
    expect(outsider.status).to.equal(404);
    const unknown = await quote(w.bankA, forTier1, { advance: (4_900n * UNIT).toString(), programmeId: "999" });
    expect(unknown.status).to.equal(404);
    const zero = await quote(w.bankA, forTier1, { advance: (4_900n * UNIT).toString(), programmeId: "0" });
    expect(zero.status).to.equal(400);
    expect(zero.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.programmeId"]);
    expect(await w.ctx.db.financingQuote.count()).to.equal(before);
  });

  it("refuses a quote once the administrator withdraws the bank's quota", async function () {
    const requestId = await openRequest(w.tier1, 5_000n * UNIT);
    await (await w.programmes.connect(w.operator.signer).setFinancierQuota(BigInt(programmeId), w.bankA.address, 0n)).wait();
    await w.indexer.syncTo();
    try {
      const res = await quote(w.bankA, requestId, { advance: (4_900n * UNIT).toString(), programmeId });
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal("RiskFinancierNotParticipating");
    } finally {
      await (await w.programmes.connect(w.operator.signer).setFinancierQuota(BigInt(programmeId), w.bankA.address, 800_000n * UNIT)).wait();
      await w.indexer.syncTo();
    }
  });
});
