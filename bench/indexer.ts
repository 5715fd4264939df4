// `npm run bench:indexer`: the indexer's throughput, memory and head lag, end to end.
//
// 1. Starts a local Hardhat node and deploys the real contracts (scripts/deploy*, no test contracts).
// 2. Generates >= BENCH_EVENTS events (default 100,000) with a mix of confirm, split-and-transfer
//    (offer + accept) and purchase financing (signed quotes), sent in JSON-RPC batches with automine
//    off and mined in blocks of ~BENCH_TXS_PER_BLOCK transactions.
// 3. Backfills from block 0 with the indexer process (scripts/indexer.ts) into a fresh SQLite file, and
//    into PostgreSQL when BENCH_POSTGRES_URL or TEST_POSTGRES_URL is set; prints events/s and the
//    process's peak resident memory.
// 4. With the SQLite indexer following the head (0 confirmations), mines single transactions and
//    measures block mined → checkpoint visible in the database (p50 / p99).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { AbiCoder, HDNodeWallet, Mnemonic, keccak256, toQuantity, type JsonRpcSigner } from "ethers";
import { startLocalNode, localProvider } from "../scripts/lib/localNode";
import { deployLedger } from "../scripts/deploy";
import { deploySettlement } from "../scripts/deploySettlement";
import { eip712DomainOf, invoiceNumberHashOf, QUOTE_TYPES } from "../server/lib/typedData";
import { openSql } from "../server/db/sql";
import { migrate } from "../server/db/migrate";

const ROOT = path.resolve(__dirname, "..");
const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const TXS_PER_BLOCK = Number(process.env.BENCH_TXS_PER_BLOCK ?? 150);
const LAG_SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 200);
const PORT = Number(process.env.BENCH_CHAIN_PORT ?? 8600 + Math.floor(Math.random() * 300));
const MNEMONIC = "test test test test test test test test test test test junk";

async function rpc(url: string, body: unknown): Promise<unknown> {
  const post = () => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  let res: Response;
  try {
    res = await post();
  } catch (e) {
    // The node closes idle kept-alive connections after 5 s (while we sign quotes): the request
    // never reached it, so sending it again on a fresh connection is safe.
    if (!/other side closed|ECONNRESET/.test(String((e as Error & { cause?: unknown }).cause ?? e))) throw e;
    res = await post();
  }
  return res.json();
}

