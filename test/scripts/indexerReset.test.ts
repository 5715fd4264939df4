// Recovery an operator can run: the indexer beats on a quiet chain; a reorganisation deeper than its window
// stops it with REORG_TOO_DEEP and reads answer 503 with that reason; `npm run indexer:reset` refuses while
// an indexer runs, then clears only the chain tables (API keys survive); the indexer rebuilds and reads
// are served again. On anvil, whose anvil_reorg makes real reorganisations.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { loadDeployConfig } from "../../server/config/deploy";
import { openDatabase, type Db } from "../../server/db/client";
import { runIndexerFromEnv, type RunningIndexer } from "../../server/indexer/main";
import { silentLogger } from "../../server/lib/logger";
import { hardhatDevKey } from "../../server/signing/devKeys";
import { issueBootstrapKey } from "../../server/auth/bootstrap";
import { deployNetwork } from "../../scripts/deployNetwork";
import { createHarness } from "../server/api/harness";
import { announceDialects, freshDatabase, testDialects, type FreshDatabase } from "../server/db/fresh";
import { startAnvil, type Anvil } from "../../scripts/lib/anvil";
import { startNodeScript } from "../helpers/processes";
import { probeRoute } from "../helpers/probe";


async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm run indexer:reset, and the indexer's heartbeat", function () {
  this.timeout(300_000);
  before(() => announceDialects());

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, () => {
      let anvil: Anvil;
      let fresh: FreshDatabase;
      let db: Db;
      let dir: string;
      let env: Record<string, string>;
      let running: RunningIndexer | undefined;

      before(async () => {
        anvil = await startAnvil();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-reset-"));
        const deploymentFile = path.join(dir, "dev.json");
        await deployNetwork(
          loadDeployConfig({ RPC_URL: anvil.url, CHAIN_ID: "31337", DEPLOYMENT_FILE: deploymentFile, DEPLOYER_PRIVATE_KEY: hardhatDevKey(0), DEPLOY_TEST_CURRENCY: "true" }, ["--network", "dev"]),
        );
        fresh = await freshDatabase(dialect, "reset");
        db = await openDatabase({ url: fresh.url });
        env = {
          DATABASE_URL: fresh.url,
          RPC_URL: anvil.url,
          DEPLOYMENT_FILE: deploymentFile,
          REORG_WINDOW: "3",
          INDEXER_POLL_MS: "50",
          INDEXER_HEARTBEAT_MS: "200",
          INDEXER_RESET_MIN_SILENCE_SECONDS: "2",
        };
      });
      after(async () => {
        await running?.stop();
        await db?.close();
        await fresh?.drop();
        await anvil?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      });

      const state = async () => (await db.sql.query<{ phase: string; last_error: string | null; updated_at_ms: unknown; checkpoint_block: unknown }>(`SELECT * FROM "indexer_state"`))[0];
      const reset = async () => {
        const run = startNodeScript("indexer:reset", "scripts/indexerReset.ts", { env });
        return { code: await run.exited, output: run.output() };
      };

      it("beats while the chain is quiet, so /ready can tell it is alive", async () => {
        running = await runIndexerFromEnv({ env, logger: silentLogger() });
        const head = await anvil.rpc<string>("eth_blockNumber");
        await until("the indexer at the head", async () => Number((await state())?.checkpoint_block ?? -1) === Number(head));
        const first = Number((await state())!.updated_at_ms);
        await until("a heartbeat without a new block", async () => Number((await state())!.updated_at_ms) > first);
        expect(Number(await anvil.rpc<string>("eth_blockNumber"))).to.equal(Number(head));
      });

      it("refuses to reset while an indexer runs", async () => {
        const { code, output } = await reset();
        expect(code).to.equal(1);
        expect(output).to.match(dialect === "postgres" ? /an indexer holds the writer lock/ : /an indexer wrote \d+ s ago \(phase live\): stop it first/);
        expect(await state()).not.to.equal(undefined);
      });

      it("stops with REORG_TOO_DEEP on a reorganisation deeper than its window, and reads answer 503 with that reason", async () => {
        // Empty blocks on top, then replace the last six (the window keeps three).
        for (let i = 0; i < 8; i++) await anvil.rpc("evm_mine");
        await until("the indexer at the head", async () => Number((await state())?.checkpoint_block ?? -1) === Number(await anvil.rpc<string>("eth_blockNumber")));
        await anvil.rpc("anvil_reorg", [6, []]);
        const outcome = await running!.done.then(
          () => "stopped",
          (e: Error & { code?: string }) => e.code,
        );
        running = undefined;
        expect(outcome).to.equal("REORG_TOO_DEEP");
        expect((await state())!.last_error).to.match(/^\[REORG_TOO_DEEP\]/);
        const h = await createHarness({ db, domainRoutes: [probeRoute] });
        const res = await request(h.app).get("/v1/probe").expect(503);
        expect(res.body.error).to.deep.include({ code: "ProjectionInvalid", details: { reason: "REORG_TOO_DEEP" } });
        await h.close();
      });

      it("clears the chain tables only, and the indexer rebuilds from the chain", async () => {
        const bootstrap = await issueBootstrapKey(db.sql);
        expect(bootstrap.issued).to.equal(true);
        const organisationsBefore = (await db.sql.query(`SELECT * FROM "organisation"`)).length;
        const { code, output } = await reset();
        expect(code, output).to.equal(0);
        expect(output).to.match(/cleared the chain tables .*last error \[REORG_TOO_DEEP\].*kept the API's tables/);
        expect(await state()).to.equal(undefined);
        expect(await db.sql.query(`SELECT * FROM "chain_event"`)).to.have.length(0);
        expect(await db.sql.query(`SELECT * FROM "api_key" WHERE "id" = ?`, [bootstrap.issued ? bootstrap.id : ""])).to.have.length(1);

        running = await runIndexerFromEnv({ env, logger: silentLogger() });
        await until("the rebuilt index at the head", async () => Number((await state())?.checkpoint_block ?? -1) === Number(await anvil.rpc<string>("eth_blockNumber")));
        expect((await db.sql.query(`SELECT * FROM "organisation"`)).length).to.equal(organisationsBefore);
        expect((await db.sql.query(`SELECT * FROM "chain_event"`)).length).to.be.greaterThan(0);
        const h = await createHarness({ db, domainRoutes: [probeRoute] });
        await request(h.app).get("/v1/probe").expect(200);
        await h.close();
      });
    });
  }
});
