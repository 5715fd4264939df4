// Every event type the contracts emit lands in the right projections: drive the real contracts
// through a story that emits each of them, index, and compare the database with contract state read
// through eth_call. On SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { createDecoder } from "../../../server/indexer/decode";
import { HANDLERS, RECORDED_ONLY, handlerKey } from "../../../server/indexer/projections";
import { announceDialects, testDialects } from "../db/fresh";
import { deploymentOf, dumpChainTables, expectSameTables, indexedDb } from "./helpers";
import { everyEventFixture, expectProjectionsMatchChain } from "./scenario";

describe("indexer: projections", function () {
  before(announceDialects);

  it("knows every event the deployed contracts can emit (a projection or recorded-only)", async function () {
    const decoder = createDecoder({ ReceivableToken: "0x" + "1".repeat(40), FinancingSettlement: "0x" + "2".repeat(40), RepaymentVault: "0x" + "3".repeat(40), RiskProgramme: "0x" + "4".repeat(40) });
    const unknown = decoder.events().map(handlerKey).filter((k) => !HANDLERS[k] && !RECORDED_ONLY.has(k));
    expect(unknown).to.deep.equal([]);
  });

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, function () {
      it("projects every event type to what the contracts say", async function () {
        const sys = await loadFixture(everyEventFixture);
        const idx = await indexedDb({ dialect, provider: network.provider, deployment: await deploymentOf(sys), label: "proj" });
        try {
          await idx.indexer.syncTo();
          const seen = new Set((await idx.db.sql.query<{ contract_name: string; event_name: string }>(`SELECT DISTINCT "contract_name", "event_name" FROM "chain_event"`)).map((r) => `${r.contract_name}.${r.event_name}`));
          const notExercised = Object.keys(HANDLERS).filter((k) => !seen.has(k));
          expect(notExercised, "projected events the story did not emit").to.deep.equal([]);
          await expectProjectionsMatchChain(idx.db, sys);
          const status = idx.indexer.status();
          expect(status.lag).to.equal(0);
          const state = await idx.db.prisma.indexerState.findUniqueOrThrow({ where: { id: "main" } });
          expect(Number(state.checkpointBlock)).to.equal(status.head);
          expect(state.eventsTotal).to.equal(BigInt((await idx.db.sql.query(`SELECT * FROM "chain_event"`)).length));
        } finally {
          await idx.close();
        }
      });

      it("gives the same database whether it follows block by block or backfills in ranges", async function () {
        const sys = await loadFixture(everyEventFixture);
        const deployment = await deploymentOf(sys);
        // Window 1: nearly everything is backfilled by eth_getLogs ranges without a journal.
        const ranged = await indexedDb({ dialect, provider: network.provider, deployment, config: { reorgWindow: 1, blockRange: 7 }, label: "ranged" });
        // Window 10^5: everything is followed header by header with logs fetched by block hash.
        const followed = await indexedDb({ dialect, provider: network.provider, deployment, config: { reorgWindow: 100_000, blockRange: 3 }, label: "followed" });
        try {
          await ranged.indexer.syncTo();
          await followed.indexer.syncTo();
          expectSameTables(await dumpChainTables(ranged.db), await dumpChainTables(followed.db));
        } finally {
          await ranged.close();
          await followed.close();
        }
      });
    });
  }
});
