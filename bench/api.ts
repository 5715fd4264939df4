// API read benchmark (`npm run bench:api`). Seeds a fresh SQLite database with 100,000 receivables in
// 2,000 lineage trees of 50 (each with one path down to depth 10, the ledger's maximum), their history,
// roots, invoices, issuance limits and 1,000 open financing requests — written straight into the
// indexer's tables, as the indexer would have — then serves the real API from a child process on
// 127.0.0.1 and drives it with autocannon. For each route it prints p50/p99 latency at a fixed offered
// load (500 req/s, open loop, latency counted from each request's due time) and the saturation
// throughput (autocannon, 64 connections) with the API process's CPU time per request in that run.
//
// Environment: BENCH_RECEIVABLES (default 100000), BENCH_DURATION (seconds per run, default 10),
// BENCH_RATE (offered req/s, default 500), BENCH_WORKERS (API processes, default 1), BENCH_ROUTES
// (comma-separated subset of get,list,trace,requests), BENCH_CPU_PROF (a directory: the API process
// writes a V8 CPU profile there, for finding where a route's time goes).
import { fork, type ChildProcess } from "node:child_process";
import cluster from "node:cluster";
import http from "node:http";
import { performance } from "node:perf_hooks";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { Network, JsonRpcProvider } from "ethers";
import type Database from "better-sqlite3";
import { createApp } from "../server/api/app";
import { loadApiConfig } from "../server/config/api";
import { openDatabase } from "../server/db/client";
import { createDomain } from "../server/domain";
import { createChainContext, projectInterfaces } from "../server/domain/context";
import { silentLogger } from "../server/lib/logger";
import { createSignerRegistry } from "../server/signing/signers";

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as Autocannon;

const RECEIVABLES = Number(process.env.BENCH_RECEIVABLES ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const TREE_SIZE = 50;
const MAX_DEPTH = 10;
const SUPPLIERS = 200;
const CORES = 10;
const FINANCIERS = 5;
const OPEN_REQUESTS = 1_000;

const addr = (kind: number, i: number) => `0x${kind.toString(16).padStart(2, "0")}${i.toString(16).padStart(38, "0")}`;
const hash = (i: number, salt: number) => `0x${salt.toString(16).padStart(8, "0")}${i.toString(16).padStart(56, "0")}`;

/** Deterministic pseudo-random numbers, so every run seeds the same world. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Seeded {
  me: string;
  financier: string;
  myIds: string[];
  deepLeaves: string[];
  /** The root of the one large tree (SeedOptions.largeTree), if asked for. */
  largeTreeRoot?: string;
}

export interface SeedOptions {
  /** Receivables in all (default BENCH_RECEIVABLES), the large tree's included. */
  receivables?: number;
  /** The settlement token amounts are counted in (default a made-up address: the read routes never ask the chain). */
  currency?: string;
  /**
   * Exactly this many receivables held by the first supplier (`me`), spread evenly over every tree; the
   * other holders are then drawn from the other suppliers. By default `me` is one supplier among 200.
   */
  heldByMe?: number;
  /** Parts in one more tree (depth ≤ 10, its root included), for the lineage graph. */
  largeTree?: number;
}

