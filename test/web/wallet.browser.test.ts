/**
 * Wallet sign-in in Chromium: a real EIP-1193 provider is injected into the page (`window.ethereum`,
 * answering through a binding that signs with a test key in Node — no mocked API), the page has it sign
 * a Sign-In with Ethereum message, and the API opens the same httpOnly cookie session as for an API key.
 * A wallet whose account is not a registered organisation is refused with the API's code.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import type { BrowserContext } from "playwright-core";
import { hardhatDevKeyOf } from "../../server/signing/devKeys";
import { browserAvailable, expectAccessible, startWebSystem, type WebSystem } from "./browser";

/** Injects an EIP-1193 provider backed by `wallet` (chain 31337) into every page of the context; returns what it was asked. */
async function injectWallet(context: BrowserContext, wallet: Pick<Wallet, "address" | "signMessage">): Promise<string[]> {
  const asked: string[] = [];
  await context.exposeBinding("__ledgerlineWallet", async (_source, method: string, params: unknown[]) => {
    asked.push(method);
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
      const asked = await injectWallet(context, new Wallet(hardhatDevKeyOf(sys.w.selfCore.address) as string));
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

  it("refuses a wallet whose account is not a registered organisation, with the API's code, in Chinese", async function () {
    const { context, page, errors } = await sys.context("zh-CN");
    try {
      await injectWallet(context, Wallet.createRandom());
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
