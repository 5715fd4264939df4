// Reorganisations: Hardhat's evm_snapshot / evm_revert replace the newest blocks with different
// ones. Indexing with 0 confirmations across such reorgs of depth 1..N (and while blocks keep
// arriving) must leave the database equal, row for row, to a fresh index of the final chain. A reorg
// deeper than the window, a reset chain and an unknown log stop the indexer with a clear error.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { confirm, deploySystemFixture, transfer, type System } from "../../fixtures/settlement";
import { ChainResetError, ReorgTooDeepError, UnknownLogError } from "../../../server/lib/errors";
import { announceDialects, testDialects } from "../db/fresh";
import { captureLogger, deploymentOf, expectSameAsFreshIndex, indexedDb } from "./helpers";

let salt = 0;
/** `blocks` blocks of ledger activity, different on every call (amounts vary with a counter). */
async function activity(sys: System, blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) {
    salt++;
    const kind = salt % 3;
    if (kind === 0) await confirm(sys, sys.tier1, 1_000n * sys.unit + BigInt(salt));
    else if (kind === 1) {
      const root = await confirm(sys, sys.tier2, 2_000n * sys.unit + BigInt(salt));
      void root;
    } else {
      await sys.ledger.connect(sys.operator).setIssuanceLimit(sys.core2.address, 1_000_000n + BigInt(salt));
    }
  }
}

async function snapshot(): Promise<string> {
  return (await network.provider.send("evm_snapshot", [])) as string;
}
async function revert(id: string): Promise<void> {
  expect(await network.provider.send("evm_revert", [id])).to.equal(true);
}

async function storyStart() {
  const sys = await deploySystemFixture();
  const root = await confirm(sys, sys.tier1, 100_000n * sys.unit);
  await transfer(sys, sys.tier1, sys.tier2, root, 40_000n * sys.unit);
  return sys;
}

