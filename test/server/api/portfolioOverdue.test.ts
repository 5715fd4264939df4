/**
 * The financier's overdue trees (issue 11): its portfolio flags each financing whose tree was marked
 * overdue on chain and is still owed money, counts them, and drops them once a late deposit cures the tree.
 * Another bank's portfolio shows none of it.
 */
import { expect } from "chai";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type World } from "./world";

for (const dialect of testDialects()) describe(`API: the financier's overdue trees (${dialect})`, function () {
  let w: World;
  let n = 0;
  const idem = () => `po-${Date.now()}-${++n}`;

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  it("flags a financing in a tree marked overdue until a late deposit cures it", async function () {
    const receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount: 4_000n * UNIT, maturityInDays: 3 });
    const opened = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(w.tier1))
      .send({ receivableId, amount: (4_000n * UNIT).toString(), mode: "PURCHASE", deadline: (await chainNow()) + DAY })
      .expect(201);
    const quote = await request(w.h.app)
      .post(`/v1/financing-requests/${opened.body.id}/quotes`)
      .set(...bearer(w.bankA))
      .send({ advance: (3_950n * UNIT).toString(), expiry: (await chainNow()) + DAY })
      .expect(201);
    const accepted = await request(w.h.app).post(`/v1/quotes/${quote.body.id}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).expect(200);
    const portfolio = async () => (await request(w.h.app).get("/v1/portfolio").set(...bearer(w.bankA)).expect(200)).body;
    const item = async () => (await portfolio()).items.find((i: { quoteHash: string }) => i.quoteHash === accepted.body.quoteHash);

    expect((await item()).tree).to.deep.equal({ rootId: receivableId, overdue: false, frozen: false });
    expect((await portfolio()).overdue).to.equal(0);

    const maturity = (await request(w.h.app).get(`/v1/receivables/${receivableId}`).set(...bearer(w.bankA)).expect(200)).body.maturity as number;
    await w.advanceTime(maturity - (await chainNow()) + 8 * DAY);
    await request(w.h.app).post(`/v1/receivables/${receivableId}/mark-overdue`).set(...bearer(w.bankA)).set("Idempotency-Key", idem()).expect(200);
    expect((await item())).to.deep.include({ status: "OPEN", outstanding: (4_000n * UNIT).toString(), tree: { rootId: receivableId, overdue: true, frozen: false } });
    expect((await portfolio()).overdue).to.equal(1);
    // Need to know: bank B financed nothing here and sees nothing of it.
    const other = (await request(w.h.app).get("/v1/portfolio").set(...bearer(w.bankB)).expect(200)).body;
    expect(other.items.map((i: { quoteHash: string }) => i.quoteHash)).to.not.include(accepted.body.quoteHash);

    await request(w.h.app)
      .post("/v1/settlement/deposits")
      .set(...bearer(w.core))
      .set("Idempotency-Key", idem())
      .send({ currency: w.currency, maturity, amount: (4_000n * UNIT).toString() })
      .expect(201);
    expect((await item()).tree.overdue).to.equal(false);
    expect((await portfolio()).overdue).to.equal(0);
  });
});