/** Sends many transactions from unlocked accounts in one JSON-RPC batch, then mines them. */
async function sendAndMine(url: string, txs: { from: string; to: string; data: string; nonce: number }[]): Promise<void> {
  for (let i = 0; i < txs.length; i += TXS_PER_BLOCK) {
    const chunk = txs.slice(i, i + TXS_PER_BLOCK);
    const out = (await rpc(
      url,
      chunk.map((t, j) => ({ jsonrpc: "2.0", id: j, method: "eth_sendTransaction", params: [{ from: t.from, to: t.to, data: t.data, nonce: toQuantity(t.nonce), gas: toQuantity(600_000) }] })),
    )) as { error?: { message: string } }[];
    const failed = out.find((r) => r.error);
    if (failed) throw new Error(`bench: eth_sendTransaction failed: ${failed.error!.message}`);
    await rpc(url, { jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] });
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function rssMb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

interface BackfillResult {
  label: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  startRssMb: number;
  peakRssMb: number;
}

async function backfill(label: string, databaseUrl: string, env: Record<string, string>, head: number, keepRunning: boolean) {
  const sql = openSql(databaseUrl);
  await migrate({ sql });
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // The same V8 heap cap as `npm run indexer`: it keeps resident memory flat (see docs/indexer.md).
  const v8 = (process.env.BENCH_INDEXER_NODE_FLAGS ?? "--max-old-space-size=128").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...v8, ...profile, "-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "indexer.ts")], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const state = async () => (await sql.query<{ checkpoint_block: string | number; events_total: string | number }>(`SELECT "checkpoint_block", "events_total" FROM "indexer_state"`).catch(() => []))[0];
  // t0: the indexer has initialised its state (process start-up excluded); t1: caught up.
  while (!(await state())) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  const startRssMb = rssMb(child.pid!, "VmRSS");
  let last = await state();
  while (Number(last!.checkpoint_block) < head) {
    if (child.exitCode !== null) throw new Error(`bench: the indexer exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 5));
    last = await state();
  }
  const seconds = (performance.now() - t0) / 1000;
  const events = Number(last!.events_total);
  const result: BackfillResult = { label, events, seconds, eventsPerSecond: events / seconds, startRssMb, peakRssMb: rssMb(child.pid!, "VmHWM") };
  const stop = async () => {
    const done = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await done;
    await sql.close();
  };
  if (!keepRunning) await stop();
  return { result, sql, stop };
}

async function main(): Promise<void> {
  console.log(`bench:indexer — target ${TARGET_EVENTS} events, ${TXS_PER_BLOCK} transactions per block, ${os.cpus().length} cores`);
  const node = await startLocalNode({ port: PORT });
  const provider = localProvider(node.url);
  try {
    const signers: JsonRpcSigner[] = [];
    for (let i = 0; i < 8; i++) signers.push(await provider.getSigner(i));
    const [operator, core, tier1, tier2, bankA] = signers as [JsonRpcSigner, JsonRpcSigner, JsonRpcSigner, JsonRpcSigner, JsonRpcSigner];
    const bankKey = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), "m/44'/60'/0'/0/4");
    if (bankKey.address !== (await bankA.getAddress())) throw new Error("bench: account 4 is not the default mnemonic's");

    const { ledger, startBlock } = await deployLedger({ admin: operator, parameters: { minPartAmount: 1n, maxDepth: 16, defaultOfferWindow: 7 * 86_400 } });
    const settlement = await deploySettlement({ admin: operator, ledger, currencyDecimals: 2 });
    const cash = settlement.settlementToken!;
    const { financing, vault } = settlement;
    for (const [s, role] of [[core, 1], [tier1, 2], [tier2, 2], [bankA, 3]] as const) {
      await (await ledger.registerOrganisation(await s.getAddress(), role, keccak256("0x01"))).wait();
    }
    await (await ledger.setIssuanceLimit(await core.getAddress(), 10n ** 30n)).wait();
    await (await cash.mint(await bankA.getAddress(), 10n ** 30n)).wait();
    await (await cash.connect(bankA).approve(await financing.getAddress(), 2n ** 255n)).wait();

    // Per root: confirm (4 logs), offer half to tier 2 (5), accept (2), tier 2 sells half of its part
    // to bank A with a signed quote (QuoteAccepted + split + move + financed ≈ 7 indexed logs).
    const roots = Math.ceil(TARGET_EVENTS / 17);
    const ledgerAddr = (await ledger.getAddress()).toLowerCase();
    const financingAddr = await financing.getAddress();
    const currency = settlement.currency;
    const maturity = BigInt(Math.floor(Date.now() / 1000) + 180 * 86_400);
    const addr = { core: await core.getAddress(), tier1: await tier1.getAddress(), tier2: await tier2.getAddress(), bankA: await bankA.getAddress() };
    const nonces = new Map<string, number>();
    const nextNonce = async (a: string) => {
      const n = nonces.get(a) ?? (await provider.getTransactionCount(a, "pending"));
      nonces.set(a, n + 1);
      return n;
    };
    await rpc(node.url, { jsonrpc: "2.0", id: 1, method: "evm_setAutomine", params: [false] });
    const tGen = performance.now();
    const domain = await eip712DomainOf(financing);
    const CHUNK = 1_000;
    for (let base = 0; base < roots; base += CHUNK) {
      const n = Math.min(CHUNK, roots - base);
      const confirms = [];
      for (let i = 0; i < n; i++) {
        const invoice = { invoiceHash: keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256"], ["bench", base + i])), invoiceNumberHash: invoiceNumberHashOf(`BENCH-${base + i}`), supplier: addr.tier1, debtor: addr.core, currency, amount: 1_000_000n, maturity };
        confirms.push({ from: addr.core, to: ledgerAddr, data: ledger.interface.encodeFunctionData("confirmInvoice", [invoice]), nonce: await nextNonce(addr.core) });
      }
      const before = await provider.getBlockNumber();
      await sendAndMine(node.url, confirms);
      const rootIds = (await ledger.queryFilter(ledger.filters.InvoiceConfirmed(), before + 1)).map((e) => e.args.rootId);
      const offers = [];
      for (const id of rootIds) offers.push({ from: addr.tier1, to: ledgerAddr, data: ledger.interface.encodeFunctionData("offerTransfer", [id, addr.tier2, 500_000n, 0n]), nonce: await nextNonce(addr.tier1) });
      const beforeOffers = await provider.getBlockNumber();
      await sendAndMine(node.url, offers);
      const offered = (await ledger.queryFilter(ledger.filters.TransferOffered(), beforeOffers + 1)).map((e) => e.args.id);
      const accepts = [];
      for (const id of offered) accepts.push({ from: addr.tier2, to: ledgerAddr, data: ledger.interface.encodeFunctionData("acceptOffer", [id]), nonce: await nextNonce(addr.tier2) });
      await sendAndMine(node.url, accepts);
      const finances = [];
      for (const [k, id] of offered.entries()) {
        const quote = { receivableId: id, amount: 250_000n, advance: 240_000n, financier: addr.bankA, holder: addr.tier2, mode: 0, repayment: 0n, currency, expiry: maturity - 86_400n, nonce: BigInt(base + k), programmeId: 0n, evidenceHash: keccak256(toQuantity(k + 1)) };
        const signature = await bankKey.signTypedData(domain, QUOTE_TYPES, quote);
        finances.push({ from: addr.tier2, to: financingAddr, data: financing.interface.encodeFunctionData("acceptQuote", [quote, signature]), nonce: await nextNonce(addr.tier2) });
      }
      await sendAndMine(node.url, finances);
      process.stdout.write(`\r  generated ${Math.min(base + CHUNK, roots)}/${roots} receivable stories`);
    }
    await rpc(node.url, { jsonrpc: "2.0", id: 1, method: "evm_setAutomine", params: [true] });
    const head = await provider.getBlockNumber();
    const logCount = (
      (await rpc(node.url, { jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{ fromBlock: "0x0", toBlock: toQuantity(head), address: [ledgerAddr, financingAddr.toLowerCase(), (await vault.getAddress()).toLowerCase()] }] })) as { result: unknown[] }
    ).result.length;
    console.log(`\n  chain: ${head} blocks, ${logCount} indexed events, generated in ${((performance.now() - tGen) / 1000).toFixed(1)} s`);
    if (logCount < TARGET_EVENTS) throw new Error(`bench: only ${logCount} events generated`);

    const env = {
      RPC_URL: node.url,
      RECEIVABLE_TOKEN_ADDRESS: ledgerAddr,
      FINANCING_SETTLEMENT_ADDRESS: financingAddr,
      REPAYMENT_VAULT_ADDRESS: await vault.getAddress(),
      START_BLOCK: String(startBlock),
      CONFIRMATIONS: "0",
    };
    const results: BackfillResult[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-"));
    const sqlite = await backfill("SQLite", `file:${path.join(dir, "bench.db")}`, env, head, true);
    results.push(sqlite.result);

    // Head lag: single transactions, automine on; lag = eth_sendTransaction returned (block mined) → checkpoint visible.
    const lags: number[] = [];
    for (let i = 0; i < LAG_SAMPLES; i++) {
      const t = performance.now();
      await (await ledger.connect(operator).setIssuanceLimit(addr.core, 10n ** 30n + BigInt(i))).getBlock();
      const block = await provider.getBlockNumber();
      for (;;) {
        const rows = await sqlite.sql.query<{ checkpoint_block: number }>(`SELECT "checkpoint_block" FROM "indexer_state"`);
        if (Number(rows[0]!.checkpoint_block) >= block) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      lags.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 60));
    }
    await sqlite.stop();
    lags.sort((a, b) => a - b);

    const pgUrl = process.env.BENCH_SKIP_POSTGRES ? undefined : (process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL);
    if (pgUrl) {
      const name = `ledgerline_bench_${Date.now()}`;
      const admin = new Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`);
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      try {
        results.push((await backfill("PostgreSQL", url.toString(), env, head, false)).result);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
      }
    } else {
      console.log("  (PostgreSQL skipped: set BENCH_POSTGRES_URL or TEST_POSTGRES_URL)");
    }
    fs.rmSync(dir, { recursive: true, force: true });

    console.log("\n| database | events | backfill s | events/s | RSS at start MB | peak RSS MB |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const r of results) console.log(`| ${r.label} | ${r.events} | ${r.seconds.toFixed(2)} | ${Math.round(r.eventsPerSecond)} | ${r.startRssMb.toFixed(0)} | ${r.peakRssMb.toFixed(0)} |`);
    if (lags.length) console.log(`\nhead lag (SQLite, 0 confirmations, ${lags.length} blocks): p50 ${percentile(lags, 50).toFixed(0)} ms, p99 ${percentile(lags, 99).toFixed(0)} ms, max ${lags[lags.length - 1]!.toFixed(0)} ms`);
  } finally {
    provider.destroy();
    await node.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
