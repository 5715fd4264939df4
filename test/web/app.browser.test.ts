/**
 * The web app in a real Chromium against the real system: signing in (demo picker, API key), the shell
 * (organisation, role, chain status, language, to-do list), the supplier's holdings and receivable pages,
 * authorisation by URL, accessibility (axe-core) and missing translations in both languages.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import request from "supertest";
import { formatAmount } from "../../web/src/lib/money";
import { confirmedReceivable, DAY, registerInvoice, UNIT } from "../server/api/world";
import { browserAvailable, DEMO_NAMES, expectAccessible, screenshot, signInAsDemo, startWebSystem, tabTo, type WebSystem } from "./browser";

const LANGUAGES = ["en", "zh-CN"] as const;
/** A transaction goes through the API, the chain and the indexer: on a busy machine that takes longer than a click. */
const TX_TIMEOUT = 45_000;

describe("web app in Chromium: sign-in, shell, supplier holdings, authorisation, accessibility", function () {
  let sys: WebSystem;
  let tier1Root: string;
  let tier2Root: string;
  /** One tab per language, kept across the tests below (tier 1 signs in once in each): fewer page loads. */
  const tabs = new Map<(typeof LANGUAGES)[number], { page: Page; errors: string[] }>();

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
    for (const language of LANGUAGES) {
      const { page, errors } = await sys.context(language);
      tabs.set(language, { page, errors });
    }
    tier1Root = await confirmedReceivable(sys.w, { supplier: sys.w.tier1, amount: 1_234_567n * UNIT + 89n });
    tier2Root = await confirmedReceivable(sys.w, { supplier: sys.w.tier2, amount: 500n * UNIT });
  });

  after(async function () {
    await sys?.close();
  });

  /** Runs `check` in each language's tab and requires no console error there (a missing i18n key logs one). */
  async function inBothLanguages(check: (page: Page, language: (typeof LANGUAGES)[number]) => Promise<void>): Promise<void> {
    for (const language of LANGUAGES) {
      const { page, errors } = tabs.get(language)!;
      await check(page, language);
      expect(errors.splice(0), `console errors in ${language}`).to.deep.equal([]);
    }
  }

  it("shows the sign-in page with the demo picker, accessible in both languages", async function () {
    await inBothLanguages(async (page, language) => {
      await page.goto("/");
      const heading = language === "en" ? "Sign in to Ledgerline" : "登录 Ledgerline";
      await page.getByRole("heading", { name: heading }).waitFor();
      expect(await page.getAttribute("html", "lang")).to.equal(language);
      for (const name of Object.values(DEMO_NAMES)) await page.getByRole("button", { name: new RegExp(name) }).waitFor();
      await expectAccessible(page, `sign-in (${language})`);
    });
  });

  it("a supplier signs in from the demo picker and sees its name, role, chain status and to-do list", async function () {
    await inBothLanguages(async (page, language) => {
      await signInAsDemo(page, DEMO_NAMES.tier1);
      await page.getByText(language === "en" ? "Supplier" : "供应商", { exact: true }).waitFor();
      const status = page.getByRole("status", { name: language === "en" ? "Chain status" : "链状态" });
      await status.waitFor();
      const head = sys.w.indexer.status();
      expect(await status.textContent()).to.match(new RegExp(`${language === "en" ? "Indexed" : "已索引"} \\d+`));
      expect(head.checkpoint).to.be.greaterThan(0);
      await page.getByRole("heading", { name: language === "en" ? "What waits for you" : "待办事项" }).waitFor();
      await expectAccessible(page, `home (${language})`);
    });
  });

  it("lists the supplier's holdings with amounts in the currency's decimals, sortable and filterable", async function () {
    await inBothLanguages(async (page, language) => {
      await page.getByRole("link", { name: language === "en" ? "Holdings" : "持有的应收账款" }).click();
      const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: tier1Root, exact: true }) });
      const symbol = await sys.w.cash.symbol();
      // The amount appears once the currencies are loaded (until then the cell says "…").
      await row.getByText(`1,234,567.89 ${symbol}`).waitFor();
      // Its cash, read from the chain now, in the currency's decimals.
      const [cash] = (await request(sys.w.h.app).get("/v1/balances").set("Authorization", `Bearer ${sys.w.tier1.auth}`).expect(200)).body.items as { balance: string }[];
      await page.getByTestId("cash-balance").getByText(`${formatAmount(cash!.balance, 2, language)} ${symbol}`).waitFor();
      // Only its own: the tier-2 supplier's receivable is not listed.
      expect(await page.getByRole("link", { name: tier2Root, exact: true }).count()).to.equal(0);
      await page.getByRole("button", { name: language === "en" ? "Sort by Amount" : "按金额排序" }).click();
      expect(await page.getByRole("columnheader", { name: language === "en" ? /Amount/ : /金额/ }).getAttribute("aria-sort")).to.equal("ascending");
      await page.getByLabel(language === "en" ? "Filter by id, obligor or status" : "按编号、债务人或状态筛选").fill("no-such-receivable");
      await page.getByText(language === "en" ? "No receivables yet." : "暂无应收账款。").waitFor();
      await page.getByLabel(language === "en" ? "Filter by id, obligor or status" : "按编号、债务人或状态筛选").fill("");
      await row.waitFor();
      await expectAccessible(page, `holdings (${language})`);
      await screenshot(page, `supplier-holdings-${language}`);
    });
  });

  it("opens a receivable's page from the holdings table", async function () {
    await inBothLanguages(async (page, language) => {
      await page.getByRole("link", { name: tier1Root, exact: true }).click();
      await page.getByRole("heading", { name: language === "en" ? `Receivable ${tier1Root}` : `应收账款 ${tier1Root}` }).waitFor();
      await page.getByText(language === "en" ? "Active" : "正常", { exact: true }).first().waitFor();
      await expectAccessible(page, `receivable (${language})`);
    });
  });

  it("a supplier cannot reach another organisation's receivable by URL: it sees not found, as the API answers", async function () {
    const res = await request(sys.w.h.app).get(`/v1/receivables/${tier2Root}`).set("Authorization", `Bearer ${sys.w.tier1.auth}`);
    expect(res.status).to.equal(404);
    await inBothLanguages(async (page, language) => {
      await page.goto(`/receivables/${tier2Root}`);
      await page.getByRole("heading", { name: language === "en" ? "Not found" : "未找到" }).waitFor();
      expect(await page.getByText("500").count()).to.equal(0);
      await expectAccessible(page, `not found (${language})`);
    });
  });

  it("signs in with an API key: a malformed key is refused before sending, a wrong one shows the API's code", async function () {
    const { context, page, errors } = await sys.context("en");
    try {
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/v1/auth/browser-sessions")) sent.push(r.method());
      });
      await page.goto("/");
      await page.getByRole("textbox", { name: "API key" }).fill("not-a-key");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByText("An API key looks like llk_…").waitFor();
      expect(sent).to.deep.equal([]);
      await page.getByRole("textbox", { name: "API key" }).fill(`llk_0123456789abcdef_${"A".repeat(43)}`);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByText("Error code: CredentialInvalid").waitFor();
      expect(sent).to.deep.equal(["POST"]);
      await page.getByRole("textbox", { name: "API key" }).fill(sys.w.tier2.auth);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByTestId("organisation-name").filter({ hasText: DEMO_NAMES.tier2 }).waitFor();
      // The session is a cookie the page's scripts cannot read, and nothing is kept in storage.
      expect(await page.evaluate("document.cookie")).to.equal("");
      expect(await page.evaluate("Object.keys(localStorage).filter((k) => k !== 'ledgerline.language')")).to.deep.equal([]);
      const cookie = (await context.cookies()).find((c) => c.name === "ll_session");
      expect(cookie).to.include({ httpOnly: true, sameSite: "Strict" });
      // The browser's console shows the refused sign-in (401) and nothing else.
      expect(errors.filter((e) => !/401/.test(e))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("switches the language in the shell and keeps it across a reload; signs out", async function () {
    const { context, page, errors } = await sys.context("en");
    try {
      await signInAsDemo(page, DEMO_NAMES.tier1);
      await page.getByLabel("Language").selectOption("zh-CN");
      await page.getByRole("heading", { name: "待办事项" }).waitFor();
      await page.reload();
      await page.getByRole("heading", { name: "待办事项" }).waitFor();
      expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
      await page.getByRole("button", { name: "退出登录" }).click();
      await page.getByRole("heading", { name: "登录 Ledgerline" }).waitFor();
      await page.reload();
      await page.getByRole("heading", { name: "登录 Ledgerline" }).waitFor();
      expect(errors.filter((e) => !/401/.test(e))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("tier 1 offers part of a receivable to tier 2: field errors before sending, the chain's refusal decoded, progress to indexed", async function () {
    const { context, page, errors } = await sys.context("en");
    try {
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "POST" && /\/v1\/receivables\/\d+\/(transfer|split)$/.test(new URL(r.url()).pathname)) sent.push(r.headers()["idempotency-key"] ?? "");
      });
      await signInAsDemo(page, DEMO_NAMES.tier1);
      await page.goto(`/receivables/${tier1Root}`);
      await page.getByText("A part may not be smaller than 1.00; this receivable is at depth 0 of at most 10.").waitFor();
      // Invalid values: refused in the page, nothing sent.
      await page.getByRole("button", { name: "Offer", exact: true }).click();
      await page.getByText("Choose the organisation to offer it to").waitFor();
      await page.getByText("Enter an amount").waitFor();
      await page.getByRole("textbox", { name: "Amount", exact: true }).fill("1.234");
      await page.getByRole("button", { name: "Offer", exact: true }).click();
      await page.getByText("Enter a number with at most 2 decimals").waitFor();
      await page.getByRole("textbox", { name: "Amount", exact: true }).fill("99999999");
      await page.getByRole("button", { name: "Offer", exact: true }).click();
      await page.getByText("More than this receivable's amount").waitFor();
      expect(sent).to.deep.equal([]);
      // A part below the ledger's minimum: the chain refuses, the page shows the decoded error.
      await page.getByRole("combobox", { name: "Offer to" }).fill("Tier-2");
      await page.getByRole("option", { name: new RegExp(DEMO_NAMES.tier2) }).click();
      await page.getByRole("textbox", { name: "Amount", exact: true }).fill("0.50");
      await page.getByRole("button", { name: "Offer", exact: true }).click();
      await page.getByText("Error code: ReceivablePartTooSmall").waitFor();
      await page.getByText("A part would be smaller than the ledger's minimum part amount.").waitFor();
      // A valid part, double-clicked: one action, one Idempotency-Key.
      await page.getByRole("textbox", { name: "Amount", exact: true }).fill("1,000.00");
      await page.getByRole("button", { name: "Offer", exact: true }).dblclick();
      await page.getByRole("status", { name: "Transaction indexed" }).waitFor({ timeout: TX_TIMEOUT });
      await page.getByText(/Transaction 0x[0-9a-f]{64}/).waitFor();
      const keys = sent.slice(1);
      expect(new Set(keys).size, `keys sent: ${keys.join(", ")}`).to.equal(1);
      const offered = await request(sys.w.h.app).get("/v1/offers").set("Authorization", `Bearer ${sys.w.tier2.auth}`).expect(200);
      expect(offered.body.items.map((r: { amount: string }) => r.amount)).to.deep.equal(["100000"]);
      // The console shows the chain's refusal (409) and nothing else.
      expect(errors.filter((e) => !/status of 409/.test(e))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("tier 2 accepts the offer with the keyboard only, and it appears in its holdings", async function () {
    const { context, page, errors } = await sys.context("zh-CN");
    try {
      await signInAsDemo(page, DEMO_NAMES.tier2);
      await page.getByRole("link", { name: "1 笔转让待签收" }).waitFor();
      await page.goto("/offers");
      const offered = (await request(sys.w.h.app).get("/v1/offers").set("Authorization", `Bearer ${sys.w.tier2.auth}`).expect(200)).body.items[0].id as string;
      const accept = page.getByRole("button", { name: `接受转让 ${offered}` });
      await accept.waitFor();
      await expectAccessible(page, "offers (zh-CN)");
      let reached = false;
      for (let i = 0; i < 60 && !reached; i++) {
        await page.keyboard.press("Tab");
        reached = await accept.evaluate((el) => el === el.ownerDocument.activeElement);
      }
      expect(reached, "the accept button is reachable with Tab").to.equal(true);
      await page.keyboard.press("Enter");
      // Accepted and indexed: the offer leaves the list (its row, and its progress, go with it).
      await page.getByText("目前没有转让给本机构的应收账款。").waitFor();
      await page.goto("/holdings");
      // The amount appears once the currencies are loaded (until then the cell says "…"): wait for the
      // formatted amount itself, not only for the row, or a slow currency answer reads as a wrong amount.
      const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: offered, exact: true }) });
      await row.getByText(`1,000.00 ${await sys.w.cash.symbol()}`, { exact: true }).waitFor();
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("tier 2 requests financing, two banks quote (one by keyboard only, advance and rate converting live), tier 2 accepts the best", async function () {
    const tier2 = await sys.context("en");
    const bankA = await sys.context("en");
    const bankB = await sys.context("zh-CN");
    try {
      const offeredPart = (await request(sys.w.h.app).get("/v1/receivables").set("Authorization", `Bearer ${sys.w.tier2.auth}`).expect(200)).body.items.find(
        (r: { amount: string }) => r.amount === "100000",
      ).id as string;
      await signInAsDemo(tier2.page, DEMO_NAMES.tier2);
      await tier2.page.goto(`/receivables/${offeredPart}`);
      await tier2.page.getByRole("textbox", { name: "Amount to finance" }).fill("1000.00");
      await tier2.page.getByRole("button", { name: "Ask banks for quotes" }).click();
      await tier2.page.getByRole("heading", { name: "My financing requests" }).waitFor();
      await tier2.page.getByText("No quote yet.").waitFor();

      // Bank A, keyboard only: the rate typed, the advance follows; then the form is sent with Enter.
      await signInAsDemo(bankA.page, DEMO_NAMES.bankA);
      await bankA.page.getByRole("link", { name: "Financing requests" }).click();
      await bankA.page.getByRole("heading", { name: new RegExp(`Receivable ${offeredPart} of`) }).waitFor();
      await bankA.page.getByRole("table").filter({ hasText: "Risk view" }).waitFor();
      // The PBOC registration of the tree's financings (issue 12 item 4): none yet.
      await bankA.page.getByText("PBOC registry: no part of this tree has been financed yet.").waitFor();
      await expectAccessible(bankA.page, "market (en)");
      const rate = bankA.page.getByRole("textbox", { name: "Effective annual rate (%)" });
      expect(await tabTo(bankA.page, rate), "the rate field is reachable with Tab").to.equal(true);
      await bankA.page.keyboard.type("6");
      const advanceA = await bankA.page.getByRole("textbox", { name: "Advance" }).inputValue();
      expect(advanceA).to.match(/^98\d\.\d\d$/);
      expect(await tabTo(bankA.page, bankA.page.getByRole("button", { name: "Send the quote" }))).to.equal(true);
      await bankA.page.keyboard.press("Enter");
      await bankA.page.getByText(/Quote sent: 6\.\d{4} % a year\./).waitFor();

      // Bank B, in Chinese: types the advance, the rate follows; a lower rate than bank A's.
      await signInAsDemo(bankB.page, DEMO_NAMES.bankB);
      await bankB.page.goto("/market");
      await bankB.page.getByRole("textbox", { name: "放款金额" }).fill("995.00");
      const rateB = await bankB.page.getByRole("textbox", { name: "实际年化利率（%）" }).inputValue();
      expect(rateB).to.match(/^2\.\d{4}$/);
      await expectAccessible(bankB.page, "market (zh-CN)");
      await screenshot(bankB.page, "financier-market-zh-CN");
      await bankB.page.getByRole("button", { name: "提交报价" }).click();
      await bankB.page.getByText(/报价已提交/).waitFor();

      // Tier 2 compares: bank B's is best and first; accepting it finances the part.
      await tier2.page.reload();
      const rows = tier2.page.getByRole("row");
      await tier2.page.getByRole("button", { name: `Accept the quote of ${DEMO_NAMES.bankB}` }).waitFor();
      const firstQuote = await rows.nth(1).textContent();
      expect(firstQuote).to.include(DEMO_NAMES.bankB).and.include("Best").and.include("995.00");
      await expectAccessible(tier2.page, "my financing (en)");
      await tier2.page.getByRole("button", { name: `Accept the quote of ${DEMO_NAMES.bankB}` }).click();
      await tier2.page.getByText("Accepted", { exact: true }).first().waitFor();
      const requests = (await request(sys.w.h.app).get("/v1/financing-requests").set("Authorization", `Bearer ${sys.w.tier2.auth}`).expect(200)).body.items;
      expect(requests.map((r: { status: string }) => r.status)).to.deep.equal(["ACCEPTED"]);
      for (const tab of [tier2, bankA, bankB]) expect(tab.errors).to.deep.equal([]);
    } finally {
      for (const tab of [tier2, bankA, bankB]) await tab.context.close();
    }
  });

  it("the core enterprise confirms one invoice and rejects another with a reason, sees its payables ladder and deposits; the holder redeems at maturity", async function () {
    const toConfirm = await registerInvoice(sys.w, { supplier: sys.w.tier3, amount: 2_000n * UNIT, maturityInDays: 30 });
    const toReject = await registerInvoice(sys.w, { supplier: sys.w.tier3, amount: 10n * UNIT, maturityInDays: 30 });
    const core = await sys.context("en");
    const tier3 = await sys.context("zh-CN");
    try {
      await signInAsDemo(core.page, DEMO_NAMES.core);
      await core.page.getByRole("link", { name: "2 invoices to confirm" }).click();
      await core.page.getByRole("heading", { name: "Invoices to confirm" }).waitFor();
      await expectAccessible(core.page, "invoices (en)");
      const rejectCard = core.page.getByRole("article").filter({ hasText: toReject });
      await rejectCard.getByRole("button", { name: "Reject" }).click();
      await rejectCard.getByText("Give a reason to reject").waitFor();
      await rejectCard.getByRole("textbox", { name: "Reason for rejecting" }).fill("quantity does not match the delivery note");
      await rejectCard.getByRole("button", { name: "Reject" }).click();
      const confirmCard = core.page.getByRole("article").filter({ hasText: toConfirm });
      await confirmCard.getByRole("button", { name: /^Confirm invoice/ }).click();
      await core.page.getByText("No invoice waits for your confirmation.").waitFor();
      const rejected = (await request(sys.w.h.app).get(`/v1/invoices/${toReject}`).set("Authorization", `Bearer ${sys.w.core.auth}`).expect(200)).body;
      expect(rejected).to.include({ status: "REJECTED", rejectReason: "quantity does not match the delivery note" });
      const rootId = (await request(sys.w.h.app).get(`/v1/invoices/${toConfirm}`).set("Authorization", `Bearer ${sys.w.core.auth}`).expect(200)).body.rootId as string;

      await core.page.getByRole("link", { name: "Payables ladder" }).click();
      await core.page.getByRole("img", { name: "Amount due per maturity, paid and unpaid" }).waitFor();
      await expectAccessible(core.page, "payables (en)");
      await screenshot(core.page, "core-payables-en");
      const limit = (await request(sys.w.h.app).get(`/v1/issuance-limits/${sys.w.core.address}`).set("Authorization", `Bearer ${sys.w.core.auth}`).expect(200)).body;
      expect(limit.upcomingMaturities.map((m: { outstanding: string }) => m.outstanding), JSON.stringify(limit)).to.include((2_000n * UNIT).toString());
      // Its issuance limit and what it uses, as the operator set it and the chain counts it.
      const symbol = await sys.w.cash.symbol();
      const shown = (v: string) => `${formatAmount(v, 2, "en")} ${symbol}`;
      await core.page
        .getByTestId("issuance-limit")
        .filter({ hasText: `Issuance limit ${shown(limit.limit as string)} · confirmed and unpaid ${shown(limit.issued as string)} · available ${shown(limit.available as string)}` })
        .waitFor();
      const row = core.page.getByRole("row").filter({ hasText: "2,000.00" }).filter({ has: core.page.getByRole("button", { name: "Deposit" }) });
      await row.getByRole("textbox", { name: "Amount" }).fill("5000");
      await row.getByRole("button", { name: "Deposit" }).click();
      await row.getByText("More than is due").waitFor();
      await row.getByRole("textbox", { name: "Amount" }).fill("2000.00");
      await row.getByRole("button", { name: "Deposit" }).click();
      await core.page.getByRole("status", { name: "Transaction indexed" }).waitFor({ timeout: TX_TIMEOUT });

      // At maturity the holder redeems from the receivable's page.
      await sys.w.advanceTime(31 * DAY);
      await signInAsDemo(tier3.page, DEMO_NAMES.tier3);
      await tier3.page.goto(`/receivables/${rootId}`);
      await tier3.page.getByRole("button", { name: "兑付" }).click();
      await tier3.page.getByRole("status", { name: "交易已索引" }).waitFor({ timeout: TX_TIMEOUT });
      const after = await request(sys.w.h.app).get(`/v1/receivables/${rootId}`).set("Authorization", `Bearer ${sys.w.tier3.auth}`);
      // Redeemed in full: burned (not found) or shown as redeemed.
      expect(after.status === 404 || after.body.status === "REDEEMED", JSON.stringify(after.body)).to.equal(true);
      expect(core.errors).to.deep.equal([]);
      expect(tier3.errors).to.deep.equal([]);
    } finally {
      await core.context.close();
      await tier3.context.close();
    }
  });
});
