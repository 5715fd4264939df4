/**
 * Maker-checker in Chromium (issue 12 item 2): a checker signs in with its own key, finds what a maker
 * prepared on the approvals page with the request it will send, approves it (the invoice is confirmed
 * on chain) or rejects another with a reason; an admin (in Chinese) adds a user with duties and sets a
 * threshold; a maker sees neither the users page in its navigation nor by URL. axe on every page.
 */
import { expect } from "chai";
import request from "supertest";
import { bearer, registerInvoice, UNIT, type Actor } from "../server/api/world";
import { browserAvailable, expectAccessible, startWebSystem, type WebSystem } from "./browser";

const TX_TIMEOUT = 45_000;

describe("web app in Chromium: approvals and users (maker-checker)", function () {
  let sys: WebSystem;
  let maker: { id: string; auth: string };
  let checker: { id: string; auth: string };
  let seq = 0;

  async function user(org: Actor, name: string, duties: string[]) {
    const app = request(sys.w.h.app);
    const created = await app.post("/v1/users").set(...bearer(org)).send({ name, duties }).expect(201);
    const key = await request(sys.w.h.app).post(`/v1/users/${created.body.id}/api-keys`).set(...bearer(org)).send({ label: name }).expect(201);
    return { id: created.body.id as string, auth: key.body.apiKey as string };
  }

  async function prepareConfirmation(amount: bigint): Promise<{ id: string; invoiceHash: string }> {
    const invoiceHash = await registerInvoice(sys.w, { amount });
    const res = await request(sys.w.h.app)
      .post("/v1/prepared-actions")
      .set(...bearer(maker))
      .set("Idempotency-Key", `web-mc-${Date.now()}-${++seq}`)
      .send({ action: "invoice.confirm", params: { invoiceHash }, body: {} })
      .expect(201);
    return { id: res.body.id as string, invoiceHash };
  }

  async function signInWithKey(page: import("playwright-core").Page, key: string, label: string) {
    await page.goto("/");
    await page.getByRole("textbox", { name: label }).fill(key);
    await page.getByRole("button", { name: label === "API key" ? "Sign in" : "登录", exact: true }).click();
    await page.getByTestId("organisation-name").waitFor();
  }

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
    maker = await user(sys.w.core, "Core maker", ["maker", "viewer"]);
    checker = await user(sys.w.core, "Core checker", ["checker", "viewer"]);
  });

  after(async function () {
    await sys?.close();
  });

  it("lets a checker approve what a maker prepared, and reject another with a reason", async function () {
    const first = await prepareConfirmation(5_000n * UNIT);
    const second = await prepareConfirmation(7_000n * UNIT);
    const { page, errors, context } = await sys.context("en");
    try {
      await signInWithKey(page, checker.auth, "API key");
      await page.getByTestId("user-name").filter({ hasText: "Core checker" }).waitFor();
      // Its to-do list says what waits for it.
      await page.getByRole("link", { name: "2 prepared actions waiting for your approval" }).waitFor();
      // A checker does not manage users: the page is not in its navigation.
      expect(await page.getByRole("link", { name: "Users and thresholds" }).count()).to.equal(0);
      await page.getByRole("link", { name: "Approvals", exact: true }).click();
      const pending = page.getByRole("region", { name: "Waiting for approval" });
      const row = pending.getByRole("row").filter({ hasText: "5,000.00" });
      await row.getByText("Core maker").waitFor();
      await row.getByText(first.invoiceHash).waitFor();
      await expectAccessible(page, "approvals (en, checker)");

      await row.getByRole("button", { name: "Approve Confirm an invoice prepared by Core maker" }).click();
      const recent = page.getByRole("region", { name: "Decided and expired" });
      await recent.getByRole("row").filter({ hasText: "5,000.00" }).getByText("Sent", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      const invoice = await request(sys.w.h.app).get(`/v1/invoices/${first.invoiceHash}`).set(...bearer(sys.w.core)).expect(200);
      expect(invoice.body.status).to.equal("CONFIRMED");
      const action = await request(sys.w.h.app).get(`/v1/prepared-actions/${first.id}`).set(...bearer(checker)).expect(200);
      expect(action.body).to.deep.include({ status: "EXECUTED", approvedBy: { id: checker.id, name: "Core checker" } });

      const other = pending.getByRole("row").filter({ hasText: "7,000.00" });
      await other.getByRole("button", { name: "Reject Confirm an invoice prepared by Core maker" }).click();
      await other.getByRole("button", { name: "Confirm rejection" }).click();
      await other.getByText("Give a reason").waitFor();
      await other.getByRole("textbox", { name: "Reason for rejecting" }).fill("No delivery note on file");
      await other.getByRole("button", { name: "Confirm rejection" }).click();
      const rejected = recent.getByRole("row").filter({ hasText: "7,000.00" });
      await rejected.getByText("Rejected", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      await rejected.getByText("Reason: No delivery note on file").waitFor();
      await pending.getByText("Nothing is waiting for approval.").waitFor();
      const invoice2 = await request(sys.w.h.app).get(`/v1/invoices/${second.invoiceHash}`).set(...bearer(sys.w.core)).expect(200);
      expect(invoice2.body.status).to.equal("REGISTERED");
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("shows a maker its own prepared action without an approve button, and no users page", async function () {
    await prepareConfirmation(3_000n * UNIT);
    const { page, errors, context } = await sys.context("en");
    try {
      await signInWithKey(page, maker.auth, "API key");
      await page.getByRole("link", { name: "Approvals", exact: true }).click();
      const row = page.getByRole("region", { name: "Waiting for approval" }).getByRole("row").filter({ hasText: "3,000.00" });
      await row.getByText("Prepared by you: another checker approves it.").waitFor();
      expect(await row.getByRole("button", { name: /^Approve/ }).count()).to.equal(0);
      await row.getByRole("button", { name: "Withdraw Confirm an invoice" }).waitFor();
      expect(await page.getByRole("link", { name: "Users and thresholds" }).count()).to.equal(0);
      await page.goto("/users");
      await page.getByRole("heading", { name: "Not found" }).waitFor();
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("lets an admin (in Chinese) add a user with duties and set a threshold", async function () {
    const { page, errors, context } = await sys.context("zh-CN");
    try {
      await signInWithKey(page, sys.w.core.auth, "API 密钥");
      await page.getByRole("link", { name: "用户与阈值", exact: true }).click();
      await page.getByRole("heading", { name: "用户与审批阈值" }).waitFor();
      const users = page.getByRole("region", { name: "用户" });
      await users.getByRole("row").filter({ hasText: "Core checker" }).waitFor();
      await expectAccessible(page, "users (zh-CN, admin)");

      // Nothing is sent without a name.
      await users.getByRole("button", { name: "添加用户" }).click();
      await users.getByText("请输入姓名").waitFor();
      await users.getByRole("textbox", { name: "姓名" }).fill("复核员乙");
      await users.getByRole("checkbox", { name: /^复核人/ }).last().check();
      await users.getByRole("button", { name: "添加用户" }).click();
      await users.getByRole("row").filter({ hasText: "复核员乙" }).waitFor();
      const listed = await request(sys.w.h.app).get("/v1/users").set(...bearer(sys.w.core)).expect(200);
      expect(listed.body.items.find((u: { name: string }) => u.name === "复核员乙")?.duties).to.deep.equal(["checker", "viewer"]);

      const thresholds = page.getByRole("region", { name: "审批阈值" });
      await thresholds.getByText("未设阈值：经办人可单独发送一切操作。").waitFor();
      await thresholds.getByRole("textbox", { name: "阈值" }).fill("1.234");
      await thresholds.getByRole("button", { name: "设置阈值" }).click();
      await thresholds.getByText("请输入最多 2 位小数的金额").waitFor();
      await thresholds.getByRole("textbox", { name: "阈值" }).fill("1000");
      await thresholds.getByRole("button", { name: "设置阈值" }).click();
      await thresholds.getByRole("row").filter({ hasText: "确权" }).getByText("1,000.00").waitFor({ timeout: TX_TIMEOUT });
      const set = await request(sys.w.h.app).get("/v1/thresholds").set(...bearer(sys.w.core)).expect(200);
      expect(set.body.thresholds).to.deep.equal([{ action: "CONFIRMATION", currency: sys.w.currency, amount: (1_000n * UNIT).toString() }]);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
