/**
 * Risk-sharing programmes in the web app (issue 13 items 2 and 3): a participating bank picks the programme
 * in its quote form, so the financing is enrolled on acceptance; the holder compares quotes by the rate
 * after the interest subsidy it would receive.
 */
import { expect } from "chai";
import request from "supertest";
import { fundedProgramme } from "../server/api/programmeWorld";
import { bearer, chainNow, confirmedReceivable, DAY, UNIT } from "../server/api/world";
import { browserAvailable, DEMO_NAMES, expectAccessible, signInAsDemo, startWebSystem, type WebSystem } from "./browser";

describe("web app in Chromium: quotes enrolled in a risk-sharing programme", function () {
  let sys: WebSystem;
  let requestId: string;
  let programmeId: bigint;

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
    const w = sys.w;
    programmeId = await fundedProgramme(w, { quotas: [[w.bankA, 500_000n * UNIT]], whitelist: [w.tier1] });
    await w.indexer.syncTo();
    const receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount: 10_000n * UNIT, maturityInDays: 90 });
    const opened = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(w.tier1))
      .send({ receivableId, amount: (10_000n * UNIT).toString(), mode: "PURCHASE", deadline: (await chainNow()) + 2 * DAY })
      .expect(201);
    requestId = opened.body.id as string;
  });

  after(async function () {
    await sys?.close();
  });

  it("a participating bank enrols its quote; the holder sees its rate after the subsidy", async function () {
    const bank = await sys.context("en");
    try {
      await signInAsDemo(bank.page, DEMO_NAMES.bankA);
      await bank.page.goto("/market");
      const card = bank.page.getByRole("article").filter({ has: bank.page.locator(`#market-${requestId}`) });
      await card.getByRole("combobox", { name: "Risk-sharing programme" }).selectOption({ label: `Programme ${programmeId}` });
      await card.getByRole("textbox", { name: "Advance" }).fill("9800");
      await expectAccessible(bank.page, "market with a programme (en)");
      await card.getByRole("button", { name: "Send the quote" }).click();
      await card.getByText(/Quote sent: /).waitFor();
      expect(bank.errors).to.deep.equal([]);
    } finally {
      await bank.context.close();
    }
    const quotes = (await request(sys.w.h.app).get(`/v1/financing-requests/${requestId}/quotes`).set(...bearer(sys.w.tier1)).expect(200)).body.items;
    expect(quotes).to.have.length(1);
    expect(quotes[0].programmeId).to.equal(programmeId.toString());
    // The rate after the subsidy moves with the clock (time to maturity), so the page's figure is read, not matched.
    const [rate, after] = [quotes[0].effectiveAnnualRate.percent, quotes[0].subsidy.effectiveAnnualRate.percent].map(Number) as [number, number];
    expect(after).to.be.lessThan(rate);

    const holder = await sys.context("zh-CN");
    try {
      await signInAsDemo(holder.page, DEMO_NAMES.tier1);
      await holder.page.goto("/financing");
      const card = holder.page.getByRole("article").filter({ has: holder.page.locator(`#request-${requestId}`) });
      await card.getByRole("columnheader", { name: "计入贴息后的年化利率" }).waitFor();
      const cell = card.getByRole("cell", { name: /^\d+\.\d{4} % \(贴息 / });
      await cell.waitFor();
      const shown = Number(/^(\d+\.\d{4}) %/.exec((await cell.textContent()) ?? "")?.[1]);
      // Within a hundredth of a percent of the API's figure a moment earlier, and below the rate before the subsidy.
      expect(Math.abs(shown - after)).to.be.lessThan(0.01);
      expect(shown).to.be.lessThan(rate);
      await expectAccessible(holder.page, "my financing with a subsidy (zh-CN)");
      expect(holder.errors).to.deep.equal([]);
    } finally {
      await holder.context.close();
    }
  });
});
