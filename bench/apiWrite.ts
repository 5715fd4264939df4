// API write benchmark (`npm run bench:api:write`; issue 9). One core enterprise confirms invoices through
// the API as fast as the API accepts them — a month-end batch — on the embedded chain (a local Hardhat
// node) with automine and with 1-second interval mining. Each confirmation counts once its answer is
// 201 with the transaction mined and indexed (`indexed: true`); none may fail and none may be lost (the
// indexed roots are counted afterwards). Prints confirmations per second end to end and p50/p99 latency.
//
// Runs: automine and 1-s blocks with one API process on SQLite; with TEST_POSTGRES_URL (or
// BENCH_POSTGRES_URL) set, 1-s blocks with one and with two API processes on PostgreSQL sharing the
// core enterprise's key (each process has its own nonce manager; the database's row lock orders them).
//
// Environment: BENCH_WRITES (confirmations per run, default 1000), BENCH_CONCURRENCY (requests in
// flight, default 200), BENCH_RUNS (comma-separated subset of auto,interval,pg1,pg2), BENCH_PROFILE_DIR
// (write each API process's CPU profile there).
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { JsonRpcProvider, keccak256, Wallet, type Signer } from "ethers";
import { Client } from "pg";
import { deploySystem, writeDeploymentRecord } from "../scripts/deploySystem";
import { invoiceNumberHashOf } from "../server/lib/typedData";
import { freePort, localProvider, startLocalNode } from "../scripts/lib/localNode";
import { seedDemoWorld } from "../scripts/seed";
import { startAnvil } from "../scripts/lib/anvil";
import { startApiServer } from "../server/api/server";
import { loadApiConfig } from "../server/config/api";
import { loadIndexerConfig } from "../server/config/indexer";
import { openDatabase, type Db } from "../server/db/client";
import { createIndexer } from "../server/indexer/indexer";
import { readDeploymentFile } from "../server/lib/deployment";
import { silentLogger } from "../server/lib/logger";
import { createHttpTransport } from "../server/lib/rpc";
import { hardhatDevKeyOf } from "../server/signing/devKeys";

