/**
 * Issue 8 (settlement side) through the API against the real chain, indexer and database: a financier's
 * own exposure limits (set, listed, shown in its risk view, released after repayment), withdrawable
 * balances and withdrawal, and a tree that was overdue and then cured — with the denials.
 */
import { expect } from "chai";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type World } from "./world";

for (const dialect of testDialects()) describe(`API: exposure limits, credits and cured trees (${dialect})`, function () {
  let w: World;
  let n = 0;
  const idem = () => `sa-${Date.now()}-${++n}`;

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  describe("exposure limits", function () {
    it("lets a financier set its own limit on an obligor and list it; another bank does not see it", async function () {
      const limit = (1_234_567n * UNIT).toString();
      await request(w.h.app).put(`/v1/exposure/limits/${w.core.address}`).set(...bearer(w.bankB)).set("Idempotency-Key", idem()).send({ limit }).expect(200);
      const mine = await request(w.h.app).get("/v1/exposure/limits").set(...bearer(w.bankB)).expect(200);
      expect(mine.body.items.find((i: { obligor: string }) => i.obligor === w.core.address)).to.include({ financier: w.bankB.address, limit });
      const theirs = await request(w.h.app).get("/v1/exposure/limits").set(...bearer(w.bankA)).expect(200);
      expect(theirs.body.items.every((i: { financier: string }) => i.financier === w.bankA.address)).to.equal(true);
      const all = await request(w.h.app).get("/v1/exposure/limits").set(...bearer(w.operator)).expect(200);
      expect(new Set(all.body.items.map((i: { financier: string }) => i.financier))).to.include(w.bankB.address);
    });

    it("refuses a limit from a supplier (403) and on an obligor that is not a core enterprise (409, the contract's error)", async function () {
      await request(w.h.app).put(`/v1/exposure/limits/${w.core.address}`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ limit: "1" }).expect(403);
      const res = await request(w.h.app).put(`/v1/exposure/limits/${w.tier1.address}`).set(...bearer(w.bankB)).set("Idempotency-Key", idem()).send({ limit: "1" }).expect(409);
      expect(res.body.error.code).to.equal("FinancingNotObligor");
    });

    it("shows the viewing financier its own limit on the obligor in the risk view", async function () {
      const receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount: 5_000n * UNIT, maturityInDays: 90 });
      const opened = await request(w.h.app)
        .post("/v1/financing-requests")
        .set(...bearer(w.tier1))
        .send({ receivableId, amount: (5_000n * UNIT).toString(), mode: "ANY", deadline: (await chainNow()) + 2 * DAY })
        .expect(201);
      const seen = await request(w.h.app).get(`/v1/financing-requests/${opened.body.id}`).set(...bearer(w.bankB)).expect(200);
      expect(seen.body.risk.exposureLimit).to.include({ limit: (1_234_567n * UNIT).toString() });
      const holder = await request(w.h.app).get(`/v1/financing-requests/${opened.body.id}`).set(...bearer(w.tier1)).expect(200);
      expect(holder.body.risk.exposureLimit).to.equal(null);
    });
  });

  describe("withdrawable balances", function () {
    it("lists nothing and refuses to withdraw nothing (409)", async function () {
      const credits = await request(w.h.app).get("/v1/settlement/credits").set(...bearer(w.tier1)).expect(200);
      expect(credits.body.items).to.deep.equal([]);
      const res = await request(w.h.app).post("/v1/settlement/withdrawals").set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ currency: w.currency }).expect(409);
      expect(res.body.error.code).to.equal("VaultNothingToWithdraw");
    });

    it("refuses a malformed currency, naming the field, and the operator (403)", async function () {
      const res = await request(w.h.app).post("/v1/settlement/withdrawals").set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ currency: "nope" }).expect(400);
      expect(JSON.stringify(res.body.error.details)).to.include("currency");
      await request(w.h.app).get("/v1/settlement/credits").set(...bearer(w.operator)).expect(403);
    });
  });

  describe("a tree overdue, then paid in full late", function () {
    it("shows overdue until the deposit that completes its pool, then cured", async function () {
      const id = await confirmedReceivable(w, { supplier: w.tier2, amount: 3_000n * UNIT, maturityInDays: 2 });
      const before = await request(w.h.app).get(`/v1/receivables/${id}`).set(...bearer(w.tier2)).expect(200);
      await w.advanceTime(before.body.maturity - (await chainNow()) + 8 * DAY);
      await request(w.h.app).post(`/v1/receivables/${id}/mark-overdue`).set(...bearer(w.tier2)).set("Idempotency-Key", idem()).expect(200);
      const overdue = await request(w.h.app).get(`/v1/receivables/${id}`).set(...bearer(w.tier2)).expect(200);
      expect(overdue.body).to.include({ overdue: true, cured: false, status: "OVERDUE" });

      await request(w.h.app)
        .post("/v1/settlement/deposits")
        .set(...bearer(w.core))
        .set("Idempotency-Key", idem())
        .send({ currency: w.currency, maturity: before.body.maturity, amount: (3_000n * UNIT).toString() })
        .expect(201);
      const cured = await request(w.h.app).get(`/v1/receivables/${id}`).set(...bearer(w.tier2)).expect(200);
      expect(cured.body).to.include({ overdue: false, cured: true });
      expect(cured.body.status).to.not.equal("OVERDUE");
      const pools = await request(w.h.app).get("/v1/settlement/pools").set(...bearer(w.core)).expect(200);
      expect(pools.body.items.find((p: { maturity: number }) => p.maturity === before.body.maturity)).to.include({ overdue: false, cured: true });
    });
  });
});
