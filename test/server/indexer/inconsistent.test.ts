// A node that serves blocks which contradict each other, and a node that is reset under the indexer.
// - A block whose parent hash is not the block before it, while that block is still on the chain, is no
//   reorganisation: the indexer backs off (never a tight loop of RPC calls), logs a warning, records
//   phase "stalled" and last_error, and /ready says so — until the node serves a consistent chain.
//   Played twice: through an RPC proxy that lies about one parent hash, and with Hardhat's own
//   `hardhat_mine 0x64`, whose blocks carry a zero parent hash.
// - A node reset is CHAIN_RESET whether the indexer was running through it or restarted after it.
// - Per-block log lines at the head are at debug, as docs/indexer.md says.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import request from "supertest";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { confirm, deploySystemFixture } from "../../fixtures/settlement";
import { createIndexer } from "../../../server/indexer/indexer";
import { ChainResetError, type IndexerError } from "../../../server/lib/errors";
import { createHttpTransport, type RpcTransport } from "../../../server/lib/rpc";
import type { Deployment } from "../../../server/lib/deployment";
import { openDatabase } from "../../../server/db/client";
import { createHarness } from "../api/harness";
import { startAnvil, type Anvil } from "../../../scripts/lib/anvil";
import { rewriteBlock, startRpcProxy } from "../chain/rpcProxy";
import { announceDialects, freshDatabase, testDialects } from "../db/fresh";
import { captureLogger, deploymentOf, expectSameAsFreshIndex, indexedDb, TEST_INDEXER_CONFIG } from "./helpers";

const ZERO_HASH = "0x" + "00".repeat(32);
const RETRY_WARNING = "indexer: retrying after an error";

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts every JSON-RPC call a transport is asked for (the in-process Hardhat provider, here). */
function counting(inner: RpcTransport): RpcTransport & { calls: (method?: string) => number; reset(): void } {
  const n = new Map<string, number>();
  return {
    send: (method, params) => {
      n.set(method, (n.get(method) ?? 0) + 1);
      return inner.send(method, params);
    },
    calls: (method) => (method ? (n.get(method) ?? 0) : [...n.values()].reduce((a, b) => a + b, 0)),
    reset: () => n.clear(),
  };
}

async function deployedWithActivity() {
  const sys = await deploySystemFixture();
  await confirm(sys, sys.tier1, 50_000n * sys.unit);
  return sys;
}

