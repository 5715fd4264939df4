/**
 * Wallet sign-in in Chromium: a real EIP-1193 provider is injected into the page (`window.ethereum`,
 * answering through a binding that signs with a test key in Node — no mocked API), the page has it sign
 * a Sign-In with Ethereum message, and the API opens the same httpOnly cookie session as for an API key.
 * A wallet whose account is not a registered organisation is refused with the API's code.
 */
import { expect } from "chai";
import { getBytes, Wallet, type HDNodeWallet, type TypedDataDomain, type TypedDataField } from "ethers";
import request from "supertest";
import type { BrowserContext } from "playwright-core";
import { hardhatDevKeyOf } from "../../server/signing/devKeys";
import { ethers } from "hardhat";
import { bearer, chainNow, confirmedReceivable, DAY, registerInvoice, UNIT } from "../server/api/world";
import { browserAvailable, expectAccessible, startWebSystem, type WebSystem } from "./browser";

/**
 * Injects an EIP-1193 provider backed by `account.wallet` (chain 31337) into every page of the context;
 * returns what it was asked. The test may switch `account.wallet`, as a user switches accounts in a wallet.
 */
async function injectWallet(context: BrowserContext, account: { wallet: Wallet | HDNodeWallet }): Promise<string[]> {
  const asked: string[] = [];
  await context.exposeBinding("__ledgerlineWallet", async (_source, method: string, params: unknown[]) => {
    asked.push(method);
    const { wallet } = account;
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [wallet.address];
      case "eth_chainId":
        return "0x7a69";
      case "net_version":
        return "31337";
      case "personal_sign":
        return wallet.signMessage(getBytes(params[0] as string));
      case "eth_signTypedData_v4": {
        // [account, JSON typed data], as MetaMask takes it; ethers derives EIP712Domain itself.
        if (String(params[0]).toLowerCase() !== wallet.address.toLowerCase()) throw new Error("asked to sign for another account");
        const typed = JSON.parse(params[1] as string) as { domain: TypedDataDomain; types: Record<string, TypedDataField[]>; message: Record<string, unknown> };
        const { EIP712Domain: _domain, ...types } = typed.types;
        return wallet.signTypedData(typed.domain, types, typed.message);
      }
      default:
        throw new Error(`the test wallet does not answer ${method}`);
    }
  });
  await context.addInitScript(() => {
    // Runs in the page: globalThis is its window.
    const page = globalThis as unknown as { __ledgerlineWallet: (m: string, p: unknown[]) => Promise<unknown>; ethereum: unknown };
    const bridge = page.__ledgerlineWallet;
    page.ethereum = {
      request: ({ method, params }: { method: string; params?: unknown[] }) => bridge(method, params ?? []),
      on: () => undefined,
      removeListener: () => undefined,
    };
  });
  return asked;
}

