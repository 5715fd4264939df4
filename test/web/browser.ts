/**
 * The browser side of the web tests: Debian's Chromium driven by playwright-core (Playwright's own
 * browser download cannot work offline), the web app built by Vite, and the real system behind it (the
 * in-process chain with the contracts and the demo world, the real indexer, the API on SQLite) listening
 * on a free port. Each role gets its own browser context (its own cookies).
 *
 * No Chromium: with REQUIRE_BROWSER=1 (CI) the suite fails with the install command; otherwise it says
 * so loudly and does not run.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect } from "chai";
import { ethers } from "hardhat";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { createWorld, type World } from "../server/api/world";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk";
export const WEB_DIST = path.join(__dirname, "..", "..", "web", "dist");

/** Whether Chromium is there; throws (CI) or warns loudly (locally) when it is not. */
export function browserAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  const message = `Chromium is not installed at ${CHROMIUM}: the browser tests cannot run. Install it with:\n    ${INSTALL_COMMAND}`;
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(`${message}\n(REQUIRE_BROWSER=1: the browser suite is required here)`);
  console.warn(`\n${"!".repeat(100)}\n!! ${message.replace(/\n/g, "\n!! ")}\n!! The browser suite did NOT run. CI sets REQUIRE_BROWSER=1 and fails on this.\n${"!".repeat(100)}\n`);
  return false;
}

let built = false;
/** Builds the web app once per test run (Vite takes a few seconds). */
export function buildWebApp(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(path.dirname(require.resolve("vite/package.json")), "bin", "vite.js"), "build", "web", "--logLevel", "error"], {
    cwd: path.join(__dirname, "..", ".."),
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" },
  });
  built = true;
}

export const DEMO_NAMES = {
  core: "Shenzhen Core Manufacturing",
  tier1: "Tier-1 Components Ltd",
  tier2: "Tier-2 Metals Ltd",
  tier3: "Tier-3 Castings Ltd",
  bankA: "Bank A",
  bankB: "Bank B",
} as const;

export interface WebSystem {
  w: World;
  url: string;
  browser: Browser;
  /** A fresh browser context (its own cookies) in a language, with console errors collected. */
  context(language: "en" | "zh-CN"): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** `env`: the API's environment (e.g. API_WEBHOOK_ALLOW_LOOPBACK for a test's own webhook receiver). */
export async function startWebSystem(options: { env?: Record<string, string> } = {}): Promise<WebSystem> {
  buildWebApp();
  // createWorld gives the accounts these roles, in this order (account 0 is the operator).
  const [, core, tier1, tier2, tier3, bankA, bankB] = await ethers.getSigners();
  const subjects = { core, tier1, tier2, tier3, bankA, bankB };
  const w = await createWorld({
    ...(options.env === undefined ? {} : { env: options.env }),
    app: {
      webDir: WEB_DIST,
      demo: {
        organisations: [
          ...Object.entries(DEMO_NAMES).map(([role, name]) => ({ name, subject: subjects[role as keyof typeof subjects]!.address })),
          { name: "Platform operator", subject: "OPERATOR" },
          { name: "Auditor", subject: "AUDITOR" },
        ],
      },
    },
  });
  const server = http.createServer(w.h.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  const contexts: BrowserContext[] = [];
  return {
    w,
    url,
    browser,
    async context(language) {
      const context = await browser.newContext({ baseURL: url, locale: language, timezoneId: "Asia/Shanghai", viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const errors: string[] = [];
      page.on("console", (msg) => {
        // A 401 before signing in and a 404 for what is not visible are answers the app expects and shows.
        if (msg.type() === "error" && !/^Failed to load resource: the server responded with a status of (401|404)/.test(msg.text())) errors.push(msg.text());
      });
      page.on("pageerror", (err) => errors.push(err.message));
      return { context, page, errors };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await w.close();
    },
  };
}

/** Signs in through the demo picker as the named organisation and waits for the shell. */
export async function signInAsDemo(page: Page, name: string): Promise<void> {
  await page.goto("/");
  await page.getByRole("button", { name: new RegExp(name) }).click();
  await page.getByTestId("organisation-name").filter({ hasText: name }).waitFor();
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`),
    `accessibility of ${where}`,
  ).to.deep.equal([]);
}

/** Presses Tab until `target` has the focus (at most `limit` times); true when it got there. */
export async function tabTo(page: Page, target: Locator, limit = 80): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return true;
    await page.keyboard.press("Tab");
  }
  return false;
}

/**
 * Saves a screenshot of the page for the README when WEB_SCREENSHOTS names a folder
 * (`npm run web:screenshots` writes docs/screenshots/); otherwise does nothing.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.WEB_SCREENSHOTS;
  if (dir === undefined || dir === "") return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: false });
}