describe("indexer: inconsistent blocks and node resets", function () {
  before(announceDialects);

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, function () {
      it("backs off, warns, records last_error and reports not ready when a parent hash is inconsistent but no reorganisation; recovers when the node is consistent again", async function () {
        const sys = await loadFixture(deployedWithActivity);
        const deployment = await deploymentOf(sys);
        const proxy = await startRpcProxy(network.provider);
        const log = captureLogger();
        const idx = await indexedDb({
          dialect,
          provider: createHttpTransport(proxy.url),
          deployment,
          config: { maxBackoffMs: 800 },
          label: "liar",
          logger: log.logger,
        });
        const api = await createHarness({ db: idx.db });
        const running = idx.indexer.start();
        try {
          const state = () => idx.db.prisma.indexerState.findUnique({ where: { id: "main" } });
          const head = await ethers.provider.getBlockNumber();
          await waitFor("the indexer at the head", async () => (await state())?.phase === "live" && Number((await state())!.checkpointBlock) === head);
          expect((await request(api.app).get("/ready").expect(200)).body.indexer).to.include({ phase: "live", lastError: null, ok: true });

          // The node now says block head+1's parent is zero, while block `head` stays on the chain.
          proxy.rewrite = rewriteBlock(head + 1, (b) => ({ ...b, parentHash: ZERO_HASH }));
          for (let i = 0; i < 3; i++) await confirm(sys, sys.tier1, 1_000n * sys.unit + BigInt(i));

          const stalled = await waitFor("phase stalled", async () => {
            const st = await state();
            return st?.phase === "stalled" ? st : undefined;
          });
          expect(Number(stalled.checkpointBlock)).to.equal(head);
          expect(stalled.lastError).to.match(new RegExp(`inconsistent blocks: block ${head + 1} .* names parent ${ZERO_HASH}`));
          expect(stalled.lastError).to.match(/not a reorganisation/);

          // Backing off: over two seconds a handful of retries, not a tight loop (it used to be ~320 eth_getLogs/s).
          await sleep(500);
          proxy.resetCounts();
          const warningsBefore = log.lines.filter((l) => l.msg === RETRY_WARNING).length;
          await sleep(2_000);
          expect(proxy.counts.get("eth_blockNumber") ?? 0, `attempts in 2 s while stalled: ${JSON.stringify([...proxy.counts])}`).to.be.within(1, 6);
          expect(proxy.total(), `RPC calls in 2 s while stalled: ${JSON.stringify([...proxy.counts])}`).to.be.lessThan(40);
          expect(proxy.counts.get("eth_getLogs") ?? 0).to.equal(0);
          const warnings = log.lines.filter((l) => l.msg === RETRY_WARNING);
          expect(warnings.length - warningsBefore).to.be.within(1, 6);
          for (const w of warnings) expect(w).to.include({ level: 40, code: "CHAIN_INCONSISTENT" });
          expect(Number((await state())!.checkpointBlock), "nothing past the inconsistency is applied").to.equal(head);

          // /ready (the real route) says why the API's data stopped moving.
          const notReady = await request(api.app).get("/ready").expect(503);
          expect(notReady.body.ready).to.equal(false);
          expect(notReady.body.indexer).to.include({ phase: "stalled", ok: false, checkpoint: head });
          expect(notReady.body.indexer.lastError).to.match(/inconsistent blocks/);

          // The node tells the truth again: the indexer catches up and clears the error.
          proxy.rewrite = undefined;
          const newHead = await ethers.provider.getBlockNumber();
          await waitFor("recovery", async () => {
            const st = await state();
            return st?.phase === "live" && Number(st.checkpointBlock) === newHead && st.lastError === null;
          });
          expect((await request(api.app).get("/ready").expect(200)).body.indexer).to.include({ phase: "live", lastError: null, ok: true });
          await idx.indexer.stop();
          await running;
          await expectSameAsFreshIndex(idx.db, { dialect, provider: network.provider, deployment });
        } finally {
          await idx.close();
          await api.close();
          await proxy.close();
        }
      });
    });
  }

  describe("on Hardhat's hardhat_mine 0x64 (blocks whose parentHash is zero)", function () {
    it("a fresh index and a restarted one stop at the first inconsistent block with backoff, a warning and last_error, never spinning", async function () {
      const sys = await loadFixture(deployedWithActivity);
      const deployment = await deploymentOf(sys);
      await network.provider.send("hardhat_mine", ["0x64"]);
      await confirm(sys, sys.tier1, 7_000n * sys.unit);
      const head = await ethers.provider.getBlockNumber();

      const transport = counting(network.provider);
      const fresh = await freshDatabase("sqlite", "mine");
      const db = await openDatabase({ url: fresh.url });
      try {
        let stalledAt: number | undefined;
        for (const run of ["fresh index", "restarted index"]) {
          const log = captureLogger();
          const indexer = createIndexer({ provider: transport, db, config: { ...TEST_INDEXER_CONFIG, maxBackoffMs: 800 }, deployment, logger: log.logger });
          const running = indexer.start();
          const st = await waitFor(`${run}: phase stalled`, async () => {
            const s = await db.prisma.indexerState.findUnique({ where: { id: "main" } });
            return s?.phase === "stalled" ? s : undefined;
          });
          const checkpoint = Number(st.checkpointBlock);
          expect(checkpoint, run).to.be.lessThan(head);
          // It stopped exactly where the node's blocks stop chaining: the next block does not name the checkpoint as parent.
          const next = await ethers.provider.send("eth_getBlockByNumber", [`0x${(checkpoint + 1).toString(16)}`, false]);
          expect(next.parentHash, run).to.equal(ZERO_HASH);
          expect(st.lastError, run).to.match(/inconsistent blocks/).and.match(/hardhat_mine/);
          if (stalledAt !== undefined) expect(checkpoint, "the restart stalls at the same block").to.equal(stalledAt);
          stalledAt = checkpoint;

          await sleep(500);
          transport.reset();
          await sleep(2_000);
          // Each attempt asks for the head once (and for the headers of the blocks it would apply, one call
          // each on this transport): a few attempts in 2 s, not hundreds.
          expect(transport.calls("eth_blockNumber"), `${run}: attempts in 2 s while stalled`).to.be.within(1, 6);
          expect(transport.calls("eth_getLogs"), `${run}: eth_getLogs in 2 s while stalled`).to.equal(0);
          const warnings = log.lines.filter((l) => l.msg === RETRY_WARNING);
          expect(warnings.length, run).to.be.greaterThan(0);
          for (const w of warnings) expect(w).to.include({ level: 40, code: "CHAIN_INCONSISTENT" });
          expect(indexer.status()).to.include({ phase: "stalled" });
          await indexer.stop();
          await running;
        }
      } finally {
        await db.close();
        await fresh.drop();
      }
    });
  });

  describe("a node reset (anvil restarted behind the same RPC URL)", function () {
    const nodes: Anvil[] = [];
    after(async function () {
      for (const n of nodes) await n.stop();
    });
    const randomAddress = () => ethers.Wallet.createRandom().address.toLowerCase();
    const deployment: Deployment = {
      startBlock: 0,
      contracts: { ReceivableToken: randomAddress(), FinancingSettlement: randomAddress(), RepaymentVault: randomAddress() },
    };

    for (const variant of [
      { name: "another genesis", before: ["--timestamp", "1700000000"], after: ["--timestamp", "1700000999"], blocks: 10, reorgWindow: 64, message: /genesis/ },
      { name: "the same genesis, the head far below the checkpoint", before: ["--timestamp", "1700000000"], after: ["--timestamp", "1700000000"], blocks: 40, reorgWindow: 8, message: /far below the checkpoint/ },
    ]) {
      it(`is CHAIN_RESET while running and after a restart alike (${variant.name})`, async function () {
        const a = await startAnvil(variant.before);
        const b = await startAnvil(variant.after);
        nodes.push(a, b);
        const nodeA = createHttpTransport(a.url);
        const nodeB = createHttpTransport(b.url);
        const genesis = async (t: RpcTransport) => ((await t.send("eth_getBlockByNumber", ["0x0", false])) as { hash: string }).hash;
        expect(await genesis(nodeA) === (await genesis(nodeB)), "precondition: genesis hashes").to.equal(variant.name.startsWith("the same genesis"));
        await nodeA.send("anvil_mine", [`0x${variant.blocks.toString(16)}`]);
        await nodeB.send("anvil_mine", ["0x2"]);

        const proxy = await startRpcProxy(nodeA);
        const idx = await indexedDb({ dialect: "sqlite", provider: createHttpTransport(proxy.url), deployment, config: { reorgWindow: variant.reorgWindow }, label: "reset" });
        try {
          const running = idx.indexer.start();
          await waitFor("the indexer at node A's head", async () => idx.indexer.status().phase === "live" && idx.indexer.status().checkpoint === variant.blocks);

          proxy.upstream = nodeB; // the node is reset under the running indexer
          const whileRunning = (await running.catch((e: unknown) => e)) as IndexerError;
          expect(whileRunning).to.be.instanceOf(ChainResetError);
          expect(whileRunning.message).to.match(variant.message);
          const st = await idx.db.prisma.indexerState.findUniqueOrThrow({ where: { id: "main" } });
          expect(st.phase).to.equal("failed");
          // The code leads (the API's projection guard reads it): the same report as the error itself.
          expect(st.lastError).to.equal(`[${whileRunning.code}] ${whileRunning.message}`);

          const restarted = createIndexer({ provider: createHttpTransport(proxy.url), db: idx.db, config: { ...TEST_INDEXER_CONFIG, reorgWindow: variant.reorgWindow }, deployment, logger: captureLogger().logger });
          const afterRestart = (await restarted.start().catch((e: unknown) => e)) as IndexerError;
          expect(afterRestart).to.be.instanceOf(ChainResetError);
          expect(afterRestart.code).to.equal(whileRunning.code).and.equal("CHAIN_RESET");
          expect(afterRestart.message).to.equal(whileRunning.message);
        } finally {
          await idx.close();
          await proxy.close();
        }
      });
    }
  });

  describe("log lines", function () {
    it("logs every block applied at the head at debug, and progress at info at most every 5 s, as docs/indexer.md says", async function () {
      const sys = await loadFixture(deployedWithActivity);
      const log = captureLogger();
      const idx = await indexedDb({ dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys), label: "loglines", logger: log.logger });
      try {
        const started = Date.now();
        await idx.indexer.syncTo();
        const head = await ethers.provider.getBlockNumber();
        await confirm(sys, sys.tier1, 3_000n * sys.unit);
        await confirm(sys, sys.tier1, 4_000n * sys.unit);
        for (let i = 0; i < 3; i++) await network.provider.send("evm_mine", []);
        await idx.indexer.syncTo();
        await confirm(sys, sys.tier1, 5_000n * sys.unit);
        await idx.indexer.syncTo();
        const applied = log.lines.filter((l) => l.msg === "indexer: block applied");
        expect(applied.map((l) => l.block).slice(-6)).to.deep.equal([1, 2, 3, 4, 5, 6].map((i) => head + i));
        for (const l of applied) expect(l.level, "per-block lines are debug").to.equal(20);
        expect(applied.slice(-6).map((l) => (l.events as number) > 0), "events per block").to.deep.equal([true, true, false, false, false, true]);
        const progress = log.lines.filter((l) => l.level === 30 && /^indexer: (live|backfill)$/.test(l.msg));
        expect(progress.length).to.be.at.most(1 + Math.floor((Date.now() - started) / 5_000));
        const docs = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "docs", "indexer.md"), "utf8");
        expect(docs).to.match(/`indexer: block applied`[^\n]*debug/);
      } finally {
        await idx.close();
      }
    });
  });
});
