// The indexer and the API as a supervisor runs them (the `node …` command the README documents, since npm
// does not forward signals): SIGTERM and SIGINT stop each cleanly, with a log line, and exit 0; the API
// never issues or prints an operator key on its own.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadDeployConfig } from "../../server/config/deploy";
import { hardhatDevKey } from "../../server/signing/devKeys";
import { deployNetwork } from "../../scripts/deployNetwork";
import { freePort } from "../../scripts/lib/localNode";
import { startAnvil, type Anvil } from "../../scripts/lib/anvil";
import { startNodeScript } from "../helpers/processes";

describe("indexer and API processes under a supervisor", function () {
  this.timeout(600_000);
  let anvil: Anvil;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    anvil = await startAnvil();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-proc-"));
    const deploymentFile = path.join(dir, "dev.json");
    await deployNetwork(
      loadDeployConfig({ RPC_URL: anvil.url, CHAIN_ID: "31337", DEPLOYMENT_FILE: deploymentFile, DEPLOYER_PRIVATE_KEY: hardhatDevKey(0), DEPLOY_TEST_CURRENCY: "true" }, ["--network", "dev"]),
    );
    env = { DATABASE_URL: `file:${path.join(dir, "ledgerline.db")}`, RPC_URL: anvil.url, DEPLOYMENT_FILE: deploymentFile, LOG_LEVEL: "info" };
  });
  after(async () => {
    await anvil?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the indexer stops on SIGTERM with a log line, after releasing its work, and exits 0", async () => {
    const indexer = startNodeScript("indexer", "scripts/indexer.ts", { env, nodeArgs: ["--max-old-space-size=128"] });
    await indexer.waitFor(/"msg":"indexer: (live|caught up; following the head)"/, 420_000); // start-up under load: liveness, not a measurement
    indexer.child.kill("SIGTERM");
    expect(await indexer.exited, indexer.output()).to.equal(0);
    expect(indexer.output()).to.match(/"signal":"SIGTERM".*indexer: shutting down/);
    expect(indexer.output()).to.match(/"signal":"SIGTERM".*"checkpoint":\d+.*indexer: stopped/);
  });

  it("the API stops on SIGINT with a log line and exits 0, and never prints an operator key", async () => {
    const port = await freePort();
    const api = startNodeScript("api", "server/main.ts", { env: { ...env, API_PORT: String(port), API_LOG_LEVEL: "info" } });
    await api.waitFor(/api: listening/, 420_000); // start-up under load: liveness, not a measurement
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).to.equal(200);
    // Logged after the server listens (main.ts counts operator keys once it is up): waited for, not raced.
    await api.waitFor(/no operator API key yet; issue one with `npm run bootstrap`/, 60_000);
    api.child.kill("SIGINT");
    expect(await api.exited, api.output()).to.equal(0);
    expect(api.output()).to.match(/"signal":"SIGINT".*api: shutting down/).and.match(/"signal":"SIGINT".*api: stopped/);
    expect(api.output()).not.to.match(/llk_/);
  });
});