const WRITES = Number(process.env.BENCH_WRITES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const UNIT = 100n;
const PG_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
// Where each API process writes its V8 CPU profile (open in Chrome DevTools), when set.
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
// The chain: the embedded Hardhat node (default) or Foundry's anvil, a second node implementation.
const NODE = process.env.BENCH_NODE === "anvil" ? "anvil" : "hardhat";

interface Run {
  id: string;
  label: string;
  mining: "auto" | "interval";
  dialect: "sqlite" | "postgres";
  processes: number;
}

const ALL_RUNS: Run[] = [
  { id: "auto", label: "automine, 1 API process, SQLite", mining: "auto", dialect: "sqlite", processes: 1 },
  { id: "interval", label: "1-s blocks, 1 API process, SQLite", mining: "interval", dialect: "sqlite", processes: 1 },
  { id: "pg1", label: "1-s blocks, 1 API process, PostgreSQL", mining: "interval", dialect: "postgres", processes: 1 },
  { id: "pg2", label: "1-s blocks, 2 API processes, PostgreSQL (shared key)", mining: "interval", dialect: "postgres", processes: 2 },
];

// ─── an API process (child) ─────────────────────────────────────────────────────────────────────────
async function apiProcess(): Promise<void> {
  const env = process.env as Record<string, string>;
  const db = await openDatabase({ url: env.DATABASE_URL as string, migrate: false });
  const provider = new JsonRpcProvider(env.RPC_URL, undefined, { staticNetwork: true, batchMaxCount: 100 });
  const core = new Wallet(env.BENCH_CORE_KEY as string);
  const api = await startApiServer({
    db,
    provider,
    deployment: readDeploymentFile(env.DEPLOYMENT_FILE as string),
    config: loadApiConfig({ API_PORT: "0", API_RATE_LIMIT_PER_MINUTE: "1000000000", API_LOG_LEVEL: "warn" }),
    signers: { organisations: new Map([[core.address.toLowerCase(), core]]) },
    pollMs: 100,
  });
  const issued = await api.auth.issueApiKey({
    issuer: "bootstrap",
    subject: { kind: "ORGANISATION", organisation: core.address.toLowerCase(), admin: true },
    label: "bench core",
  });
  process.send?.({ url: api.url, token: issued.token });
  process.on("SIGTERM", () => {
    void api.close().finally(() => process.exit(0));
  });
}

// ─── the driver (parent) ────────────────────────────────────────────────────────────────────────────
async function freshDatabaseUrl(dialect: "sqlite" | "postgres"): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-write-"));
    return { url: `file:${path.join(dir, "bench.db")}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `ledgerline_benchwrite_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0`);
  await admin.end();
  const url = new URL(PG_URL as string);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_RUNS ?? "auto,interval,pg1,pg2").split(",");
  const runs = ALL_RUNS.filter((r) => wanted.includes(r.id) && (r.dialect === "sqlite" || PG_URL !== undefined));
  if (PG_URL === undefined) console.log("(PostgreSQL runs skipped: set TEST_POSTGRES_URL or BENCH_POSTGRES_URL)");
  const node = NODE === "anvil" ? await startAnvil() : await startLocalNode({ port: await freePort() });
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const provider = localProvider(node.url);
    // Room for a few hundred confirmations per block (Hardhat's default limit is 30M gas).
    await provider.send("evm_setBlockGasLimit", ["0x" + (200_000_000).toString(16)]).catch(() => console.log("(block gas limit left at the default)"));
    const [admin, core, tier1, tier2, tier3, bankA, bankB] = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => provider.getSigner(i)));
    const system = await deploySystem({ admin: admin as Signer, currencyDecimals: 2, parameters: { minPartAmount: 1n * UNIT } });
    const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-deploy-"));
    const recordFile = path.join(recordDir, "bench.json");
    writeDeploymentRecord(recordFile, system.record);
    cleanups.push(async () => fs.rmSync(recordDir, { recursive: true, force: true }));
    const suppliers = [tier1, tier2, tier3] as Signer[];
    await seedDemoWorld({
      ledger: system.ledger.ledger,
      operator: admin as Signer,
      accounts: { coreEnterprise: core as Signer, suppliers: suppliers as [Signer, Signer, Signer], banks: [bankA as Signer, bankB as Signer] },
      currency: system.settlement.currency,
      issuanceLimit: 10n ** 15n * UNIT,
    });
    const coreAddress = (await (core as Signer).getAddress()).toLowerCase();
    const coreKey = hardhatDevKeyOf(coreAddress) as string;

    // Every run's invoices, registered up front by the three suppliers (the batch the core confirms).
    const now = (await provider.getBlock("latest"))?.timestamp ?? Math.floor(Date.now() / 1000);
    const invoicesOf = new Map<string, string[]>();
    console.log(`registering ${WRITES * runs.length} invoices…`);
    let seq = 0;
    for (const run of runs) {
      const hashes = Array.from({ length: WRITES }, () => keccak256(randomBytes(32)));
      invoicesOf.set(run.id, hashes);
      await Promise.all(
        suppliers.map(async (supplier, s) => {
          const ledger = system.ledger.ledger.connect(supplier);
          for (let i = s; i < hashes.length; i += suppliers.length) {
            await ledger.registerInvoice({
              invoiceHash: hashes[i] as string,
              invoiceNumberHash: invoiceNumberHashOf(`WRITE-${hashes[i] as string}`),
              supplier: await supplier.getAddress(),
              debtor: coreAddress,
              currency: system.settlement.currency,
              amount: 100n * UNIT + BigInt(seq++ % 1000),
              maturity: BigInt(now + 90 * 24 * 3600),
            });
          }
        }),
      );
    }

    const results: { run: Run; perSecond: number; p50: number; p99: number; ok: number; failed: number; lost: number; seconds: number }[] = [];
    for (const dialect of ["sqlite", "postgres"] as const) {
      const mine = runs.filter((r) => r.dialect === dialect);
      if (mine.length === 0) continue;
      const fresh = await freshDatabaseUrl(dialect);
      cleanups.push(() => fresh.drop());
      const db: Db = await openDatabase({ url: fresh.url });
      cleanups.push(() => db.close());
      const deployment = readDeploymentFile(recordFile);
      const indexer = createIndexer({
        provider: createHttpTransport(node.url),
        db,
        config: { ...loadIndexerConfig({}), pollMs: 50 },
        deployment,
        logger: silentLogger(),
      });
      const indexing = indexer.start();
      cleanups.push(async () => {
        await indexer.stop();
        await indexing.catch(() => undefined);
      });
      const head = await provider.getBlockNumber();
      while (indexer.status().checkpoint < head) await new Promise((r) => setTimeout(r, 100));

      for (const run of mine) {
        const apis: { url: string; token: string }[] = [];
        const mineChildren: ChildProcess[] = [];
        for (let i = 0; i < run.processes; i++) {
          const child = fork(__filename, ["--api"], {
            execArgv: ["-r", "ts-node/register/transpile-only", ...(PROFILE_DIR === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`])],
            stdio: "inherit",
            env: { ...process.env, DATABASE_URL: fresh.url, RPC_URL: node.url, DEPLOYMENT_FILE: recordFile, BENCH_CORE_KEY: coreKey },
          });
          children.push(child);
          mineChildren.push(child);
          apis.push(
            await new Promise((resolve, reject) => {
              child.once("message", (m: { url: string; token: string }) => resolve(m));
              child.once("exit", (code) => reject(new Error(`API process exited with ${code}`)));
            }),
          );
        }
        if (run.mining === "auto") {
          await provider.send("evm_setIntervalMining", [0]);
          await provider.send("evm_setAutomine", [true]);
        } else {
          await provider.send("evm_setAutomine", [false]);
          // Hardhat takes the interval in milliseconds, anvil in seconds.
          await provider.send("evm_setIntervalMining", [NODE === "anvil" ? 1 : 1000]);
        }
        const hashes = invoicesOf.get(run.id) as string[];
        const latencies: number[] = [];
        let ok = 0;
        let failed = 0;
        let next = 0;
        const firstFailures: string[] = [];
        const started = performance.now();
        await Promise.all(
          Array.from({ length: Math.min(CONCURRENCY, hashes.length) }, async () => {
            for (;;) {
              const i = next++;
              if (i >= hashes.length) return;
              const api = apis[i % apis.length] as { url: string; token: string };
              const t0 = performance.now();
              try {
                const res = await fetch(`${api.url}/v1/invoices/${hashes[i]}/confirm`, {
                  method: "POST",
                  headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json", "idempotency-key": `bench-${run.id}-${i}` },
                  body: "{}",
                });
                const body = (await res.json()) as { indexed?: boolean };
                if (res.status === 201 && body.indexed === true) ok++;
                else {
                  failed++;
                  if (firstFailures.length < 3) firstFailures.push(`${res.status} ${JSON.stringify(body)}`);
                }
              } catch (err) {
                failed++;
                if (firstFailures.length < 3) firstFailures.push(String(err));
              }
              latencies.push(performance.now() - t0);
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        // None lost: every invoice of the run is a confirmed root in the indexed database.
        let indexed = 0;
        for (let i = 0; i < hashes.length; i += 500) {
          const chunk = hashes.slice(i, i + 500);
          indexed += await db.prisma.receivableRoot.count({ where: { invoiceHash: { in: chunk.map((h) => h.toLowerCase()) } } });
        }
        latencies.sort((a, b) => a - b);
        results.push({ run, perSecond: ok / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), ok, failed, lost: hashes.length - indexed, seconds });
        console.log(
          `${run.label}: ${ok}/${hashes.length} in ${seconds.toFixed(1)} s = ${(ok / seconds).toFixed(1)} confirmations/s, p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, failed ${failed}, not indexed ${hashes.length - indexed}`,
        );
        for (const f of firstFailures) console.log(`  e.g. ${f}`);
        for (const child of mineChildren) {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          await exited;
        }
        await provider.send("evm_setIntervalMining", [0]);
        await provider.send("evm_setAutomine", [true]);
      }
    }

    console.log(`\n${WRITES} confirmations per run, ${CONCURRENCY} in flight, one core enterprise (one key)\n`);
    console.log("| run | confirmations/s | p50 | p99 | failed | lost |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const r of results) {
      console.log(`| ${r.run.label} | ${r.perSecond.toFixed(1)} | ${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.failed} | ${r.lost} |`);
    }
    const pg1 = results.find((r) => r.run.id === "pg1");
    const pg2 = results.find((r) => r.run.id === "pg2");
    if (pg1 !== undefined && pg2 !== undefined) console.log(`\ntwo API processes / one: ${(pg2.perSecond / pg1.perSecond).toFixed(2)}×`);
    if (results.some((r) => r.failed > 0 || r.lost > 0)) process.exitCode = 1;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await node.stop();
  }
}

if (process.argv.includes("--api")) {
  apiProcess().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
