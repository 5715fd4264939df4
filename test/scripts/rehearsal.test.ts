// The production rehearsal: the layout README.md's "Configuration: PostgreSQL and a real chain" documents,
// run with the commands it documents — anvil with 1-second blocks standing in for a consortium chain,
// PostgreSQL, `npm run keystore`, `npm run deploy` with separate admin and operator keys and a settlement
// currency by address, `npm run bootstrap`, one indexer plus a standby, and two API processes — then the
// story through the API alone, alternating between the processes. Every process's output is kept in
// REHEARSAL_LOG_DIR (a fresh temporary directory by default; CI keeps it as an artifact on failure).
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet, id } from "ethers";
import { hardhatDevKey } from "../../server/signing/devKeys";
import { ReceivableToken__factory, SettlementToken__factory } from "../../typechain-types";
import { freshDatabase, type FreshDatabase } from "../server/db/fresh";
import { freePort, startAnvil, type Anvil } from "../helpers/anvil";
import { startCommand, startNodeScript, type Started } from "../helpers/processes";

const NPM = "npm";
const DAY = 24 * 60 * 60;

describe("production rehearsal: anvil, PostgreSQL, deploy, bootstrap, indexer + standby, two API processes", function () {
  this.timeout(900_000);
  if (!process.env.TEST_POSTGRES_URL) {
    it("needs PostgreSQL: set TEST_POSTGRES_URL (as .ci/run does) to run the rehearsal", function () {
      expect(process.env.TEST_POSTGRES_URL, "TEST_POSTGRES_URL is not set, so the production rehearsal did not run").to.equal(undefined);
    });
    return;
  }

  let anvil: Anvil;
  let fresh: FreshDatabase;
  let dir: string;
  let logDir: string;
  const processes: Started[] = [];
  let env: Record<string, string>;
  const apis: string[] = [];
  let operatorKey: string;
  let provider: JsonRpcProvider;
  let cash: string;
  let deployment: { contracts: Record<string, string>; admin: string; operator: string };
  let tier1: string;
  let tier1Key: string;
  let rootId: string;

  /** Runs an npm command to its end (as a person at a terminal would) and returns its output. */
  async function npm(args: string[], extra: Record<string, string> = {}): Promise<string> {
    const run = startCommand(`npm ${args.join(" ")}`, NPM, ["run", "--silent", ...args], { ...env, ...extra });
    processes.push(run);
    const code = await run.exited;
    expect(code, `npm ${args.join(" ")}:\n${run.output()}`).to.equal(0);
    return run.output();
  }

  function start(name: string, script: string, extra: Record<string, string> = {}, nodeArgs: string[] = []): Started {
    const p = startNodeScript(name, script, { env: { ...env, ...extra }, nodeArgs });
    processes.push(p);
    return p;
  }

  async function call(api: string, method: string, route: string, auth: string | undefined, body?: unknown) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (auth !== undefined) headers.authorization = `Bearer ${auth}`;
    if (method !== "GET") headers["idempotency-key"] = `rehearsal-${Math.random().toString(36).slice(2)}`;
    const res = await fetch(`${api}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown> & { error?: { code: string } }) };
  }
  async function ok(api: string, method: string, route: string, auth: string, body?: unknown, status = method === "GET" ? 200 : 201) {
    const res = await call(api, method, route, auth, body);
    expect(res.status, `${method} ${route} via ${api}: ${JSON.stringify(res.body)}`).to.equal(status);
    return res.body as Record<string, unknown>;
  }
  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-rehearsal-"));
    logDir = process.env.REHEARSAL_LOG_DIR ?? path.join(dir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    anvil = await startAnvil({ blockTime: 1 });
    provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, pollingInterval: 200 });
    fresh = await freshDatabase("postgres", "rehearsal");
    // The network's cash: an ERC-20 someone else issued (here a bank, anvil's account 3).
    const issuer = new Wallet(hardhatDevKey(3), provider);
    const token = await new SettlementToken__factory(issuer).deploy("Tokenized Deposit", "TDEP", 2, issuer.address);
    await token.waitForDeployment();
    cash = (await token.getAddress()).toLowerCase();
    env = {
      DATABASE_URL: fresh.url,
      RPC_URL: anvil.url,
      CHAIN_ID: "31337",
      NETWORK: "rehearsal",
      DEPLOYMENT_FILE: path.join(dir, "deployments", "rehearsal.json"),
      API_KEYSTORE_DIR: path.join(dir, "keystore"),
      API_KEYSTORE_PASSPHRASE: "rehearsal passphrase",
      API_KEYSTORE_SCRYPT_N: "1024", // keys the API writes: test keys only, quick to unlock
      KEYSTORE_SCRYPT_N: "1024", // test keys only: quick to unlock on a shared CI machine
      LOG_LEVEL: "info",
      API_LOG_LEVEL: "info",
    };
  });

  after(async function () {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      fs.writeFileSync(path.join(logDir, `${processes.indexOf(p)}-${p.name.replace(/[^a-z0-9]+/gi, "-")}.log`), p.output());
    }
    const failed = (this as Mocha.Context).currentTest?.state === "failed" || this.test?.parent?.tests.some((t) => t.state === "failed");
    if (failed) console.log(`    rehearsal logs kept in ${logDir}`);
    provider?.destroy();
    await anvil?.stop();
    await fresh?.drop();
    if (!failed && process.env.REHEARSAL_LOG_DIR === undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("npm run keystore + npm run deploy: separate admin and operator keys, a settlement currency by address", async function () {
    const created = await npm(["keystore", "--", "create", "--operator"]);
    const operator = /operator key (0x[0-9a-fA-F]{40})/.exec(created)![1]!;
    await anvil.rpc("anvil_setBalance", [operator, "0x56bc75e2d63100000"]); // gas for the operator
    const out = await npm(["deploy", "--", "--network", "rehearsal"], {
      DEPLOYER_PRIVATE_KEY: hardhatDevKey(0),
      OPERATOR_KEYSTORE: path.join(env.API_KEYSTORE_DIR!, "operator.json"),
      OPERATOR_KEYSTORE_PASSPHRASE: env.API_KEYSTORE_PASSPHRASE!,
      SETTLEMENT_CURRENCY: cash,
      MIN_PART_AMOUNT: "100",
    });
    expect(out).to.match(/deployed to rehearsal \(chain 31337\)/);
    deployment = JSON.parse(fs.readFileSync(env.DEPLOYMENT_FILE!, "utf8")) as typeof deployment;
    expect(deployment.operator.toLowerCase()).to.equal(operator.toLowerCase());
    expect(deployment.admin).to.equal(new Wallet(hardhatDevKey(0)).address);
    const ledger = ReceivableToken__factory.connect(deployment.contracts.ReceivableToken!, provider);
    expect(await ledger.hasRole(id("OPERATOR_ROLE"), operator)).to.equal(true);
    expect(await ledger.hasRole(id("OPERATOR_ROLE"), deployment.admin)).to.equal(false);
    expect(await ledger.isCurrencyAllowed(cash)).to.equal(true);
  });

  it("npm run bootstrap: the operator API key in an owner-only file", async function () {
    const file = path.join(dir, "operator.key");
    await npm(["bootstrap", "--", "--out", file]);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    operatorKey = fs.readFileSync(file, "utf8").trim();
  });

  it("starts one indexer, a standby and two API processes with the documented node commands; both APIs become ready", async function () {
    const indexerArgs = ["--max-old-space-size=128"];
    const active = start("indexer-a", "scripts/indexer.ts", {}, indexerArgs);
    await active.waitFor(/"msg":"indexer: (live|caught up; following the head)"/, 180_000);
    const standby = start("indexer-b", "scripts/indexer.ts", {}, indexerArgs);
    await standby.waitFor(/another indexer holds the writer lock; waiting to take over/, 180_000);
    for (const name of ["api-1", "api-2"]) {
      const port = await freePort();
      start(name, "server/main.ts", { API_PORT: String(port) });
      apis.push(`http://127.0.0.1:${port}`);
    }
    for (const api of apis) await until(`${api}/ready`, async () => (await fetch(`${api}/ready`)).status === 200, 180_000);
  });

  it("onboards organisations and plays confirm → transfer → accept through the API alone, alternating processes", async function () {
    const [api1, api2] = apis as [string, string];
    // The organisations' custodial keys, created through the API (alternating processes): each process
    // loads the others' keys before its next write, without a restart.
    const keys = new Map<string, string>();
    for (const [i, name] of ["core", "tier1", "tier2"].entries()) {
      const created = await ok(apis[i % 2]!, "POST", "/v1/custodial-keys", operatorKey);
      const address = created.address as string;
      await anvil.rpc("anvil_setBalance", [address, "0x56bc75e2d63100000"]); // gas (a QBFT network may need none)
      keys.set(name, address);
    }
    const listed = (await ok(api2, "GET", "/v1/custodial-keys", operatorKey)).items as { address: string; loaded: boolean }[];
    for (const address of keys.values()) expect(listed.find((k) => k.address === address)?.loaded, address).to.equal(true);

    const [core, tier2] = [keys.get("core")!, keys.get("tier2")!];
    tier1 = keys.get("tier1")!;
    await ok(api1, "POST", "/v1/organisations", operatorKey, { address: core, role: "CORE_ENTERPRISE", kycHash: id("kyc:core") });
    await ok(api2, "POST", "/v1/organisations", operatorKey, { address: tier1, role: "SUPPLIER", kycHash: id("kyc:tier1") });
    await ok(api1, "POST", "/v1/organisations", operatorKey, { address: tier2, role: "SUPPLIER", kycHash: id("kyc:tier2") });
    await ok(api2, "PUT", `/v1/issuance-limits/${core}`, operatorKey, { limit: "100000000" }, 200);
    const orgKey = async (api: string, organisation: string) =>
      (await ok(api, "POST", "/v1/api-keys", operatorKey, { kind: "ORGANISATION", organisation, admin: true, label: "rehearsal" })).apiKey as string;
    const coreKey = await orgKey(api1, core);
    tier1Key = await orgKey(api2, tier1);
    const tier2Key = await orgKey(api1, tier2);

    const head = await provider.getBlock("latest");
    const maturity = head!.timestamp + 90 * DAY;
    const { invoiceHash } = (await ok(api1, "POST", "/v1/invoices", tier1Key, {
      debtor: core,
      currency: cash,
      amount: "1000000",
      maturity,
      invoiceNumber: "REHEARSAL-1",
    })) as { invoiceHash: string };
    ({ rootId } = (await ok(api2, "POST", `/v1/invoices/${invoiceHash}/confirm`, coreKey)) as { rootId: string });
    // Read through the other process at once: it sees what this one wrote.
    const root = await ok(api1, "GET", `/v1/receivables/${rootId}`, tier1Key);
    expect(root).to.include({ holder: tier1, amount: "1000000" });

    const { offeredId } = (await ok(api1, "POST", `/v1/receivables/${rootId}/transfer`, tier1Key, { to: tier2, amount: "400000" })) as { offeredId: string };
    await ok(api2, "POST", `/v1/receivables/${offeredId}/accept`, tier2Key, undefined, 200);
    expect(await ok(api1, "GET", `/v1/receivables/${offeredId}`, tier2Key)).to.include({ holder: tier2, amount: "400000", tier: 2 });
    expect(await ok(api2, "GET", `/v1/receivables/${rootId}`, tier1Key)).to.include({ amount: "600000" });
  });

  it("a kill -9 of the active indexer: the standby takes over and the next write is indexed", async function () {
    const [api1, api2] = apis as [string, string];
    const active = processes.find((p) => p.name === "indexer-a")!;
    const standby = processes.find((p) => p.name === "indexer-b")!;
    active.child.kill("SIGKILL");
    await standby.waitFor(/writer lock acquired; taking over/, 120_000);
    await until("the standby at the head", async () => {
      const ready = (await (await fetch(`${api1}/ready`)).json()) as { ready: boolean; indexer: { lagBlocks: number } };
      return ready.ready && ready.indexer.lagBlocks <= 1;
    });
    const split = (await ok(api2, "POST", `/v1/receivables/${rootId}/split`, tier1Key, { amount: "100000" })) as { childId: string; indexed: boolean };
    expect(split.indexed).to.equal(true);
    expect(await ok(api1, "GET", `/v1/receivables/${split.childId}`, tier1Key)).to.include({ holder: tier1, amount: "100000" });
    expect(await ok(api1, "GET", `/v1/receivables/${rootId}`, tier1Key)).to.include({ amount: "500000" });
  });

  it("SIGTERM stops every process cleanly", async function () {
    for (const p of processes.filter((x) => x.child.exitCode === null && x.child.signalCode === null)) {
      p.child.kill("SIGTERM");
      expect(await p.exited, `${p.name}:\n${p.output()}`).to.equal(0);
      expect(p.output()).to.match(/(indexer|api): stopped/);
    }
  });
});
