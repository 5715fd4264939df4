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
import { freePort } from "../../scripts/lib/localNode";
import { startAnvil, type Anvil } from "../../scripts/lib/anvil";
import { startCommand, startNodeScript, type Started } from "../helpers/processes";

const NPM = "npm";
const DAY = 24 * 60 * 60;
/** Recent blocks the indexers keep for rolling back (REORG_WINDOW): small, so a deep reorganisation is cheap to make. */
const REORG_WINDOW = "16";
/** How long a process may take to start: ts-node alone takes a minute or more on a busy 2-core CI machine (liveness, not a measurement). */
const START_TIMEOUT_MS = 420_000;

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
  /** Who is who (lower-case addresses) and their API keys, for the later steps. */
  const org: Record<string, { address: string; key: string }> = {};
  let maturity: number;
  let offeredId: string;
  let root2: string;
  /** The block of the story's last redemption: the deep reorganisation must fork after it. */
  let redeemedBlock: number;
  /** Every receivable id the story created, for comparing the API's view with the chain. */
  const receivableIds = new Set<string>();

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
    anvil = await startAnvil(["--block-time", "1"]);
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
      REORG_WINDOW,
    };
  });

  after(async function () {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      fs.writeFileSync(path.join(logDir, `${processes.indexOf(p)}-${p.name.replace(/[^a-z0-9]+/gi, "-")}.log`), p.output());
    }
    const failed = this.currentTest?.state === "failed" || this.test?.parent?.tests.some((t) => t.state === "failed");
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
    await active.waitFor(/"msg":"indexer: (live|caught up; following the head)"/, START_TIMEOUT_MS);
    const standby = start("indexer-b", "scripts/indexer.ts", {}, indexerArgs);
    await standby.waitFor(/another indexer holds the writer lock; waiting to take over/, START_TIMEOUT_MS);
    for (const name of ["api-1", "api-2"]) {
      const port = await freePort();
      start(name, "server/main.ts", { API_PORT: String(port) });
      apis.push(`http://127.0.0.1:${port}`);
    }
    for (const api of apis) await until(`${api}/ready`, async () => (await fetch(`${api}/ready`)).status === 200, START_TIMEOUT_MS);
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
    org.core = { address: core, key: coreKey };
    org.tier1 = { address: tier1, key: tier1Key };
    org.tier2 = { address: tier2, key: tier2Key };

    const head = await provider.getBlock("latest");
    maturity = head!.timestamp + 90 * DAY;
    const { invoiceHash } = (await ok(api1, "POST", "/v1/invoices", tier1Key, {
      debtor: core,
      currency: cash,
      amount: "1000000",
      maturity,
      invoiceNumber: "REHEARSAL-1",
    })) as { invoiceHash: string };
    // The debtor names the supplier whose registration it confirms and the number its own books hold
    // (issue 8, F3: registrations are keyed by supplier and hash; the number is signed and checked).
    ({ rootId } = (await ok(api2, "POST", `/v1/invoices/${invoiceHash}/confirm?supplier=${tier1}`, coreKey, { invoiceNumber: "REHEARSAL-1" })) as { rootId: string });
    // Read through the other process at once: it sees what this one wrote.
    const root = await ok(api1, "GET", `/v1/receivables/${rootId}`, tier1Key);
    expect(root).to.include({ holder: tier1, amount: "1000000" });

    ({ offeredId } = (await ok(api1, "POST", `/v1/receivables/${rootId}/transfer`, tier1Key, { to: tier2, amount: "400000" })) as { offeredId: string });
    receivableIds.add(rootId).add(offeredId);
    await ok(api2, "POST", `/v1/receivables/${offeredId}/accept`, tier2Key, undefined, 200);
    expect(await ok(api1, "GET", `/v1/receivables/${offeredId}`, tier2Key)).to.include({ holder: tier2, amount: "400000", tier: 2 });
    expect(await ok(api2, "GET", `/v1/receivables/${rootId}`, tier1Key)).to.include({ amount: "600000" });
  });

  it("finances, repays, redeems and traces through the API alone, alternating processes", async function () {
    const [api1, api2] = apis as [string, string];
    const bank = (await ok(api2, "POST", "/v1/custodial-keys", operatorKey)).address as string;
    await anvil.rpc("anvil_setBalance", [bank, "0x56bc75e2d63100000"]);
    await ok(api1, "POST", "/v1/organisations", operatorKey, { address: bank, role: "FINANCIER", kycHash: id("kyc:bank") });
    const bankKey = (await ok(api2, "POST", "/v1/api-keys", operatorKey, { kind: "ORGANISATION", organisation: bank, admin: true, label: "rehearsal" })).apiKey as string;
    const auditorKey = (await ok(api1, "POST", "/v1/api-keys", operatorKey, { kind: "AUDITOR", label: "rehearsal" })).apiKey as string;
    // Cash from the network's issuer (not from Ledgerline): the bank's advance and the core enterprise's repayment.
    const issuer = SettlementToken__factory.connect(cash, new Wallet(hardhatDevKey(3), provider));
    for (const to of [bank, org.core!.address]) await (await issuer.mint(to, 10_000_000n)).wait();

    await ok(api1, "PUT", `/v1/exposure/limits/${org.core!.address}`, bankKey, { limit: "5000000" }, 200);
    const deadline = (await provider.getBlock("latest"))!.timestamp + 2 * DAY;
    const request = await ok(api2, "POST", "/v1/financing-requests", org.tier2!.key, { receivableId: offeredId, amount: "400000", mode: "PURCHASE", deadline });
    const quote = await ok(api1, "POST", `/v1/financing-requests/${request.id as string}/quotes`, bankKey, { advance: "390000", expiry: deadline + DAY });
    const accepted = await ok(api2, "POST", `/v1/quotes/${quote.id as string}/accept`, org.tier2!.key, undefined, 200);
    expect(accepted.financedId).to.equal(offeredId);
    expect(await ok(api1, "GET", `/v1/receivables/${offeredId}`, bankKey)).to.include({ holder: bank });

    await ok(api1, "POST", "/v1/settlement/deposits", org.core!.key, { currency: cash, maturity, amount: "1000000" });
    const pools = (await ok(api2, "GET", "/v1/settlement/pools", org.core!.key)).items as { maturity: number; due: string }[];
    expect(pools.find((p) => p.maturity === maturity)).to.include({ due: "0" });

    // To maturity: the chain's clock moves, and the API follows the chain's clock.
    await anvil.rpc("evm_increaseTime", [maturity - (await provider.getBlock("latest"))!.timestamp + 60]);
    await anvil.rpc("evm_mine", []);
    await until("the chain past maturity, as the API reports it", async () => ((await ok(api1, "GET", "/v1/chain", operatorKey)).headTimestamp as number) > maturity);
    const redeemed = [
      await ok(api2, "POST", `/v1/receivables/${rootId}/redeem`, tier1Key, undefined, 200),
      await ok(api1, "POST", `/v1/receivables/${offeredId}/redeem`, bankKey, undefined, 200),
    ];
    expect(redeemed.map((r) => r.toHolder)).to.deep.equal(["600000", "400000"]);
    redeemedBlock = Math.max(...redeemed.map((r) => r.blockNumber as number));
    const vault = deployment.contracts.RepaymentVault!;
    expect(await SettlementToken__factory.connect(cash, provider).balanceOf(vault)).to.equal(0n);

    const trace = await ok(api2, "GET", `/v1/receivables/${offeredId}/trace`, auditorKey);
    expect((trace.nodes as { status: string }[]).every((n) => n.status === "REDEEMED")).to.equal(true);
    expect(trace.financings).to.have.length(1);
    expect(trace.redemptions).to.have.length(2);
  });

  /** What the API says about each receivable the story made, against what the ledger says. */
  async function differences(api: string): Promise<string[]> {
    const ledger = ReceivableToken__factory.connect(deployment.contracts.ReceivableToken!, provider);
    const found: string[] = [];
    for (const rid of receivableIds) {
      const onChain = await ledger.receivableOf(rid).then(
        (r) => ({ holder: r.holder.toLowerCase(), amount: r.amount.toString() }),
        () => undefined,
      );
      const res = await call(api, "GET", `/v1/receivables/${rid}`, operatorKey);
      if (res.status !== 200 && res.status !== 404) {
        found.push(`${rid}: API answered ${res.status} ${JSON.stringify(res.body)}`);
        continue;
      }
      const live = res.status === 200 && res.body!.status !== "REDEEMED" ? { holder: res.body!.holder as string, amount: res.body!.amount as string } : undefined;
      if (JSON.stringify(live) !== JSON.stringify(onChain)) found.push(`${rid}: API ${JSON.stringify(live)}, chain ${JSON.stringify(onChain)}`);
    }
    return found;
  }

  it("concurrent writes by one organisation through both processes all succeed (one nonce book on PostgreSQL)", async function () {
    const [api1, api2] = apis as [string, string];
    const now = (await provider.getBlock("latest"))!.timestamp;
    const { invoiceHash } = (await ok(api1, "POST", "/v1/invoices", tier1Key, { debtor: org.core!.address, currency: cash, amount: "500000", maturity: now + 60 * DAY, invoiceNumber: "REHEARSAL-2" })) as {
      invoiceHash: string;
    };
    ({ rootId: root2 } = (await ok(api2, "POST", `/v1/invoices/${invoiceHash}/confirm?supplier=${tier1}`, org.core!.key, { invoiceNumber: "REHEARSAL-2" })) as { rootId: string });
    receivableIds.add(root2);
    const splits = await Promise.all(Array.from({ length: 6 }, (_, i) => call(i % 2 === 0 ? api1 : api2, "POST", `/v1/receivables/${root2}/split`, tier1Key, { amount: "10000" })));
    for (const res of splits) expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const children = splits.map((r) => r.body!.childId as string);
    expect(new Set(children).size).to.equal(6);
    for (const child of children) receivableIds.add(child);
    const nonces = await Promise.all(splits.map(async (r) => (await provider.getTransaction(r.body!.txHash as string))!.nonce));
    expect(new Set(nonces).size, "six transactions, six nonces").to.equal(6);
    expect(await ok(api1, "GET", `/v1/receivables/${root2}`, tier1Key)).to.include({ amount: "440000" });
  });

  it("a reorganisation (anvil_reorg) with a kill -9 of the active indexer in the middle: the standby takes over, zero differences", async function () {
    const [api1, api2] = apis as [string, string];
    const split = (await ok(api2, "POST", `/v1/receivables/${root2}/split`, tier1Key, { amount: "100000" })) as { childId: string; blockNumber: number; indexed: boolean };
    expect(split.indexed).to.equal(true);
    receivableIds.add(split.childId);
    expect(await ok(api1, "GET", `/v1/receivables/${split.childId}`, tier1Key)).to.include({ holder: tier1, amount: "100000" });

    const active = processes.find((p) => p.name === "indexer-a")!;
    const standby = processes.find((p) => p.name === "indexer-b")!;
    active.child.kill("SIGKILL");
    // The split's block and every block after it replaced while no indexer runs.
    const depth = (await provider.getBlockNumber()) - split.blockNumber + 1;
    await anvil.rpc("anvil_reorg", [depth, []]);
    await standby.waitFor(/writer lock acquired; taking over/, 120_000);
    await standby.waitFor(/indexer: reorganisation rolled back/, 120_000);
    await until("zero differences between the API and the chain", async () => (await differences(api1)).length === 0 && (await differences(api2)).length === 0, 120_000).catch(
      async (e: Error) => {
        throw new Error(`${e.message}:\n${(await differences(api1)).join("\n")}`);
      },
    );
    // The next write is indexed by the standby (the operator's key had nothing in the replaced blocks).
    const registered = (await ok(api1, "POST", "/v1/organisations", operatorKey, { address: Wallet.createRandom().address, role: "SUPPLIER", kycHash: id("kyc:late") })) as { indexed: boolean };
    expect(registered.indexed).to.equal(true);
  });

  it("a reorganisation deeper than REORG_WINDOW: reads answer 503 ProjectionInvalid, npm run indexer:reset, a fresh index, zero differences", async function () {
    const [api1, api2] = apis as [string, string];
    const indexer = processes.find((p) => p.name === "indexer-b")!;
    // The fork point lies after the story's redemptions, however fast the story ran: a fixed depth from
    // the head once reached back past them (and past the time travel to maturity, which anvil_reorg undoes
    // too), so the chain itself no longer had them and the fresh index rightly showed the tree unredeemed.
    const depth = Number(REORG_WINDOW) + 8;
    while ((await provider.getBlockNumber()) < redeemedBlock + depth) await anvil.rpc("evm_mine", []);
    // Something the index holds that the competing branch does not: an organisation registered in the
    // blocks about to be replaced, indexed before the reorganisation.
    const doomed = Wallet.createRandom().address.toLowerCase();
    const registered = (await ok(api1, "POST", "/v1/organisations", operatorKey, { address: doomed, role: "SUPPLIER", kycHash: id("kyc:doomed") })) as { blockNumber: number; indexed: boolean };
    expect(registered.indexed).to.equal(true);
    await until("the other process serves it", async () => (await ok(api2, "GET", `/v1/organisations/${doomed}`, operatorKey)).address === doomed);
    expect((await provider.getBlockNumber()) - depth, "the fork point is after the redemptions").to.be.at.least(redeemedBlock);
    expect((await provider.getBlockNumber()) - depth, "the fork point is before the doomed registration").to.be.below(registered.blockNumber);
    // The replacement blocks carry another transaction, as a competing branch would.
    const [from, to] = [new Wallet(hardhatDevKey(9)).address, new Wallet(hardhatDevKey(8)).address];
    await anvil.rpc("anvil_reorg", [depth, [[{ from, to, value: "0x1" }, 0]]]);
    expect(await Promise.race([indexer.exited, new Promise((r) => setTimeout(() => r("still running after 120 s"), 120_000))]), indexer.output().slice(-2000)).to.equal(1);
    expect(indexer.output()).to.match(/REORG_TOO_DEEP/);
    // Within the guard's one-second cache, every read refuses to serve rows the chain no longer has.
    await until("reads refused", async () => (await call(api2, "GET", `/v1/receivables/${rootId}`, operatorKey)).status === 503, 10_000);
    const refused = await call(api1, "GET", `/v1/receivables/${rootId}`, operatorKey);
    expect(refused.status).to.equal(503);
    expect(refused.body?.error).to.deep.include({ code: "ProjectionInvalid", details: { reason: "REORG_TOO_DEEP" } });

    const reset = await npm(["indexer:reset"]);
    expect(reset).to.match(/cleared the chain tables/);
    const fresh = start("indexer-c", "scripts/indexer.ts", {}, ["--max-old-space-size=128"]);
    await fresh.waitFor(/"msg":"indexer: (live|caught up; following the head)"/, START_TIMEOUT_MS);
    await until("reads served again, with zero differences", async () => (await differences(api1)).length === 0 && (await differences(api2)).length === 0, 240_000).catch(async (e: Error) => {
      throw new Error(`${e.message}:\n${(await differences(api1)).join("\n")}`);
    });
    // Re-indexed from the chain, not merely emptied: the first tree, redeemed long before the replaced
    // blocks, is served again with its history.
    expect(await ok(api2, "GET", `/v1/receivables/${rootId}`, operatorKey)).to.include({ status: "REDEEMED" });
    expect((await ok(api1, "GET", `/v1/receivables/${offeredId}/trace`, operatorKey)).redemptions).to.have.length(2);
    // And what only the replaced blocks had is gone, on the chain and in the API alike.
    expect((await call(api2, "GET", `/v1/organisations/${doomed}`, operatorKey)).status).to.equal(404);
    // API keys survived the reset: the operator key from bootstrap still works.
    expect((await call(api1, "GET", "/v1/custodial-keys", operatorKey)).status).to.equal(200);
  });

  it("SIGTERM stops every process cleanly", async function () {
    for (const p of processes.filter((x) => x.child.exitCode === null && x.child.signalCode === null)) {
      p.child.kill("SIGTERM");
      expect(await p.exited, `${p.name}:\n${p.output()}`).to.equal(0);
      expect(p.output()).to.match(/(indexer|api): stopped/);
    }
  });
});
