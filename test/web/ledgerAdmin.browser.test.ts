/**
 * The operator's ledger administration in Chromium (issue 11, operator: allowed currencies, ledger
 * parameters, pause): field errors before anything is sent, the server's refusals shown decoded (on the
 * field they concern when they name one), each change seen by the API afterwards; a paused ledger shown
 * to every role and refusing a supplier's split with the decoded error; both languages checked with axe.
 * Other roles do not reach the screen by URL.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import request from "supertest";
import { SettlementToken__factory } from "../../typechain-types";
import { bearer, confirmedReceivable, DAY, UNIT } from "../server/api/world";
import { browserAvailable, DEMO_NAMES, expectAccessible, signInAsDemo, startWebSystem, type WebSystem } from "./browser";

const TX_TIMEOUT = 45_000;

describe("web app in Chromium: the operator's ledger administration", function () {
  let sys: WebSystem;
  let rootId: string;

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
    rootId = await confirmedReceivable(sys.w, { supplier: sys.w.tier1, amount: 700n * UNIT });
  });

  after(async function () {
    await sys?.close();
  });

  const parameters = async () => (await request(sys.w.h.app).get("/v1/ledger-parameters").set(...bearer(sys.w.operator)).expect(200)).body;

  it("sets the ledger parameters: field errors before sending, then the change, then the decoded refusal of the same values", async function () {
    const { page, errors, context } = await sys.context("en");
    try {
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "PUT" && new URL(r.url()).pathname === "/v1/ledger-parameters") sent.push(r.headers()["idempotency-key"] ?? "");
      });
      await signInAsDemo(page, "Platform operator");
      await page.getByRole("link", { name: "Ledger", exact: true }).click();
      await page.getByRole("heading", { name: "Ledger administration" }).waitFor();
      await page.getByText("Currencies and parameters change at once (the operator's key administers them).").waitFor();
      await expectAccessible(page, "ledger (en, operator)");

      const section = page.getByRole("region", { name: "Ledger parameters" });
      const minPart = section.getByRole("textbox", { name: "Minimum part amount" });
      expect(await minPart.inputValue()).to.equal("1.00");
      expect(await section.getByRole("textbox", { name: "Maximum lineage depth" }).inputValue()).to.equal("10");
      expect(await section.getByRole("textbox", { name: "Default offer window (hours)" }).inputValue()).to.equal("168");

      await minPart.fill("0");
      await section.getByRole("textbox", { name: "Maximum lineage depth" }).fill("300");
      await section.getByRole("textbox", { name: "Default offer window (hours)" }).fill("1.5");
      await section.getByRole("button", { name: "Set parameters" }).click();
      await section.getByText("Enter an amount above zero with at most 2 decimals").waitFor();
      await section.getByText("Enter a whole number from 1 to 255").waitFor();
      await section.getByText("Enter a whole number of hours from 1 to 1,193,046").waitFor();
      await minPart.fill("1.234");
      await section.getByRole("button", { name: "Set parameters" }).click();
      await section.getByText("Enter an amount above zero with at most 2 decimals").waitFor();
      expect(sent).to.deep.equal([]);
      expect(await parameters()).to.deep.equal({ minPartAmount: "100", maxDepth: 10, defaultOfferWindow: 7 * DAY });

      await minPart.fill("5.00");
      await section.getByRole("textbox", { name: "Maximum lineage depth" }).fill("6");
      await section.getByRole("textbox", { name: "Default offer window (hours)" }).fill("48");
      await section.getByRole("button", { name: "Set parameters" }).dblclick();
      await section.getByRole("status", { name: "Transaction indexed" }).waitFor({ timeout: TX_TIMEOUT });
      expect(new Set(sent).size, `keys sent: ${sent.join(", ")}`).to.equal(1);
      expect(await parameters()).to.deep.equal({ minPartAmount: "500", maxDepth: 6, defaultOfferWindow: 2 * DAY });
      await section.getByText(/Current values: minimum part 5\.00( \w+)?, maximum depth 6, default offer window 48 hours\./).waitFor();

      // The same values again: the server refuses, the page says why, with the code.
      await section.getByRole("button", { name: "Set parameters" }).click();
      await section.getByText("Error code: LedgerSettingUnchanged").waitFor({ timeout: TX_TIMEOUT });
      await section.getByText("That is already the ledger's setting: nothing to change.").waitFor();
      expect(errors.filter((e) => !/status of 409/.test(e))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("allows a settlement currency and stops allowing it; an address that is not a token is refused on its field", async function () {
    const [admin] = await ethers.getSigners();
    const token = (await (await new SettlementToken__factory(admin).deploy("Digital yuan deposit", "eCNY", 2, admin!.address)).getAddress()).toLowerCase();
    const { page, errors, context } = await sys.context("en");
    try {
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "PUT" && new URL(r.url()).pathname.startsWith("/v1/currencies/")) sent.push(r.url());
      });
      await signInAsDemo(page, "Platform operator");
      await page.goto("/ledger");
      const section = page.getByRole("region", { name: "Allowed currencies" });
      await section.getByRole("row").filter({ hasText: sys.w.currency }).getByText("Allowed", { exact: true }).waitFor();
      const box = section.getByRole("textbox", { name: "Token contract address" });
      await box.fill("0x12");
      await section.getByRole("button", { name: "Allow currency" }).click();
      await section.getByText("Enter an address: 0x and 40 hexadecimal digits").waitFor();
      expect(sent).to.deep.equal([]);

      // A well-formed address that is no token: the server names the field, the page shows it there.
      await box.fill(Wallet.createRandom().address);
      await section.getByRole("button", { name: "Allow currency" }).click();
      await section.getByText("This address is not an ERC-20 token with a symbol, a name and decimals.").waitFor({ timeout: TX_TIMEOUT });
      expect(sent.length).to.equal(1);

      await box.fill(token);
      await section.getByRole("button", { name: "Allow currency" }).click();
      const row = section.getByRole("row").filter({ hasText: token });
      await row.getByText("Allowed", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      expect(await sys.w.ctx.chain.ledger.isCurrencyAllowed(token)).to.equal(true);
      await row.getByRole("button", { name: "Stop allowing eCNY" }).click();
      await row.getByText("Not allowed", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      expect(await sys.w.ctx.chain.ledger.isCurrencyAllowed(token)).to.equal(false);
      const listed = (await request(sys.w.h.app).get("/v1/currencies").set(...bearer(sys.w.tier1)).expect(200)).body.items as { address: string; allowed: boolean }[];
      expect(listed.find((c) => c.address === token)?.allowed).to.equal(false);
      expect(errors.filter((e) => !/status of 400/.test(e))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("pauses the ledger (in Chinese): every role sees it, a supplier's split is refused with the decoded error, and resuming lets it through", async function () {
    const operator = await sys.context("zh-CN");
    const supplier = await sys.context("zh-CN");
    try {
      await signInAsDemo(operator.page, "Platform operator");
      await operator.page.getByRole("link", { name: "账本", exact: true }).click();
      await operator.page.getByRole("heading", { name: "账本管理" }).waitFor();
      await expectAccessible(operator.page, "ledger (zh-CN, operator)");
      const pause = operator.page.getByRole("region", { name: "紧急开关" });
      await pause.getByText("运行中", { exact: true }).waitFor();
      await pause.getByRole("button", { name: "暂停账本" }).click();
      await pause.getByRole("button", { name: "确认：为所有机构暂停账本" }).click();
      await pause.getByText("已暂停", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      expect((await request(sys.w.h.app).get("/v1/ledger").set(...bearer(sys.w.tier1)).expect(200)).body.paused).to.equal(true);
      await operator.page.getByRole("alert").filter({ hasText: "平台运营方已暂停账本" }).waitFor();
      await expectAccessible(operator.page, "ledger paused (zh-CN, operator)");

      await signInAsDemo(supplier.page, DEMO_NAMES.tier1);
      await supplier.page.getByRole("alert").filter({ hasText: "平台运营方已暂停账本：恢复前任何应收账款都不能变动。" }).waitFor();
      await supplier.page.goto(`/receivables/${rootId}`);
      await supplier.page.getByRole("textbox", { name: "金额", exact: true }).fill("100.00");
      await supplier.page.getByRole("button", { name: "拆分并自留" }).click();
      await supplier.page.getByText("错误代码：EnforcedPause").waitFor({ timeout: TX_TIMEOUT });
      await supplier.page.getByText("平台运营方已暂停账本：恢复前一切都不能变动。").waitFor();

      await pause.getByRole("button", { name: "恢复账本" }).click();
      await pause.getByText("运行中", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      expect((await request(sys.w.h.app).get("/v1/ledger").set(...bearer(sys.w.tier1)).expect(200)).body.paused).to.equal(false);
      await supplier.page.reload();
      await supplier.page.getByRole("textbox", { name: "金额", exact: true }).fill("100.00");
      await supplier.page.getByRole("button", { name: "拆分并自留" }).click();
      await supplier.page.getByRole("status", { name: "交易已索引" }).waitFor({ timeout: TX_TIMEOUT });
      expect(await supplier.page.getByRole("alert").filter({ hasText: "平台运营方已暂停账本" }).count()).to.equal(0);
      expect(operator.errors).to.deep.equal([]);
      expect(supplier.errors.filter((e) => !/status of 409/.test(e))).to.deep.equal([]);
    } finally {
      await operator.context.close();
      await supplier.context.close();
    }
  });

  it("gives the screen to the operator only: a supplier and the auditor see not found, and the API refuses them", async function () {
    for (const who of [DEMO_NAMES.tier1, "Auditor"]) {
      const { page, context } = await sys.context("en");
      try {
        await signInAsDemo(page, who);
        await page.goto("/ledger");
        await page.getByRole("heading", { name: "Not found" }).waitFor();
        expect(await page.getByRole("button", { name: "Pause the ledger" }).count()).to.equal(0);
      } finally {
        await context.close();
      }
    }
    await request(sys.w.h.app).post("/v1/ledger/pause").set(...bearer(sys.w.tier1)).set("Idempotency-Key", "supplier-pauses").expect(403);
  });
});
