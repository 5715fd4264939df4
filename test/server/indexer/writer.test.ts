// One writer per database. With PostgreSQL a second indexer waits on the advisory lock and takes
// over when the first stops; on any database an indexer whose checkpoint was moved by someone else
// refuses to write (WriterConflictError) instead of applying blocks twice.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { confirm, deploySystemFixture } from "../../fixtures/settlement";
import { openDatabase } from "../../../server/db/client";
import { createIndexer } from "../../../server/indexer/indexer";
import { WriterConflictError } from "../../../server/lib/errors";
import { silentLogger } from "../../../server/lib/logger";
import { announceDialects, freshDatabase, testDialects } from "../db/fresh";
import { deploymentOf, expectSameAsFreshIndex, indexedDb, TEST_INDEXER_CONFIG } from "./helpers";

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("indexer: one writer", function () {
  before(announceDialects);

  for (const dialect of testDialects()) {
    it(`refuses to write when another indexer moved the checkpoint (${dialect})`, async function () {
      const sys = await loadFixture(deploySystemFixture);
      const deployment = await deploymentOf(sys);
      const a = await indexedDb({ dialect, provider: network.provider, deployment, label: "wa" });
      try {
        const b = createIndexer({ provider: network.provider, db: a.db, config: TEST_INDEXER_CONFIG, deployment, logger: silentLogger() });
        const head = await ethers.provider.getBlockNumber();
        await b.syncTo(head - 3);
        await a.indexer.syncTo();
        await confirm(sys, sys.tier1, 1_000n);
        const err = await b.syncTo().catch((e: unknown) => e);
        expect(err).to.be.instanceOf(WriterConflictError);
        expect((err as Error).message).to.match(/another indexer wrote to this database/);
      } finally {
        await a.close();
      }
    });
  }

  if (testDialects().includes("postgres")) {
    it("lets a second PostgreSQL indexer wait on the lock and take over when the first stops", async function () {
      const sys = await loadFixture(deploySystemFixture);
      const deployment = await deploymentOf(sys);
      const fresh = await freshDatabase("postgres", "lock");
      const dbA = await openDatabase({ url: fresh.url });
      const dbB = await openDatabase({ url: fresh.url });
      const make = (db: typeof dbA) => createIndexer({ provider: network.provider, db, config: TEST_INDEXER_CONFIG, deployment, logger: silentLogger() });
      const a = make(dbA);
      const b = make(dbB);
      try {
        const runA = a.start();
        let head = await ethers.provider.getBlockNumber();
        await waitFor(() => a.status().checkpoint >= head, 20_000, "A to catch up");
        const runB = b.start();
        await new Promise((r) => setTimeout(r, 300));
        expect(b.status().phase, "B waits for the lock").to.equal("starting");
        expect(b.status().checkpoint).to.equal(-1);
        await confirm(sys, sys.tier1, 2_000n);
        head = await ethers.provider.getBlockNumber();
        await waitFor(() => a.status().checkpoint >= head, 20_000, "A to index the new block");
        await a.stop();
        await runA;
        await confirm(sys, sys.tier2, 3_000n);
        head = await ethers.provider.getBlockNumber();
        await waitFor(() => b.status().checkpoint >= head, 20_000, "B to take over and catch up");
        await b.stop();
        await runB;
        await expectSameAsFreshIndex(dbB, { dialect: "postgres", provider: network.provider, deployment, head, label: "lockref" });
      } finally {
        await a.stop();
        await b.stop();
        await dbA.close();
        await dbB.close();
        await fresh.drop();
      }
    });
  }
});
