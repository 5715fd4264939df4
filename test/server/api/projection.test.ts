// Reads refuse data known not to match the chain (503 ProjectionInvalid with the reason), and /ready
// notices a dead indexer on a quiet chain by its heartbeat, not only by block lag.
import { expect } from "chai";
import request from "supertest";
import { createReadinessProbe } from "../../../server/api/readiness";
import { loadApiConfig } from "../../../server/config/api";
import { announceDialects, testDialects } from "../db/fresh";
import { createHarness, type Harness } from "./harness";
import { probeRoute } from "../../helpers/probe";

const GENESIS = "0x" + "11".repeat(32);


describe("API: indexed data known to be wrong, and a dead indexer", function () {
  before(() => announceDialects());

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, function () {
      let h: Harness;
      let genesis = GENESIS;
      const head = 100;
      beforeEach(async function () {
        genesis = GENESIS;

        h = await createHarness({ dialect, domainRoutes: [probeRoute], genesisHash: async () => genesis, chainHead: async () => head });
      });
      afterEach(async () => h.close());

      const writeState = async (s: { phase: string; lastError?: string | null; updatedAtMs?: number; checkpoint?: number }) => {
        await h.db.sql.run(`DELETE FROM "indexer_state"`);
        await h.db.sql.run(
          `INSERT INTO "indexer_state" ("id","chain_id","genesis_hash","contracts","start_block","checkpoint_block","checkpoint_hash","undo_floor","head_block","lag_blocks","events_total","events_per_second","phase","last_error","writer","updated_at_ms")
           VALUES ('main', 31337, ?, '{}', 1, ?, NULL, 0, 100, 0, 0, 0, ?, ?, 'test:1', ?)`,
          [GENESIS, BigInt(s.checkpoint ?? 100), s.phase, s.lastError ?? null, BigInt(s.updatedAtMs ?? Date.now())],
        );
      };
      // The guard caches its judgement for a second; a new harness per case keeps cases independent.

      it("serves reads and is ready while the indexer is live and beating", async function () {
        await writeState({ phase: "live" });
        await request(h.app).get("/v1/probe").expect(200);
        const ready = await request(h.app).get("/ready").expect(200);
        expect(ready.body.projection).to.deep.equal({ valid: true });
        expect(ready.body.indexer.heartbeatAgeMs).to.be.lessThan(30_000);
      });

      for (const reason of ["REORG_TOO_DEEP", "CHAIN_RESET", "DEPLOYMENT_MISMATCH"]) {
        it(`answers reads 503 ProjectionInvalid naming ${reason} after the indexer stopped with it`, async function () {
          await writeState({ phase: "failed", lastError: `[${reason}] the chain moved under block 90` });
          const res = await request(h.app).get("/v1/probe").expect(503);
          expect(res.body.error.code).to.equal("ProjectionInvalid");
          expect(res.body.error.details).to.deep.equal({ reason });
          expect(res.body.error.message).to.include("the chain moved under block 90").and.include("npm run indexer:reset");
          const ready = await request(h.app).get("/ready").expect(503);
          expect(ready.body.projection).to.deep.include({ valid: false, reason });
        });
      }

      it("keeps serving (stale, not wrong) after an RPC outage or a lost lock", async function () {
        await writeState({ phase: "failed", lastError: "[WRITER_LOCK_LOST] lost the writer lock" });
        await request(h.app).get("/v1/probe").expect(200);
        await request(h.app).get("/ready").expect(503); // but not ready: nobody is indexing
      });

      it("notices on its own that the chain was reset (another genesis), even before the indexer does", async function () {
        await writeState({ phase: "live" });
        genesis = "0x" + "22".repeat(32);
        const res = await request(h.app).get("/v1/probe").expect(503);
        expect(res.body.error.details).to.deep.equal({ reason: "CHAIN_RESET" });
        expect(res.body.error.message).to.include(genesis);
      });

      it("is not ready when the indexer's heartbeat is stale on a quiet chain (no lag at all)", async function () {
        await writeState({ phase: "live", updatedAtMs: Date.now() - 45_000 });
        const ready = await request(h.app).get("/ready").expect(503);
        expect(ready.body.indexer).to.deep.include({ lagBlocks: 0, ok: false, phase: "live" });
        expect(ready.body.indexer.problem).to.match(/no heartbeat from the indexer for 4\d s/);
        await request(h.app).get("/v1/probe").expect(200); // its data is still true as of its checkpoint
      });
    });
  }
});

describe("/ready's heartbeat limit", function () {
  it("comes from API_READY_MAX_HEARTBEAT_AGE_SECONDS (default 30 s)", async function () {
    expect(loadApiConfig({}).API_READY_MAX_HEARTBEAT_AGE_SECONDS).to.equal(30);
    const state = { phase: "live", lastError: null, genesisHash: GENESIS, checkpointBlock: 100, headBlock: 100, updatedAtMs: 1_000_000 - 45_000 };
    const guard = { health: async () => ({ valid: true as const, state }), assertValid: async () => {} };
    const probeAt = (limitSeconds: number) =>
      createReadinessProbe({ guard, maxLagBlocks: 50, maxHeartbeatAgeMs: loadApiConfig({ API_READY_MAX_HEARTBEAT_AGE_SECONDS: String(limitSeconds) }).API_READY_MAX_HEARTBEAT_AGE_SECONDS * 1000, now: () => 1_000_000 }).check();
    expect((await probeAt(60)).ready).to.equal(true);
    expect((await probeAt(30)).ready).to.equal(false);
  });
});
