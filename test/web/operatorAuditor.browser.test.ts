/**
 * The operator's and the auditor's screens in Chromium: the operator registers an organisation (field
 * errors first), suspends and reactivates it, sets a core enterprise's issuance limit and resolves a
 * dispute; the auditor finds a tree by its invoice hash and a core enterprise by its address, and saves
 * an audit export. Other roles do not reach these screens by URL.
 */
import fs from "node:fs";
import { expect } from "chai";
import { Wallet, hexlify, randomBytes } from "ethers";
import request from "supertest";
import { bearer, confirmedReceivable, registerInvoice, UNIT } from "../server/api/world";
import { browserAvailable, DEMO_NAMES, expectAccessible, screenshot, signInAsDemo, startWebSystem, type WebSystem } from "./browser";

const TX_TIMEOUT = 45_000;

describe("web app in Chromium: operator and auditor screens", function () {
  let sys: WebSystem;
  let rootId: string;
  let invoiceHash: string;

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
    invoiceHash = await registerInvoice(sys.w, { supplier: sys.w.tier1, amount: 700n * UNIT });
    rootId = (
      await request(sys.w.h.app)
        .post(`/v1/invoices/${invoiceHash}/confirm`)
        .set(...bearer(sys.w.core))
        .set("Idempotency-Key", `confirm-${invoiceHash.slice(2, 20)}`)
        .send({})
        .expect(201)
    ).body.rootId as string;
  });

  after(async function () {
    await sys?.close();
  });

  it("the operator registers an organisation (field errors before sending), suspends and reactivates it, and sets an issuance limit", async function () {
    const { page, errors, context } = await sys.context("en");
    try {
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "POST" && new URL(r.url()).pathname === "/v1/organisations") sent.push(r.url());
      });
      await signInAsDemo(page, "Platform operator");
      await page.getByRole("link", { name: "Organisations" }).click();
      await page.getByRole("heading", { name: "Ledger parameters" }).waitFor();
      await page.getByText("Maximum lineage depth").waitFor();
      await expectAccessible(page, "organisations (en, operator)");

      await page.getByRole("textbox", { name: "Address" }).fill("0x1234");
      await page.getByRole("textbox", { name: "KYC record hash" }).fill("not-a-hash");
      await page.getByRole("button", { name: "Register", exact: true }).click();
      await page.getByText("Enter an address: 0x and 40 hexadecimal digits").waitFor();
      await page.getByText("Enter a hash: 0x and 64 hexadecimal digits").waitFor();
      expect(sent).to.deep.equal([]);

      const address = Wallet.createRandom().address.toLowerCase();
      await page.getByRole("textbox", { name: "Address" }).fill(address);
      await page.getByRole("combobox", { name: "Role" }).selectOption("SUPPLIER");
      await page.getByRole("textbox", { name: "KYC record hash" }).fill(hexlify(randomBytes(32)));
      await page.getByRole("button", { name: "Register", exact: true }).click();
      await page.getByRole("status", { name: "Transaction indexed" }).first().waitFor({ timeout: TX_TIMEOUT });
      expect(sent.length).to.equal(1);
      const registered = (await request(sys.w.h.app).get(`/v1/organisations/${address}`).set(...bearer(sys.w.operator)).expect(200)).body;
      expect(registered).to.include({ role: "SUPPLIER", active: true });

      // Its row: suspend, then reactivate.
      const row = page.getByRole("row").filter({ hasText: address });
      await row.getByRole("button", { name: /^Suspend / }).click();
      await row.getByText("Suspended", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      expect((await request(sys.w.h.app).get(`/v1/organisations/${address}`).set(...bearer(sys.w.operator)).expect(200)).body.active).to.equal(false);
      await row.getByRole("button", { name: /^Reactivate / }).click();
      await row.getByText("Active", { exact: true }).waitFor({ timeout: TX_TIMEOUT });
      expect((await request(sys.w.h.app).get(`/v1/organisations/${address}`).set(...bearer(sys.w.operator)).expect(200)).body.active).to.equal(true);

      // The core enterprise's issuance limit.
      const limitBox = page.getByRole("textbox", { name: `New issuance limit for ${DEMO_NAMES.core}` });
      await limitBox.fill("1.234");
      await page.getByRole("button", { name: `Set limit for ${DEMO_NAMES.core}` }).click();
      await page.getByText("Enter a number with at most 2 decimals").waitFor();
      await limitBox.fill("5,000,000.00");
      await page.getByRole("button", { name: `Set limit for ${DEMO_NAMES.core}` }).click();
      await page.getByRole("row").filter({ hasText: sys.w.core.address }).getByText(/Issued \/ limit: .* \/ 5,000,000\.00 /).waitFor({ timeout: TX_TIMEOUT });
      const limit = (await request(sys.w.h.app).get(`/v1/issuance-limits/${sys.w.core.address}`).set(...bearer(sys.w.operator)).expect(200)).body;
      expect(limit.limit).to.equal((5_000_000n * UNIT).toString());
      await page.getByRole("heading", { name: "Organisations", exact: true }).scrollIntoViewIfNeeded();
      await screenshot(page, "operator-organisations-en");
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("the operator upholds a core enterprise's dispute and then releases it; the tree is frozen, then moves again", async function () {
    const evidenceHash = hexlify(randomBytes(32));
    await request(sys.w.h.app).post("/v1/disputes").set(...bearer(sys.w.core)).set("Idempotency-Key", `dispute-${rootId}`).send({ rootId, evidenceHash }).expect(201);
    const { page, errors, context } = await sys.context("zh-CN");
    try {
      await signInAsDemo(page, "Platform operator");
      await page.getByRole("link", { name: "争议" }).click();
      const row = page.getByRole("row").filter({ hasText: evidenceHash });
      await row.getByText("未决（整树冻结）").waitFor();
      await expectAccessible(page, "disputes (zh-CN, operator)");
      await row.getByRole("button", { name: `认定 ${rootId} 的争议成立` }).click();
      await row.getByText("成立（整树冻结）").waitFor({ timeout: TX_TIMEOUT });
      expect((await request(sys.w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(sys.w.tier1)).expect(200)).body.frozen).to.equal(true);
      await row.getByRole("button", { name: `解除 ${rootId} 的争议` }).click();
      await row.getByText("已解除").waitFor({ timeout: TX_TIMEOUT });
      expect((await request(sys.w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(sys.w.tier1)).expect(200)).body.frozen).to.equal(false);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("the auditor finds a tree by its invoice hash and a core enterprise by its address, and saves an audit export", async function () {
    const { page, errors, context } = await sys.context("zh-CN");
    try {
      await signInAsDemo(page, "Auditor");
      await page.getByRole("link", { name: "审计" }).click();
      const box = page.getByRole("textbox", { name: "应收账款编号、发票哈希或机构地址" });
      await box.fill("not an id");
      await page.getByRole("button", { name: "查找" }).click();
      await page.getByText(/^请输入应收账款编号/).waitFor();
      await expectAccessible(page, "audit (zh-CN)");

      await box.fill(invoiceHash);
      await page.getByRole("button", { name: "查找" }).click();
      await page.getByText("该发票已确权。").waitFor();
      await page.getByRole("link", { name: `打开其流转树（根 ${rootId}）` }).click();
      await page.getByRole("heading", { name: `应收账款 ${rootId}` }).waitFor();
      await page.getByRole("region", { name: /^流转图谱：/ }).waitFor();

      await page.getByRole("link", { name: "审计" }).click();
      await box.fill(sys.w.core.address);
      await page.getByRole("button", { name: "查找" }).click();
      await page.getByText(`${DEMO_NAMES.core}：核心企业，正常。`).waitFor();
      await page.getByRole("table", { name: "该核心企业所欠的应收账款（前 50 笔）" }).getByRole("link", { name: rootId, exact: true }).waitFor();
      await screenshot(page, "auditor-desk-zh-CN");

      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "导出" }).click()]);
      const csv = fs.readFileSync(await download.path(), "utf8");
      expect(download.suggestedFilename()).to.match(/^ledgerline-receivables-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      expect(csv.split("\n")[0]).to.match(/invoice/i);
      expect(csv).to.include(rootId);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("a supplier does not reach the operator's or the auditor's screens by URL: it sees not found", async function () {
    const { page, errors, context } = await sys.context("en");
    try {
      await signInAsDemo(page, DEMO_NAMES.tier1);
      for (const path of ["/organisations", "/disputes", "/audit", "/market", "/payables"]) {
        await page.goto(path);
        await page.getByRole("heading", { name: "Not found" }).waitFor();
        expect(await page.getByRole("button", { name: "Register", exact: true }).count(), path).to.equal(0);
      }
      // The API agrees: the operator's write is refused to a supplier.
      await request(sys.w.h.app).post("/v1/organisations").set(...bearer(sys.w.tier1)).set("Idempotency-Key", "supplier-registers").send({}).expect(403);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("gives the auditor's and the operator's screens to them only: a financier sees not found for the audit desk", async function () {
    const tree = await confirmedReceivable(sys.w, { supplier: sys.w.tier2, amount: 50n * UNIT });
    const { page, context } = await sys.context("en");
    try {
      await signInAsDemo(page, DEMO_NAMES.bankA);
      await page.goto("/audit");
      await page.getByRole("heading", { name: "Not found" }).waitFor();
      // Nor the tree of a receivable it has no business with.
      await page.goto(`/receivables/${tree}`);
      await page.getByRole("heading", { name: "Not found" }).waitFor();
    } finally {
      await context.close();
    }
  });
});