export function seed(raw: Database.Database, options: SeedOptions = {}): Seeded {
  const rand = rng(42);
  const now = Math.floor(Date.now() / 1000);
  const currency = options.currency ?? addr(0xcc, 1);
  const receivables = options.receivables ?? RECEIVABLES;
  const largeTree = options.largeTree ?? 0;
  // Every stride-th part generated (never a root: roots are generated at multiples of TREE_SIZE) is mine.
  const stride = options.heldByMe === undefined ? 0 : Math.floor(receivables / options.heldByMe);
  const firstOther = stride === 0 ? 0 : 1;
  let generated = 0;
  const suppliers = Array.from({ length: SUPPLIERS }, (_, i) => addr(0x51, i));
  const cores = Array.from({ length: CORES }, (_, i) => addr(0xc0, i));
  const financiers = Array.from({ length: FINANCIERS }, (_, i) => addr(0xf1, i));
  const insertOrg = raw.prepare(`INSERT INTO "organisation" ("address", "role", "active", "kyc_hash", "registered_block", "updated_block") VALUES (?, ?, 1, ?, 1, 1)`);
  const insertLimit = raw.prepare(`INSERT INTO "issuance_limit" ("core_enterprise", "issuance_limit", "issued", "updated_block") VALUES (?, ?, ?, 1)`);
  const insertInvoice = raw.prepare(
    `INSERT INTO "invoice" ("id", "invoice_hash", "supplier", "debtor", "currency", "amount", "maturity", "status", "reject_reason", "root_id", "confirmation_nonce", "registered_block", "confirmed_block", "confirmed_tx_hash", "updated_block") VALUES (?, ?, ?, ?, ?, ?, ?, 'CONFIRMED', NULL, ?, '0', 1, ?, ?, ?)`,
  );
  const insertRoot = raw.prepare(
    `INSERT INTO "receivable_root" ("root_id", "invoice_hash", "issuer", "supplier", "currency", "face_amount", "maturity", "frozen", "overdue", "confirmed_block", "confirmed_tx_hash", "updated_block") VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
  );
  const insertReceivable = raw.prepare(
    `INSERT INTO "receivable" ("id", "root_id", "parent_id", "depth", "holder", "amount", "initial_amount", "status", "offered_to", "offer_deadline", "pledgee", "financed", "issuer", "currency", "maturity", "created_block", "created_tx_hash", "updated_block") VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', NULL, NULL, NULL, 0, ?, ?, ?, ?, ?, ?)`,
  );
  const insertHistory = raw.prepare(
    `INSERT INTO "receivable_history" ("block_number", "log_index", "receivable_id", "root_id", "kind", "from_address", "to_address", "amount", "related_id", "detail", "tx_hash", "block_timestamp") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const insertRequest = raw.prepare(
    `INSERT INTO "financing_request" ("id", "receivable_id", "holder", "issuer", "amount", "mode", "deadline_ms", "status", "accepted_quote_id", "created_at_ms") VALUES (?, ?, ?, ?, ?, 'ANY', ?, 'OPEN', NULL, ?)`,
  );
  const myIds: string[] = [];
  const deepLeaves: string[] = [];
  let largeTreeRoot: string | undefined;
  const candidates: { id: string; holder: string; issuer: string; amount: bigint }[] = [];
  let block = 100;
  raw.transaction(() => {
    for (const s of suppliers) insertOrg.run(s, "SUPPLIER", hash(1, 1));
    for (const c of cores) insertOrg.run(c, "CORE_ENTERPRISE", hash(2, 2));
    for (const f of financiers) insertOrg.run(f, "FINANCIER", hash(3, 3));
    const trees = Math.ceil((receivables - largeTree) / TREE_SIZE);
    const issuedByCore = new Map<string, bigint>();
    for (let t = 0; t < trees + (largeTree > 0 ? 1 : 0); t++) {
      const size = t < trees ? TREE_SIZE : largeTree;
      const rootId = (BigInt(t + 1) << 32n).toString();
      if (t === trees) largeTreeRoot = rootId;
      const issuer = cores[t % CORES] as string;
      const supplier = suppliers[firstOther + (t % 50)] as string;
      const face = 5_000_000n * 100n;
      const maturity = now + 30 * 86_400 + (t % 300) * 86_400;
      const tx = hash(t, 7);
      block += 1;
      insertInvoice.run(`${supplier}:${hash(t, 9)}`, hash(t, 9), supplier, issuer, currency, face.toString(), maturity, rootId, block, tx, block);
      insertRoot.run(rootId, hash(t, 9), issuer, supplier, currency, face.toString(), maturity, block, tx, block);
      issuedByCore.set(issuer, (issuedByCore.get(issuer) ?? 0n) + face);
      const nodes: { id: string; depth: number; holder: string; amount: bigint; parent: number }[] = [
        { id: rootId, depth: 0, holder: supplier, amount: face, parent: -1 },
      ];
      insertHistory.run(block, 0, rootId, rootId, "CONFIRMED", null, supplier, face.toString(), null, tx, now - 86_400);
      generated += 1;
      for (let i = 1; i < size; i++) {
        // The first 10 children form one path down to depth 10; the rest hang anywhere shallower.
        let parentIndex: number;
        if (i <= MAX_DEPTH) parentIndex = i - 1;
        else {
          do parentIndex = Math.floor(rand() * nodes.length);
          while ((nodes[parentIndex] as { depth: number }).depth >= MAX_DEPTH);
        }
        const parent = nodes[parentIndex] as (typeof nodes)[number];
        const amount = parent.amount / 3n;
        parent.amount -= amount;
        const moves = rand() < 0.7;
        generated += 1;
        const mine = stride > 0 && generated % stride === 0;
        const drawn = moves ? (suppliers[firstOther + Math.floor(rand() * (SUPPLIERS - firstOther))] as string) : parent.holder;
        const holder = mine ? (suppliers[0] as string) : drawn === suppliers[0] && stride > 0 ? (suppliers[firstOther] as string) : drawn;
        const id = ((BigInt(t + 1) << 32n) | BigInt(i)).toString();
        nodes.push({ id, depth: parent.depth + 1, holder, amount, parent: parentIndex });
        block += 1;
        const ctx = hash(t * TREE_SIZE + i, 8);
        const moved = holder !== parent.holder;
        insertHistory.run(block, 0, parent.id, rootId, "SPLIT", parent.holder, parent.holder, amount.toString(), id, ctx, now - 3_600);
        insertHistory.run(block, 1, id, rootId, "CREATED", parent.holder, parent.holder, amount.toString(), parent.id, ctx, now - 3_600);
        if (moves || moved) {
          insertHistory.run(block, 2, id, rootId, "OFFERED", parent.holder, holder, amount.toString(), null, ctx, now - 3_600);
          block += 1;
          insertHistory.run(block, 0, id, rootId, "ACCEPTED", parent.holder, holder, amount.toString(), null, hash(t * TREE_SIZE + i, 6), now - 3_000);
        }
      }
      for (const n of nodes) {
        const parentId = n.parent < 0 ? null : (nodes[n.parent] as { id: string }).id;
        insertReceivable.run(n.id, rootId, parentId, n.depth, n.holder, n.amount.toString(), n.amount.toString(), issuer, currency, maturity, block, tx, block);
        if (n.holder === suppliers[0]) myIds.push(n.id);
        if (n.depth === MAX_DEPTH) deepLeaves.push(n.id);
        if (n.depth > 0 && candidates.length < OPEN_REQUESTS * 3) candidates.push({ id: n.id, holder: n.holder, issuer, amount: n.amount });
      }
    }
    for (const [core, issued] of issuedByCore) insertLimit.run(core, (issued * 2n).toString(), issued.toString());
    for (let i = 0; i < OPEN_REQUESTS; i++) {
      const c = candidates[i * 3] as (typeof candidates)[number];
      insertRequest.run(randomUUID(), c.id, c.holder, c.issuer, (c.amount / 2n).toString(), BigInt(now + 7 * 86_400 + i * 60) * 1000n, BigInt(Date.now()));
    }
    raw
      .prepare(
        `INSERT INTO "indexer_state" ("id", "chain_id", "genesis_hash", "contracts", "start_block", "checkpoint_block", "checkpoint_hash", "undo_floor", "head_block", "lag_blocks", "events_total", "events_per_second", "phase", "last_error", "writer", "updated_at_ms") VALUES ('main', 31337, ?, '{}', 1, ?, ?, ?, ?, 0, ?, 0, 'live', NULL, 'bench', ?)`,
      )
      .run(hash(0, 0), block, hash(block, 5), block, block, receivables, Date.now());
  })();
  raw.pragma("optimize");
  return { me: suppliers[0] as string, financier: financiers[0] as string, myIds, deepLeaves, ...(largeTreeRoot === undefined ? {} : { largeTreeRoot }) };
}

/**
 * The child process: the real app over the seeded database, listening on 127.0.0.1. With
 * BENCH_WORKERS > 1 it is a cluster of that many API processes sharing the port (API processes are
 * stateless; each opens its own database connection), as a replicated deployment would run.
 */
async function serve(url: string): Promise<void> {
  const workers = Number(process.env.BENCH_WORKERS ?? 1);
  if (workers > 1 && cluster.isPrimary) {
    let ready = 0;
    let port = 0;
    for (let i = 0; i < workers; i++) {
      const worker = cluster.fork();
      worker.on("message", (m: { port: number }) => {
        port = m.port;
        ready += 1;
        if (ready === workers) process.send?.({ port });
      });
    }
    process.on("SIGTERM", () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill();
      process.exit(0);
    });
    return;
  }
  const db = await openDatabase({ url, migrate: false });
  const config = loadApiConfig({ API_PORT: "0", API_RATE_LIMIT_PER_MINUTE: "1000000000", API_LOG_LEVEL: "silent" });
  // The read routes never touch the chain; the provider below is never asked anything.
  const provider = new JsonRpcProvider("http://127.0.0.1:9", Network.from(31337), { staticNetwork: true });
  const chain = createChainContext({
    provider,
    chainId: 31337n,
    addresses: { ledger: addr(0xee, 1) },
    signers: createSignerRegistry({ provider, organisations: new Map(), interfaces: projectInterfaces(), sql: db.sql, chain: { chainKey: "31337:none", chainId: 31337n }, sweepMs: 0 }),
  });
  const domain = createDomain({ db: db.prisma, readSql: db.sql, chain, waitForIndexed: async () => true, documentDir: os.tmpdir() });
  const { app } = createApp({ config, db: db.prisma, sql: db.sql, logger: silentLogger(), domainRoutes: domain.routes });
  // Exit cleanly on a signal so that `--cpu-prof` can write its profile.
  process.on("SIGINT", () => process.exit(0));
  // The parent asks for this process's CPU time around each run: CPU per request is the figure that
  // other load on the machine disturbs least.
  process.on("message", (m) => {
    if (m === "cpu") process.send?.({ cpu: process.cpuUsage() });
  });
  // Cluster workers share one port: a fixed one is chosen by the parent (port 0 would differ per worker).
  const server = app.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", () => {
    const address = server.address();
    process.send?.({ port: typeof address === "object" && address !== null ? address.port : 0 });
  });
}

interface RouteBench {
  name: string;
  auth: string;
  paths: string[];
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate and its latency counts from that
 * instant, not from when it was actually sent, so a stalled server cannot hide its queue (no coordinated
 * omission). autocannon's own rate limiting sends each second's requests in a burst, which would
 * measure the burst rather than the server; it is used for the saturation runs only.
 */
async function fixedRate(port: number, route: RouteBench, rate: number, seconds: number): Promise<{ p50: number; p90: number; p99: number; max: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let done = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    const finish = () => {
      done += 1;
      if (done === total) resolve();
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        const due = start + (next * 1000) / rate;
        const path = route.paths[next % route.paths.length] as string;
        next += 1;
        const req = http.get({ host: "127.0.0.1", port, path, agent, headers: { authorization: `Bearer ${route.auth}` } }, (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode !== 200) errors += 1;
            latencies.push(performance.now() - due);
            finish();
          });
        });
        req.on("error", () => {
          errors += 1;
          finish();
        });
      }
      if (next < total) setTimeout(tick, 1);
    };
    tick();
  });
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), errors };
}

async function run(port: number, route: RouteBench, rate?: number): Promise<AutocannonResult> {
  let i = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: rate === undefined ? 64 : 16,
    duration: DURATION,
    ...(rate === undefined ? {} : { overallRate: rate }),
    headers: { authorization: `Bearer ${route.auth}` },
    requests: [
      {
        method: "GET",
        setupRequest: (req: Record<string, unknown>) => ({ ...req, path: route.paths[i++ % route.paths.length] }),
      },
    ],
  });
}

/** The API process's CPU time so far (one process only; a cluster's primary does no serving). */
async function cpuOf(child: ChildProcess): Promise<NodeJS.CpuUsage | undefined> {
  if (Number(process.env.BENCH_WORKERS ?? 1) > 1) return undefined;
  return new Promise((resolve) => {
    const onMessage = (m: { cpu?: NodeJS.CpuUsage }) => {
      if (m.cpu === undefined) return;
      child.off("message", onMessage);
      resolve(m.cpu);
    };
    child.on("message", onMessage);
    child.send("cpu");
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === "--serve") {
    await serve(process.argv[3] as string);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-api-"));
  const url = `file:${path.join(dir, "bench.db")}`;
  const db = await openDatabase({ url });
  const started = Date.now();
  const seeded = seed((db.sql as unknown as { raw: Database.Database }).raw);
  console.log(`seeded ${RECEIVABLES.toLocaleString("en")} receivables in ${Math.ceil(RECEIVABLES / TREE_SIZE)} trees (depth ≤ ${MAX_DEPTH}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const { app: _unused, auth } = createApp({
    config: loadApiConfig({ API_LOG_LEVEL: "silent" }),
    db: db.prisma,
    sql: db.sql,
    logger: silentLogger(),
  });
  void _unused;
  const supplierKey = (await auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: seeded.me, admin: false }, label: "bench" })).token;
  const financierKey = (await auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: seeded.financier, admin: false }, label: "bench" })).token;
  const auditorKey = (await auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "AUDITOR" }, label: "bench" })).token;
  await db.close();

  // Cursors for every page of the supplier's list, so the list benchmark walks all of them.
  const sorted = [...seeded.myIds].sort();
  const pages = ["/v1/receivables?limit=50"];
  for (let i = 49; i < sorted.length - 1; i += 50) pages.push(`/v1/receivables?limit=50&cursor=${Buffer.from(sorted[i] as string).toString("base64url")}`);

  const allRoutes: (RouteBench & { key: string })[] = [
    { key: "get", name: "GET /v1/receivables/{id} (get one)", auth: supplierKey, paths: seeded.myIds.map((id) => `/v1/receivables/${id}`) },
    { key: "list", name: "GET /v1/receivables?limit=50 (my receivables, paged)", auth: supplierKey, paths: pages },
    { key: "trace", name: "GET /v1/receivables/{id}/trace (depth-10 tree)", auth: auditorKey, paths: seeded.deepLeaves.slice(0, 500).map((id) => `/v1/receivables/${id}/trace`) },
    { key: "requests", name: "GET /v1/financing-requests?limit=20 (open, with risk views)", auth: financierKey, paths: ["/v1/financing-requests?limit=20"] },
  ];
  const only = process.env.BENCH_ROUTES?.split(",").map((k) => k.trim());
  const routes = only === undefined ? allRoutes : allRoutes.filter((r) => only.includes(r.key));

  const benchPort = await new Promise<number>((resolve) => {
    const probe = http.createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
  const child = fork(__filename, ["--serve", url], {
    execArgv: ["-r", "ts-node/register/transpile-only", ...(process.env.BENCH_CPU_PROF === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`])],
    stdio: "inherit",
    env: { ...process.env, BENCH_PORT: String(benchPort) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve(m.port));
    child.once("exit", (code) => reject(new Error(`API child exited with ${code}`)));
  });
  console.log(
    `API on 127.0.0.1:${port} (${Number(process.env.BENCH_WORKERS ?? 1)} process(es) of its own); ${DURATION} s per run; my receivables: ${seeded.myIds.length} (${pages.length} pages)\n`,
  );
  const rows: string[] = [];
  try {
    for (const route of routes) {
      await fixedRate(port, route, 200, 2); // warm-up: JIT, SQLite page cache, tier cache
      const fixed = await fixedRate(port, route, RATE, DURATION);
      console.log(`  ${route.key} @ ${RATE} req/s: p50 ${fixed.p50} p90 ${fixed.p90} p99 ${fixed.p99} max ${fixed.max} ms`);
      const cpuBefore = await cpuOf(child);
      const saturated = await run(port, route);
      const cpuAfter = await cpuOf(child);
      const cpuPerRequest =
        cpuBefore === undefined || cpuAfter === undefined
          ? undefined
          : (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / Math.max(1, saturated.requests.total);
      if (cpuPerRequest !== undefined) console.log(`  ${route.key} at saturation: API process CPU ${Math.round(cpuPerRequest)} µs per request`);
      const bad = fixed.errors + saturated.non2xx + saturated.errors;
      rows.push(
        `| ${route.name} | ${fixed.p50} | ${fixed.p99} | ${Math.round(saturated.requests.average).toLocaleString("en")} | ${saturated.latency.p50} / ${saturated.latency.p99} | ${cpuPerRequest === undefined ? "–" : Math.round(cpuPerRequest)} |${bad > 0 ? ` ${bad} errors/non-2xx` : ""}`,
      );
      console.log(rows[rows.length - 1]);
    }
  } finally {
    // SIGINT lets a profiling child exit through process.exit and write its profile.
    child.kill(process.env.BENCH_CPU_PROF === undefined ? "SIGTERM" : "SIGINT");
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n| route | p50 ms @ ${RATE} req/s | p99 ms @ ${RATE} req/s | saturation req/s | p50 / p99 ms at saturation | API CPU µs/request at saturation |`);
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
