// `npm run deploy -- --network <name>` against anvil (instant mining, the node on which a plain Wallet
// fails "nonce too low"), with separate admin and operator keys and a settlement currency given by address.
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet, getCreateAddress, id } from "ethers";
import { loadDeployConfig } from "../../server/config/deploy";
import { ConfigError } from "../../server/config/env";
import { readDeploymentFile } from "../../server/lib/deployment";
import { hardhatDevKey } from "../../server/signing/devKeys";
import { deployNetwork, DeploymentIncompleteError } from "../../scripts/deployNetwork";
import { DeploymentRefusedError } from "../../scripts/lib/deployJournal";
import { ReceivableToken__factory, SettlementToken__factory } from "../../typechain-types";
import { startAnvil, type Anvil } from "../../scripts/lib/anvil";

const OPERATOR_ROLE = id("OPERATOR_ROLE");
const DEFAULT_ADMIN_ROLE = "0x" + "00".repeat(32);
const FINANCING_ROLE = id("FINANCING_ROLE");
const SETTLEMENT_ROLE = id("SETTLEMENT_ROLE");
const ROOT = path.join(__dirname, "..", "..");

describe("npm run deploy (scripts/deployNetwork.ts)", function () {
  this.timeout(180_000);
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  let dir: string;
  let cash: string;
  const admin = new Wallet(hardhatDevKey(0));
  const operator = new Wallet(hardhatDevKey(1));

  before(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, pollingInterval: 50 });
    // The network's own cash token, deployed by someone else (a bank): the deployment only names it.
    const issuer = new Wallet(hardhatDevKey(3), provider);
    const token = await new SettlementToken__factory(issuer).deploy("Tokenized Deposit", "TDEP", 2, issuer.address);
    cash = (await token.getAddress()).toLowerCase();
  });
  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-deploy-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const env = (extra: Record<string, string> = {}) => ({
    RPC_URL: anvil.url,
    CHAIN_ID: "31337",
    DEPLOYMENT_FILE: path.join(dir, "consortium.json"),
    DEPLOYER_PRIVATE_KEY: admin.privateKey,
    OPERATOR_PRIVATE_KEY: operator.privateKey,
    SETTLEMENT_CURRENCY: cash,
    DEPLOY_POLL_MS: "50",
    ...extra,
  });
  const config = (extra: Record<string, string> = {}) => loadDeployConfig(env(extra), ["--network", "consortium"]);

  describe("with separate admin and operator keys", () => {
    it("deploys, gives each key only its role, allows the currency and writes a record the indexer reads", async () => {
      const { record, deployed, file } = await deployNetwork(config());
      expect(deployed).to.equal(true);
      const ledger = ReceivableToken__factory.connect(record.contracts.ReceivableToken, provider);
      // The deployer handed DEFAULT_ADMIN_ROLE to the timelock it deployed (issue 8: admin powers are slow).
      expect(record.adminHandedOver).to.equal(true);
      expect(await ledger.hasRole(DEFAULT_ADMIN_ROLE, record.contracts.LedgerTimelock)).to.equal(true);
      expect(await ledger.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(false);
      expect(await ledger.hasRole(OPERATOR_ROLE, operator.address)).to.equal(true);
      expect(await ledger.hasRole(OPERATOR_ROLE, admin.address)).to.equal(false);
      expect(await ledger.hasRole(DEFAULT_ADMIN_ROLE, operator.address)).to.equal(false);
      expect(await ledger.hasRole(FINANCING_ROLE, record.contracts.FinancingSettlement)).to.equal(true);
      expect(await ledger.hasRole(SETTLEMENT_ROLE, record.contracts.RepaymentVault)).to.equal(true);
      expect(await ledger.isCurrencyAllowed(cash)).to.equal(true);
      expect(record.currency).to.deep.equal({ address: cash, symbol: "TDEP", decimals: 2 });
      expect(record.contracts.SettlementToken.toLowerCase()).to.equal(cash);
      const read = readDeploymentFile(file);
      expect(read.chainId).to.equal(31337);
      expect(read.contracts.ReceivableToken).to.equal(record.contracts.ReceivableToken.toLowerCase());
      expect(fs.existsSync(file.replace(/\.json$/, ".journal.json"))).to.equal(false);
    });

    it("run again, checks the recorded contracts and sends nothing", async () => {
      const first = await deployNetwork(config());
      const nonce = await provider.getTransactionCount(admin.address);
      const again = await deployNetwork(config());
      expect(again.deployed).to.equal(false);
      expect(again.record.contracts).to.deep.equal(first.record.contracts);
      expect(await provider.getTransactionCount(admin.address)).to.equal(nonce);
    });
  });

  describe("when a deployment stops half-way", () => {
    // A deployer with gas for a few transactions only: the first contracts get deployed, then it runs dry.
    const poorDeployer = async () => {
      const poor = Wallet.createRandom();
      await anvil.rpc("anvil_setBalance", [poor.address, "0x2386f26fc10000"]); // 0.01 ETH
      return poor;
    };

    it("says so, keeps a journal, and the next run resumes with the contracts already deployed", async () => {
      const poor = await poorDeployer();
      const cfg = config({ DEPLOYER_PRIVATE_KEY: poor.privateKey });
      const failed = await deployNetwork(cfg).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).to.be.instanceOf(DeploymentIncompleteError);
      expect((failed as Error).message).to.match(/run the same command again to resume/);
      const journalFile = path.join(dir, "consortium.journal.json");
      const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { transactions: { hash: string; to: string | null; status: string }[] };
      const mined = journal.transactions.filter((t) => t.status === "mined");
      expect(mined.length).to.be.greaterThan(0);
      expect(fs.existsSync(path.join(dir, "consortium.json"))).to.equal(false);

      await anvil.rpc("anvil_setBalance", [poor.address, "0xde0b6b3a7640000"]);
      const { record, deployed } = await deployNetwork(cfg);
      expect(deployed).to.equal(true);
      // Nothing sent twice: every transaction the deployer ever sent is in the record, once, the first
      // run's included, and the first contract it created is part of the system.
      expect(await provider.getTransactionCount(poor.address)).to.equal(record.transactions.length);
      for (const t of mined) expect(record.transactions).to.include(t.hash);
      expect(Object.values(record.contracts).map((a) => a.toLowerCase())).to.include(getCreateAddress({ from: poor.address, nonce: 0 }).toLowerCase());
      const ledger = ReceivableToken__factory.connect(record.contracts.ReceivableToken, provider);
      expect(await ledger.isCurrencyAllowed(cash)).to.equal(true);
      expect(await ledger.hasRole(OPERATOR_ROLE, operator.address)).to.equal(true);
      expect(fs.existsSync(journalFile)).to.equal(false);
    });

    it("is refused with the differing inputs when the configuration changed since", async () => {
      const poor = await poorDeployer();
      await deployNetwork(config({ DEPLOYER_PRIVATE_KEY: poor.privateKey })).catch(() => undefined);
      const other = config({ DEPLOYER_PRIVATE_KEY: poor.privateKey, OPERATOR_PRIVATE_KEY: Wallet.createRandom().privateKey });
      const refused = await deployNetwork(other).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).to.be.instanceOf(DeploymentRefusedError);
      expect((refused as Error).message).to.match(/operator differ/).and.match(/move .*consortium\.journal\.json aside/);
    });

    it("after a kill -9 between journalling and mining, re-broadcasts the journalled transaction and finishes", async () => {
      // No mining: the first transaction is journalled and sent, then the process is killed while it waits.
      await anvil.rpc("evm_setAutomine", [false]);
      try {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/deployNetwork.ts", "--network", "consortium"], {
          cwd: ROOT,
          env: { ...process.env, ...env() },
          stdio: "ignore",
        });
        const journalFile = path.join(dir, "consortium.journal.json");
        const deadline = Date.now() + 60_000;
        while (!fs.existsSync(journalFile) || (JSON.parse(fs.readFileSync(journalFile, "utf8")) as { transactions: unknown[] }).transactions.length === 0) {
          if (Date.now() > deadline) throw new Error("the deploy command journalled nothing");
          await new Promise((r) => setTimeout(r, 50));
        }
        child.kill("SIGKILL");
        await new Promise((r) => child.once("exit", r));
        // The node forgets it too, as a restarted node would.
        await anvil.rpc("anvil_dropAllTransactions");
      } finally {
        await anvil.rpc("evm_setAutomine", [true]);
      }
      const nonce = await provider.getTransactionCount(admin.address);
      const { record } = await deployNetwork(config());
      const ledger = ReceivableToken__factory.connect(record.contracts.ReceivableToken, provider);
      expect(await ledger.isCurrencyAllowed(cash)).to.equal(true);
      // The journalled first transaction was re-broadcast, not replaced: each of the record's transactions
      // took one nonce, that one included.
      expect(await provider.getTransactionCount(admin.address)).to.equal(nonce + record.transactions.length);
    });
  });

  describe("refuses", () => {
    it("a node whose chain id is not CHAIN_ID", async () => {
      const refused = await deployNetwork(config({ CHAIN_ID: "1" })).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(DeploymentRefusedError);
      expect((refused as Error).message).to.match(/chain 31337, not CHAIN_ID 1/);
    });

    it("a settlement currency that is not a contract", async () => {
      const refused = await deployNetwork(config({ SETTLEMENT_CURRENCY: Wallet.createRandom().address })).catch((e: unknown) => e);
      expect((refused as Error).message).to.match(/SETTLEMENT_CURRENCY .* has no contract code/);
    });

    it("a record that describes another chain", async () => {
      const { file } = await deployNetwork(config());
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { genesisHash: string };
      fs.writeFileSync(file, JSON.stringify({ ...record, genesisHash: "0x" + "ab".repeat(32) }));
      const refused = await deployNetwork(config()).catch((e: unknown) => e);
      expect((refused as Error).message).to.match(/another chain with the same id/);
    });
  });

  describe("configuration", () => {
    it("names each bad variable and never echoes a key", () => {
      const secret = "0x" + "12".repeat(31); // one byte short
      expect(() => loadDeployConfig({ ...env(), DEPLOYER_PRIVATE_KEY: secret, CHAIN_ID: "x" }, ["--network", "n"]))
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(/DEPLOYER_PRIVATE_KEY/)
        .and.matches(/CHAIN_ID/)
        .and.does.not.include("1212");
    });

    it("wants a currency by address, or a test token on a development chain only", () => {
      const { SETTLEMENT_CURRENCY: _c, ...noCurrency } = env();
      expect(() => loadDeployConfig(noCurrency, ["--network", "n"])).to.throw(/SETTLEMENT_CURRENCY: required/);
      expect(() => loadDeployConfig({ ...noCurrency, DEPLOY_TEST_CURRENCY: "true", CHAIN_ID: "1337" }, ["--network", "n"])).not.to.throw();
      expect(() => loadDeployConfig({ ...noCurrency, DEPLOY_TEST_CURRENCY: "true", CHAIN_ID: "2024" }, ["--network", "n"])).to.throw(/development chains only/);
    });

    it("takes the network from --network", () => {
      expect(loadDeployConfig(env(), ["--network=besu"]).network).to.equal("besu");
      expect(() => loadDeployConfig(env(), [])).to.throw(/NETWORK/);
    });
  });
});
