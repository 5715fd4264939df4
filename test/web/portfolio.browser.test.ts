/**
 * The financier's desk in Chromium (issue 11): exposure per obligor as a chart against its own limits, and
 * setting a limit on chain; its quotes revised (the old one cancelled on chain, a new one replacing it) and
 * cancelled; its financed receivables. Bad input shows a field error and sends nothing; a supplier typing
 * the URL sees "not found".
 */
import { expect } from "chai";
import request from "supertest";
import { bearer, chainNow, confirmedReceivable, DAY, UNIT } from "../server/api/world";
import { browserAvailable, DEMO_NAMES, expectAccessible, signInAsDemo, startWebSystem, type WebSystem } from "./browser";

const TX_TIMEOUT = 45_000;

describe("web app in Chromium: the financier's portfolio, exposure limits and quotes", function () {
  let sys: WebSystem;
  let requestId: string;
  let financed: string;

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
    const w = sys.w;
    const receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount: 20_000n * UNIT });
    const opened = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(w.tier1))
      .send({ receivableId, amount: (20_000n * UNIT).toString(), mode: "ANY", deadline: (await chainNow()) + 2 * DAY })
      .expect(201);
    requestId = opened.body.id as string;
    await request(w.h.app)
      .post(`/v1/financing-requests/${requestId}/quotes`)
      .set(...bearer(w.bankA))
      .send({ mode: "PURCHASE", advance: (19_000n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY })
      .expect(201);
    // A financing bank A made, for its portfolio (not yet registered in the PBOC registry).
    financed = await confirmedReceivable(w, { supplier: w.tier1, amount: 5_000n * UNIT });
    const other = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(w.tier1))
      .send({ receivableId: financed, amount: (5_000n * UNIT).toString(), mode: "ANY", deadline: (await chainNow()) + 2 * DAY })
      .expect(201);
    const quote = await request(w.h.app)
      .post(`/v1/financing-requests/${other.body.id as string}/quotes`)
      .set(...bearer(w.bankA))
      .send({ mode: "PURCHASE", advance: (4_900n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY })
      .expect(201);
    await request(w.h.app).post(`/v1/quotes/${quote.body.id as string}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", "portfolio-accept").expect(200);
  });

  after(async function () {
    await sys?.close();
  });

  const quotesOf = async () =>
    (await request(sys.w.h.app).get(`/v1/financing-requests/${requestId}/quotes`).set(...bearer(sys.w.bankA)).expect(200)).body.items as { id: string; status: string; advance: string }[];

  it("a bank sets its own limit on the core enterprise, revises and then cancels its quote", async function () {
    const { page, errors, context } = await sys.context("en");
    try {
      await signInAsDemo(page, DEMO_NAMES.bankA);
      await page.getByRole("link", { name: "Portfolio and exposure" }).click();
      await page.getByRole("heading", { name: "Portfolio and exposure" }).waitFor();
      await page.getByRole("img", { name: "Outstanding financed face and what is still available, per obligor" }).waitFor();
      // The financed receivable, with its PBOC registration still to be filed.
      await page.getByRole("table", { name: "What you bought or took in pledge, with the cash expected and received" }).getByText(/^Not registered yet \(due by \d{4}-\d{2}-\d{2}\)$/).waitFor();
      await expectAccessible(page, "portfolio (en)");

      // A limit that is not a number: a field error, nothing sent.
      const limitInput = page.getByRole("textbox", { name: /^New limit/ });
      await limitInput.fill("a lot");
      await page.getByRole("button", { name: "Set my limit" }).click();
      await page.getByText("Enter a non-negative number with at most 2 decimals").waitFor();
      // Its own limit on the core enterprise, on chain.
      await page.getByRole("combobox", { name: "Obligor" }).selectOption({ label: DEMO_NAMES.core });
      await limitInput.fill("12345678.5");
      await page.getByRole("button", { name: "Set my limit" }).click();
      await page.getByRole("status", { name: "Transaction indexed" }).first().waitFor({ timeout: TX_TIMEOUT });
      const limits = (await request(sys.w.h.app).get("/v1/exposure/limits").set(...bearer(sys.w.bankA)).expect(200)).body.items as { obligor: string; limit: string }[];
      expect(limits.find((l) => l.obligor === sys.w.core.address)?.limit).to.equal("1234567850");
      await page.getByRole("table", { name: "Your exposure limits" }).getByRole("row").filter({ hasText: DEMO_NAMES.core }).getByText("12,345,678.50 LCASH").first().waitFor();

      // Revise: an advance above the face is refused in the page; a valid one replaces the quote.
      const [open] = await quotesOf();
      const row = page.getByRole("row").filter({ has: page.getByRole("button", { name: /^Revise the quote on / }) });
      const advance = row.getByRole("textbox", { name: /^New advance for / });
      await advance.fill("25000");
      await row.getByRole("button", { name: /^Revise the quote on / }).click();
      await row.getByText("More than zero and at most the face").waitFor();
      expect((await quotesOf()).map((q) => q.status)).to.deep.equal(["OPEN"]);
      await advance.fill("19500");
      await row.getByRole("button", { name: /^Revise the quote on / }).click();
      await page.getByText(/^Revised: a new quote at .* % a year replaces it\.$/).waitFor({ timeout: TX_TIMEOUT });
      const revised = await quotesOf();
      expect(revised.find((q) => q.id === open!.id)?.status).to.equal("REVISED");
      const replacement = revised.find((q) => q.status === "OPEN");
      expect(replacement?.advance).to.equal((19_500n * UNIT).toString());

      // Cancel the new one, on chain.
      const cancel = page.getByRole("button", { name: /^Cancel the quote on / });
      await cancel.click();
      // Cancelled and indexed, it is no longer open: its actions go.
      await cancel.waitFor({ state: "detached", timeout: TX_TIMEOUT });
      expect((await quotesOf()).find((q) => q.id === replacement!.id)?.status).to.equal("CANCELLED");
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("reads in Chinese, and is not there for a supplier", async function () {
    const zh = await sys.context("zh-CN");
    try {
      await signInAsDemo(zh.page, DEMO_NAMES.bankB);
      await zh.page.goto("/portfolio");
      await zh.page.getByRole("heading", { name: "资产组合与风险敞口" }).waitFor();
      await zh.page.getByRole("heading", { name: "我的报价" }).waitFor();
      await expectAccessible(zh.page, "portfolio (zh-CN)");
      expect(zh.errors).to.deep.equal([]);
    } finally {
      await zh.context.close();
    }
    const supplier = await sys.context("en");
    try {
      await signInAsDemo(supplier.page, DEMO_NAMES.tier2);
      await supplier.page.goto("/portfolio");
      await supplier.page.getByRole("heading", { name: "Not found" }).waitFor();
    } finally {
      await supplier.context.close();
    }
  });

  it("lists the bank's financing in a tree marked overdue, with what is still owed, in both languages", async function () {
    const w = sys.w;
    const maturity = (await request(w.h.app).get(`/v1/receivables/${financed}`).set(...bearer(w.bankA)).expect(200)).body.maturity as number;
    await w.advanceTime(maturity - (await chainNow()) + 8 * DAY);
    await request(w.h.app).post(`/v1/receivables/${financed}/mark-overdue`).set(...bearer(w.bankA)).set("Idempotency-Key", "portfolio-overdue").expect(200);
    for (const [language, title, caption] of [
      ["en", "Overdue trees", "1 financing still owed money in a tree marked overdue on chain"],
      ["zh-CN", "逾期账款树", "1 笔融资所在账款树已在链上标记逾期，尚有未收回款项"],
    ] as const) {
      const { page, errors, context } = await sys.context(language);
      try {
        await signInAsDemo(page, DEMO_NAMES.bankA);
        await page.goto("/portfolio");
        const section = page.getByRole("region", { name: title });
        await section.getByRole("table", { name: caption }).waitFor();
        await section.getByRole("link", { name: financed }).waitFor();
        await expectAccessible(page, `portfolio with an overdue tree (${language})`);
        expect(errors).to.deep.equal([]);
      } finally {
        await context.close();
      }
    }
    // Bank B financed nothing in that tree: its desk has none.
    const { page, context } = await sys.context("en");
    try {
      await signInAsDemo(page, DEMO_NAMES.bankB);
      await page.goto("/portfolio");
      await page.getByRole("region", { name: "Overdue trees" }).getByText("No financing of yours is in a tree marked overdue.").waitFor();
    } finally {
      await context.close();
    }
  });
});