describe("indexer: reorganisations", function () {
  before(announceDialects);

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, function () {
      it("rolls back reorgs of depth 1..12 (shorter, equal and longer replacement chains) to a fresh index's state", async function () {
        const sys = await loadFixture(storyStart);
        const log = captureLogger();
        const idx = await indexedDb({ dialect, provider: network.provider, deployment: await deploymentOf(sys), label: "reorg", logger: log.logger });
        try {
          await idx.indexer.syncTo();
          const rollbacks = () => log.lines.filter((l) => l.msg === "indexer: reorganisation rolled back").map((l) => l.depth);
          for (const [depth, replacement] of [
            [1, 1],
            [2, 1],
            [3, 5],
            [5, 5],
            [8, 2],
            [12, 13],
          ] as const) {
            const snap = await snapshot();
            await activity(sys, depth);
            await idx.indexer.syncTo();
            await revert(snap);
            await activity(sys, replacement);
            const before = rollbacks().length;
            await idx.indexer.syncTo();
            // The reorg was detected and rolled back (the replaced blocks were all indexed).
            expect(rollbacks().slice(before), `rollback after a reorg of depth ${depth}`).to.deep.equal([depth]);
            await expectSameAsFreshIndex(idx.db, { dialect, provider: network.provider, deployment: await deploymentOf(sys) });
          }
        } finally {
          await idx.close();
        }
      });

      it("follows the head through reorgs while blocks keep arriving (0 confirmations, running indexer)", async function () {
        const sys = await loadFixture(storyStart);
        const idx = await indexedDb({ dialect, provider: network.provider, deployment: await deploymentOf(sys), label: "live" });
        const running = idx.indexer.start();
        try {
          for (let round = 0; round < 6; round++) {
            const snap = await snapshot();
            await activity(sys, 1 + (round % 4));
            await new Promise((r) => setTimeout(r, 30 * (round % 3)));
            await revert(snap);
            await activity(sys, 1 + ((round * 7) % 5));
          }
          const head = await ethers.provider.getBlockNumber();
          const headHash = (await ethers.provider.getBlock(head))!.hash!.toLowerCase();
          const until = Date.now() + 30_000;
          for (;;) {
            const st = await idx.db.prisma.indexerState.findUnique({ where: { id: "main" } });
            if (st && Number(st.checkpointBlock) === head && st.checkpointHash === headHash) break;
            if (Date.now() > until) throw new Error(`the running indexer did not reach block ${head} ${headHash}`);
            await new Promise((r) => setTimeout(r, 20));
          }
          await idx.indexer.stop();
          await running;
          await expectSameAsFreshIndex(idx.db, { dialect, provider: network.provider, deployment: await deploymentOf(sys) });
        } finally {
          await idx.close();
        }
      });

      it("stops with ReorgTooDeepError when a reorg is deeper than the window", async function () {
        const sys = await loadFixture(storyStart);
        const idx = await indexedDb({ dialect, provider: network.provider, deployment: await deploymentOf(sys), config: { reorgWindow: 3 }, label: "deep" });
        try {
          await idx.indexer.syncTo();
          const snap = await snapshot();
          await activity(sys, 6);
          await idx.indexer.syncTo();
          await revert(snap);
          await activity(sys, 7);
          const err = await idx.indexer.syncTo().catch((e: unknown) => e);
          expect(err).to.be.instanceOf(ReorgTooDeepError);
          expect((err as Error).message).to.match(/reorganisation deeper than the stored window/);
        } finally {
          await idx.close();
        }
      });
    });
  }

  // Only on anvil (npm run test:anvil): its anvil_reorg replaces the newest blocks of the same chain
  // with other blocks, a reorganisation made by the node itself rather than by snapshot and revert.
  if (network.name === "anvil") {
    describe("anvil_reorg (a real reorganisation on anvil)", function () {
      it("rolls back the replaced blocks at their exact depth, to a fresh index's state, with and without replacement transactions", async function () {
        const sys = await loadFixture(storyStart);
        const log = captureLogger();
        const idx = await indexedDb({ dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys), label: "anvilreorg", logger: log.logger });
        const rollbacks = () => log.lines.filter((l) => l.msg === "indexer: reorganisation rolled back").map((l) => l.depth);
        try {
          await activity(sys, 6);
          await idx.indexer.syncTo();
          const before = await ethers.provider.getBlockNumber();
          const replacedHash = (await ethers.provider.getBlock(before))!.hash;
          // Depth 3, the replacement blocks empty: the events of the three newest blocks are gone.
          await network.provider.send("anvil_reorg", [3, []]);
          expect(await ethers.provider.getBlockNumber()).to.equal(before);
          expect((await ethers.provider.getBlock(before))!.hash).to.not.equal(replacedHash);
          await idx.indexer.syncTo();
          expect(rollbacks()).to.deep.equal([3]);
          await expectSameAsFreshIndex(idx.db, { dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys) });

          // Depth 2, a different transaction in the replacement: an issuance limit set in the new first block.
          await activity(sys, 2);
          await idx.indexer.syncTo();
          const data = sys.ledger.interface.encodeFunctionData("setIssuanceLimit", [sys.core2.address, 4_242n]);
          await network.provider.send("anvil_reorg", [2, [[{ from: sys.operator.address, to: await sys.ledger.getAddress(), data, gas: "0x7a120" }, 0]]]);
          await idx.indexer.syncTo();
          expect(rollbacks()).to.deep.equal([3, 2]);
          await expectSameAsFreshIndex(idx.db, { dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys) });
          expect((await sys.ledger.issuanceLimitOf(sys.core2.address))[0], "the replacement transaction is on the chain").to.equal(4_242n);
        } finally {
          await idx.close();
        }
      });
    });
  }

  describe("with CONFIRMATIONS=2", function () {
    it("never indexes the two newest blocks, so a reorg of only those needs no rollback; a deeper one is rolled back", async function () {
      const sys = await loadFixture(storyStart);
      const log = captureLogger();
      const idx = await indexedDb({ dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys), config: { confirmations: 2 }, label: "conf", logger: log.logger });
      const rollbacks = () => log.lines.filter((l) => l.msg === "indexer: reorganisation rolled back").map((l) => l.depth);
      try {
        await activity(sys, 3);
        const status = await idx.indexer.syncTo();
        expect(status.checkpoint).to.equal((await ethers.provider.getBlockNumber()) - 2);
        let snap = await snapshot();
        await activity(sys, 2);
        await idx.indexer.syncTo();
        await revert(snap);
        await activity(sys, 3);
        await idx.indexer.syncTo();
        expect(rollbacks(), "a reorg of unconfirmed blocks only").to.deep.equal([]);
        snap = await snapshot();
        await activity(sys, 5);
        await idx.indexer.syncTo();
        await revert(snap);
        await activity(sys, 6);
        await idx.indexer.syncTo();
        expect(rollbacks(), "the three confirmed blocks of a depth-5 reorg").to.deep.equal([3]);
        await expectSameAsFreshIndex(idx.db, { dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys), config: { confirmations: 2 }, label: "conffresh" });
      } finally {
        await idx.close();
      }
    });
  });

  describe("a start block the node has not reached yet", function () {
    it("waits for the chain instead of taking it for a reset", async function () {
      const sys = await loadFixture(storyStart);
      const head = await ethers.provider.getBlockNumber();
      const idx = await indexedDb({ dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys, head + 3), label: "ahead" });
      try {
        const waiting = await idx.indexer.syncTo();
        expect(waiting.checkpoint).to.equal(head + 2);
        await activity(sys, 5);
        const done = await idx.indexer.syncTo();
        expect(done.checkpoint).to.equal(await ethers.provider.getBlockNumber());
        const first = await idx.db.sql.query<{ n: number }>(`SELECT MIN("block_number") AS n FROM "chain_event"`);
        expect(Number(first[0]!.n)).to.be.greaterThanOrEqual(head + 3);
      } finally {
        await idx.close();
      }
    });
  });

  describe("refusals", function () {
    it("refuses a chain whose genesis differs from the one the database indexed", async function () {
      const sys = await loadFixture(storyStart);
      const idx = await indexedDb({ dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys), label: "genesis" });
      try {
        await idx.indexer.syncTo();
        await idx.db.sql.run(`UPDATE "indexer_state" SET "genesis_hash" = ?`, ["0x" + "ab".repeat(32)]);
        const { createIndexer } = await import("../../../server/indexer/indexer");
        const { silentLogger } = await import("../../../server/lib/logger");
        const again = createIndexer({ provider: network.provider, db: idx.db, config: { ...(await import("./helpers")).TEST_INDEXER_CONFIG }, deployment: await deploymentOf(sys), logger: silentLogger() });
        const err = await again.syncTo().catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ChainResetError);
        expect((err as Error).message).to.match(/the chain was reset/);
      } finally {
        await idx.close();
      }
    });

    it("refuses a chain whose head is far below the checkpoint", async function () {
      const sys = await loadFixture(storyStart);
      const idx = await indexedDb({ dialect: "sqlite", provider: network.provider, deployment: await deploymentOf(sys), label: "below" });
      try {
        await idx.indexer.syncTo();
        const head = await ethers.provider.getBlockNumber();
        await idx.db.sql.run(`UPDATE "indexer_state" SET "checkpoint_block" = ?`, [BigInt(head + 1_000)]);
        const { createIndexer } = await import("../../../server/indexer/indexer");
        const { silentLogger } = await import("../../../server/lib/logger");
        const again = createIndexer({ provider: network.provider, db: idx.db, config: { ...(await import("./helpers")).TEST_INDEXER_CONFIG }, deployment: await deploymentOf(sys), logger: silentLogger() });
        const err = await again.syncTo().catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ChainResetError);
        expect((err as Error).message).to.match(/far below the checkpoint/);
      } finally {
        await idx.close();
      }
    });

    it("stops with UnknownLogError on a log its ABI does not declare, and writes nothing of that block", async function () {
      const sys = await loadFixture(storyStart);
      // Pretend the settlement token (ERC-20 Transfer: 3 topics) is the ledger (ERC-721 Transfer: 4 topics).
      const deployment = await deploymentOf(sys);
      deployment.contracts.ReceivableToken = (await sys.cash.getAddress()).toLowerCase();
      const idx = await indexedDb({ dialect: "sqlite", provider: network.provider, deployment, label: "unknown" });
      try {
        await mine(1);
        const err = await idx.indexer.syncTo().catch((e: unknown) => e);
        expect(err).to.be.instanceOf(UnknownLogError);
        expect((err as Error).message).to.match(/does not decode|does not declare/);
        const st = await idx.db.prisma.indexerState.findUniqueOrThrow({ where: { id: "main" } });
        const firstCashLog = (await sys.cash.queryFilter(sys.cash.filters.Transfer()))[0]!;
        expect(Number(st.checkpointBlock)).to.be.lessThan(firstCashLog.blockNumber);
      } finally {
        await idx.close();
      }
    });
  });
});