describe("web app in Chromium: sign-in with the organisation's own wallet (SIWE)", function () {
  let sys: WebSystem;

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem();
  });

  after(async function () {
    await sys?.close();
  });

  it("a core enterprise that keeps its own key signs in with its wallet; the session is the httpOnly cookie", async function () {
    const { context, page, errors } = await sys.context("en");
    try {
      const asked = await injectWallet(context, { wallet: new Wallet(hardhatDevKeyOf(sys.w.selfCore.address) as string) });
      await page.goto("/");
      await expectAccessible(page, "sign-in with a wallet (en)");
      await page.getByRole("button", { name: "Sign in with wallet" }).click();
      await page.getByText("Core enterprise", { exact: true }).waitFor();
      await page.getByTestId("organisation-name").filter({ hasText: sys.w.selfCore.address.slice(0, 6) }).waitFor();
      expect(asked).to.include("personal_sign");
      expect(await page.evaluate("document.cookie")).to.equal("");
      const cookie = (await context.cookies()).find((c) => c.name === "ll_session");
      expect(cookie).to.include({ httpOnly: true, sameSite: "Strict" });
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("a core enterprise that keeps its own key confirms an invoice by its wallet's EIP-712 signature; another account in the wallet is refused before anything is sent", async function () {
    const invoiceHash = await registerInvoice(sys.w, { supplier: sys.w.tier2, debtor: sys.w.selfCore, amount: 12_000n * UNIT });
    const { context, page, errors } = await sys.context("en");
    try {
      const account = { wallet: new Wallet(hardhatDevKeyOf(sys.w.selfCore.address) as string) as Wallet | HDNodeWallet };
      const asked = await injectWallet(context, account);
      await page.goto("/");
      await page.getByRole("button", { name: "Sign in with wallet" }).click();
      await page.getByText("Core enterprise", { exact: true }).waitFor();
      await page.goto("/invoices");
      const card = page.getByRole("article").filter({ hasText: invoiceHash });
      const confirm = card.getByRole("button", { name: /^Sign in your wallet to confirm invoice / });
      await confirm.waitFor();
      await expectAccessible(page, "invoices to confirm with a wallet (en)");

      // The user switched the wallet to another account: refused in the page, nothing signed or sent.
      account.wallet = Wallet.createRandom();
      await confirm.click();
      await card.getByText("Error code: WalletAccountMismatch").waitFor();
      expect(asked).to.not.include("eth_signTypedData_v4");
      expect((await request(sys.w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(sys.w.selfCore)).expect(200)).body.status).to.equal("REGISTERED");

      // Back on the organisation's account: the wallet signs the typed data, the API relays it, the chain confirms.
      account.wallet = new Wallet(hardhatDevKeyOf(sys.w.selfCore.address) as string);
      await confirm.click();
      // Confirmed and indexed, it leaves the list of invoices waiting for confirmation.
      await card.waitFor({ state: "detached", timeout: 30_000 });
      expect(asked).to.include("eth_signTypedData_v4");
      const invoice = (await request(sys.w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(sys.w.selfCore)).expect(200)).body;
      expect(invoice.status).to.equal("CONFIRMED");
      const root = (await request(sys.w.h.app).get(`/v1/receivables/${invoice.rootId as string}`).set(...bearer(sys.w.tier2)).expect(200)).body;
      expect(root).to.include({ holder: sys.w.tier2.address, issuer: sys.w.selfCore.address, amount: (12_000n * UNIT).toString() });
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("a financier that keeps its own key signs its quote in its wallet; the quote anchors the due-diligence record with the rationale typed", async function () {
    const { w } = sys;
    const own = Wallet.createRandom().connect(ethers.provider);
    const op = (path: string, body: Record<string, unknown>) =>
      request(w.h.app).post(path).set(...bearer(w.operator)).set("Idempotency-Key", `wq-${path.replace(/\W/g, "")}-${own.address}`).send(body).expect(201);
    await op("/v1/organisations", { address: own.address, role: "FINANCIER", kycHash: ethers.id("kyc:wallet bank") });
    await op("/v1/faucet", { to: own.address, amount: (20_000n * UNIT).toString() });
    await (await w.outsider.sendTransaction({ to: own.address, value: ethers.parseEther("1") })).wait();
    // A financier keeping its own key approves its advances and sets its limit on the obligor itself.
    await (await w.cash.connect(own).approve(w.addresses.financing, 20_000n * UNIT)).wait();
    const settlement = await ethers.getContractAt("FinancingSettlement", w.addresses.financing);
    await (await settlement.connect(own).setExposureLimit(w.core.address, 20_000n * UNIT)).wait();
    const receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount: 10_000n * UNIT, maturityInDays: 90 });
    const opened = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(w.tier1))
      .send({ receivableId, amount: (10_000n * UNIT).toString(), mode: "PURCHASE", deadline: (await chainNow()) + 2 * DAY })
      .expect(201);

    const { context, page, errors } = await sys.context("en");
    try {
      const asked = await injectWallet(context, { wallet: own });
      await page.goto("/");
      await page.getByRole("button", { name: "Sign in with wallet" }).click();
      await page.getByText("Financier", { exact: true }).waitFor();
      await page.goto("/market");
      const card = page.getByRole("article").filter({ has: page.locator(`#market-${opened.body.id}`) });
      await card.getByRole("textbox", { name: "Advance" }).fill("9800");
      await card.getByRole("textbox", { name: "Rationale" }).fill("obligor rated AA; invoice checked against the purchase order");
      await expectAccessible(page, "market with a wallet-signed quote (en)");
      await card.getByRole("button", { name: "Sign the quote in your wallet and send it" }).click();
      await card.getByText(/Quote sent: /).waitFor();
      expect(asked).to.include("eth_signTypedData_v4");

      const mine = await request(w.h.app).get(`/v1/financing-requests/${opened.body.id}/quotes`).set(...bearer(w.tier1)).expect(200);
      const placed = mine.body.items.find((q: { financier: string }) => q.financier === own.address.toLowerCase());
      expect(placed).to.include({ advance: (9_800n * UNIT).toString(), status: "OPEN" });
      const evidence = await request(w.h.app).get(`/v1/quotes/${placed.id}/evidence`).set(...bearer(w.auditor)).expect(200);
      expect(evidence.body.record.notes).to.equal("obligor rated AA; invoice checked against the purchase order");
      expect(evidence.body.checks).to.deep.equal({ recordMatchesHash: true, quoteSignsHash: true, anchoredOnChain: null });
      // The holder can execute it: the wallet's signature is the financier's.
      const accepted = await request(w.h.app).post(`/v1/quotes/${placed.id}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", `wq-accept-${placed.id}`);
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      expect(errors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("refuses a wallet whose account is not a registered organisation, with the API's code, in Chinese", async function () {
    const { context, page, errors } = await sys.context("zh-CN");
    try {
      await injectWallet(context, { wallet: Wallet.createRandom() });
      await page.goto("/");
      await page.getByRole("button", { name: "使用钱包登录" }).click();
      await page.getByText("错误代码：SiweUnknownOrganisation").waitFor();
      await page.getByText("该钱包账户不是已登记的机构。").waitFor();
      expect((await context.cookies()).some((c) => c.name === "ll_session")).to.equal(false);
      expect(errors.filter((e) => !/status of 401/.test(e))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
