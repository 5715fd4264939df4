/**
 * Issue 9's "done when": after `npm start` (the real start script, its own chain, indexer and API), the
 * whole story plays through the API alone, with the keys it prints, and not one request answers 5xx —
 * including what used to collide (one organisation writing twice at once, approve + deposit in one
 * request, a quote revision). Maturity is two minutes out, so redemption waits for the wall clock: the
 * start script aligns the chain's clock with it.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../scripts/lib/localNode";

const ROOT = path.join(__dirname, "..", "..");
const MATURITY_AHEAD_S = 120;

interface Login {
  name: string;
  subject: string;
  apiKey: string;
  /** An organisation user's duties (none for the operator and the auditor). */
  duties: string[];
}

/** Starts `scripts/start.ts` as `npm start` does (contracts are already compiled by the test run). */
function startSystem(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; running: Promise<{ url: string; logins: Login[] }> } {
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "ts-node"), ["--transpile-only", "scripts/start.ts"], {
    cwd: ROOT,
    env,
    detached: true, // its own process group: the node and everything it starts stop together
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const running = new Promise<{ url: string; logins: Login[] }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}) before it was running:\n${out}`)));
    const timer = setInterval(() => {
      if (!out.includes("✔ running:")) return;
      clearInterval(timer);
      const url = /API: (http:\/\/\S+)\/v1 /.exec(out)?.[1];
      const logins = [...out.matchAll(/^\s+(.+?)\s{2,}(\S+)\s{2}\((0x[0-9a-f]{40}|OPERATOR|AUDITOR)(?:; ([a-z, ]+))?\)$/gm)].map((m) => ({
        name: (m[1] as string).trim(),
        apiKey: m[2] as string,
        subject: m[3] as string,
        duties: m[4] === undefined ? [] : m[4].split(", "),
      }));
      if (url === undefined) reject(new Error(`no API address in the output:\n${out}`));
      else resolve({ url, logins });
    }, 200);
  });
  return { child, output: () => out, running };
}

describe("npm start, then the whole story through the API alone", function () {
  this.timeout(900_000);
  let system: ReturnType<typeof startSystem> | undefined;
  let dataDir: string;
  let api: string;
  let logins: Login[];
  const statuses: { what: string; status: number }[] = [];
  let n = 0;
  const runId = Date.now().toString(36);

  before(async function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-npm-start-"));
    system = startSystem({
      ...process.env,
      CHAIN_PORT: String(await freePort()),
      API_PORT: String(await freePort()),
      DATABASE_URL: `file:${path.join(dataDir, "ledgerline.db")}`,
      API_LOG_LEVEL: "warn",
    });
    ({ url: api, logins } = await system.running);
  });

  after(async function () {
    const child = system?.child;
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGINT");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(key: string, method: string, route: string, body?: object) {
    const res = await fetch(`${api}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(method === "GET" ? {} : { "idempotency-key": `e2e-${runId}-${++n}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    statuses.push({ what: `${method} ${route}`, status: res.status });
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
  }
  async function ok(key: string, method: string, route: string, body?: object) {
    const res = await call(key, method, route, body);
    expect(res.status, `${method} ${route}: ${JSON.stringify(res.body)}`).to.be.within(200, 299);
    return res.body;
  }

  it("prints an admin, a maker and a checker per organisation, the operator and the auditor", function () {
    expect(logins.map((l) => l.subject)).to.include.members(["OPERATOR", "AUDITOR"]);
    const users = logins.filter((l) => l.subject.startsWith("0x"));
    expect(new Set(users.map((l) => l.subject)).size).to.equal(6);
    for (const duty of ["admin", "maker", "checker"]) expect(users.filter((l) => l.duties.includes(duty))).to.have.length(6);
  });

  it("plays confirm → transfers to tier 3 → two quick splits → financing with a revised quote → deposit → redemption, with no 5xx", async function () {
    // The printed order: core enterprise, suppliers of tiers 1-3, banks A and B; each organisation's maker sends.
    const orgs = logins.filter((l) => l.subject.startsWith("0x") && l.duties.includes("maker"));
    const [core, tier1, tier2, tier3, bankA, bankB] = orgs.map((l) => ({ key: l.apiKey, address: l.subject })) as { key: string; address: string }[] as [
      { key: string; address: string },
      { key: string; address: string },
      { key: string; address: string },
      { key: string; address: string },
      { key: string; address: string },
      { key: string; address: string },
    ];
    expect((await ok(core.key, "GET", `/v1/organisations/${core.address}`)).role).to.equal("CORE_ENTERPRISE");

    const currencies = await ok(core.key, "GET", "/v1/currencies");
    const currency = currencies.items[0].address as string;
    const unit = 10n ** BigInt(currencies.items[0].decimals);
    const money = (x: bigint) => (x * unit).toString();
    const chain = await ok(core.key, "GET", "/v1/chain");
    // The chain's clock agrees with the wall clock after npm start (issue 9 item 5).
    expect(Math.abs(chain.headTimestamp - Math.floor(Date.now() / 1000))).to.be.below(60);
    const maturity = Math.floor(Date.now() / 1000) + MATURITY_AHEAD_S;

    const { invoiceHash } = await ok(tier1.key, "POST", "/v1/invoices", {
      debtor: core.address,
      currency,
      amount: money(1_000_000n),
      maturity,
      invoiceNumber: `E2E-${Date.now()}`,
    });
    const { rootId } = await ok(core.key, "POST", `/v1/invoices/${invoiceHash}/confirm`);

    // Two writes by one organisation at once: both succeed (the nonce manager), neither 503.
    const splits = await Promise.all([
      ok(tier1.key, "POST", `/v1/receivables/${rootId}/split`, { amount: money(10_000n) }),
      ok(tier1.key, "POST", `/v1/receivables/${rootId}/split`, { amount: money(20_000n) }),
    ]);
    expect(new Set(splits.map((s) => s.childId)).size).to.equal(2);

    const { offeredId: t2Id } = await ok(tier1.key, "POST", `/v1/receivables/${rootId}/transfer`, { to: tier2.address, amount: money(400_000n) });
    await ok(tier2.key, "POST", `/v1/receivables/${t2Id}/accept`);
    const { offeredId: t3Id } = await ok(tier2.key, "POST", `/v1/receivables/${t2Id}/transfer`, { to: tier3.address, amount: money(100_000n) });
    await ok(tier3.key, "POST", `/v1/receivables/${t3Id}/accept`);

    // Tier 3 sells to bank A, whose quote is revised once before tier 3 accepts it.
    const deadline = maturity - 60;
    const r3 = await ok(tier3.key, "POST", "/v1/financing-requests", { receivableId: t3Id, amount: money(100_000n), mode: "PURCHASE", deadline });
    const q3 = await ok(bankA.key, "POST", `/v1/financing-requests/${r3.id}/quotes`, { advance: money(97_000n), expiry: deadline + 30 });
    const q3b = await ok(bankA.key, "PUT", `/v1/quotes/${q3.id}`, { advance: money(98_000n) });
    expect((await ok(bankA.key, "GET", `/v1/quotes/${q3.id}`)).status).to.equal("REVISED");
    await ok(tier3.key, "POST", `/v1/quotes/${q3b.id}/accept`);

    // Tier 2 pledges 200,000 to bank B.
    const r2 = await ok(tier2.key, "POST", "/v1/financing-requests", { receivableId: t2Id, amount: money(200_000n), mode: "PLEDGE", deadline });
    const q2 = await ok(bankB.key, "POST", `/v1/financing-requests/${r2.id}/quotes`, { advance: money(190_000n), repayment: money(195_000n), expiry: deadline + 30 });
    const pledge = await ok(tier2.key, "POST", `/v1/quotes/${q2.id}/accept`);

    // The core enterprise repays in full: approve + deposit in one request, right the first time.
    await ok(core.key, "POST", "/v1/settlement/deposits", { currency, maturity, amount: money(1_000_000n) });

    // Maturity: the chain's next block carries the wall clock.
    const wait = (maturity + 3) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const paid = [
      await ok(tier1.key, "POST", `/v1/receivables/${rootId}/redeem`),
      await ok(tier2.key, "POST", `/v1/receivables/${t2Id}/redeem`),
      await ok(tier2.key, "POST", `/v1/receivables/${pledge.financedId}/redeem`),
      await ok(bankA.key, "POST", `/v1/receivables/${t3Id}/redeem`),
      ...(await Promise.all(splits.map((s) => ok(tier1.key, "POST", `/v1/receivables/${s.childId}/redeem`)))),
    ];
    const total = paid.reduce((sum, p) => sum + BigInt(p.toHolder) + BigInt(p.toPledgee), 0n);
    expect(total).to.equal(1_000_000n * unit);

    expect(statuses.filter((s) => s.status >= 500)).to.deep.equal([]);
  });
});
