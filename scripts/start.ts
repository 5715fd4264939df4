// `npm start`: the whole system on the embedded defaults, in one process tree and with no external service.
// 1. a local Hardhat JSON-RPC node on 127.0.0.1;
// 2. the contracts deployed, and the deployment record written to deployments/localhost.json;
// 3. a demo world seeded (operator, a core enterprise, suppliers of tiers 1-3, two banks);
// 4. two stories played: an invoice confirmed and split down to tier 3, then the financing story
//    (bank quotes, repayment at maturity, redemption) with its final balances;
// 5. the indexer and the API on SQLite, until Ctrl-C.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { alignChainClock, startLocalNode, localProvider, type LocalNode } from "./lib/localNode";
import { deploySystem, writeDeploymentRecord } from "./deploySystem";
import { fundDemoWorld, seedDemoWorld } from "./seed";
import { seedDemoProfiles } from "./seedProfiles";
import { fixedPoint, playLedgerStory } from "./ledgerStory";
import { playFinancingStory } from "./financingStory";
import type { SettlementToken } from "../typechain-types";
import { runIndexerFromEnv, describeStatus } from "../server/indexer/main";
import { openDatabase } from "../server/db/client";
import { readDeploymentFile } from "../server/lib/deployment";
import { formatDemoLogins, startApiServer } from "../server/api/server";
import { NOTIFICATION_TYPES } from "../server/notifications/types";
import { startDemoReceiver } from "./webhookReceiver";
import { writeKeystore } from "../server/signing/keystore";
import { createLogger } from "../server/lib/logger";
import { loadEmbeddedEnv } from "../server/config/embedded";
import { hardhatDevKeyOf, prepareDemoKeystoreDir } from "../server/signing/devKeys";

/** Demo settlement token: two decimals, so 1,000,000.00 reads as money. */
const CURRENCY_DECIMALS = 2;
const UNIT = 10n ** BigInt(CURRENCY_DECIMALS);
/** How far story 2 moves the chain's clock (to its 30-day maturity), with a day to spare. */
const STORY_TIME_TRAVEL_SECONDS = 31 * 86_400;

async function main(): Promise<void> {
  const { CHAIN_PORT: chainPort, DEMO_KEYSTORE_DIR: keystoreDir } = loadEmbeddedEnv();
  // First, so a directory that is not a demo keystore stops the start before anything runs.
  prepareDemoKeystoreDir(keystoreDir);
  const say = (line = "") => console.log(line);
  // Story lines may span several lines (tables, trees): indent every one of them.
  const narrate = (line: string) => say(narrateBlock(line));

  // Story 2 moves the chain's clock to its receivable's maturity, 30 days ahead. The node starts its
  // clock that far in the past, so that afterwards the chain's clock and the wall clock agree and a
  // maturity chosen from the wall clock is not refused (GET /v1/chain shows both).
  const chainStart = new Date(Date.now() - STORY_TIME_TRAVEL_SECONDS * 1000);
  say(`▶ starting a local Hardhat node on 127.0.0.1:${chainPort} (its clock starts at ${chainStart.toISOString()}: the demo story moves it ${STORY_TIME_TRAVEL_SECONDS / 86_400} days ahead)`);
  const node: LocalNode = await startLocalNode({ port: chainPort, initialDate: chainStart });
  const stopAll: (() => Promise<void>)[] = [() => node.stop()];
  // Ctrl-C and a failing indexer can both ask to shut down: stop each part once, newest first.
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of [...stopAll].reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  process.once("SIGINT", () => void shutdown(0));
  process.once("SIGTERM", () => void shutdown(0));

  try {
    const provider = localProvider(node.url);
    const [admin, core, tier1, tier2, tier3, bankA, bankB] = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6].map((i) => provider.getSigner(i)),
    );
    if (!admin || !core || !tier1 || !tier2 || !tier3 || !bankA || !bankB) throw new Error("the node has too few accounts");

    say("▶ deploying the contracts");
    const system = await deploySystem({
      admin,
      currencyDecimals: CURRENCY_DECIMALS,
      parameters: { minPartAmount: 1n * UNIT },
      // Our own node: the record says so, which (with chain id 31337) opens the operator's faucet.
      local: true,
    });
    const recordFile = path.join(__dirname, "..", "deployments", "localhost.json");
    writeDeploymentRecord(recordFile, system.record);
    for (const [name, address] of Object.entries(system.record.contracts)) say(`  ${name.padEnd(20)} ${address}`);
    say(`  record: ${path.relative(process.cwd(), recordFile)} (chain ${system.record.chainId}, start block ${system.record.startBlock})`);

    // The embedded system starts a brand-new chain each time: the SQLite file's chain tables describe a
    // chain that no longer exists, so the indexer clears them (never the API's own tables) and re-indexes.
    const databaseUrl = process.env.DATABASE_URL ?? "file:./data/ledgerline.db";
    const env = { ...process.env, DATABASE_URL: databaseUrl, RPC_URL: node.url, NETWORK: "localhost", CONFIRMATIONS: process.env.CONFIRMATIONS ?? "0" };
    say(`▶ starting the indexer on ${databaseUrl} (${env.CONFIRMATIONS} confirmations)`);
    const running = await runIndexerFromEnv({ env, freshChainTables: true, logger: quietLogger() });
    stopAll.push(() => running.stop());
    running.done.catch((error: unknown) => {
      console.error(`indexer stopped: ${(error as Error).message}`);
      void shutdown(1);
    });

    say("▶ seeding the demo world");
    const accounts = { coreEnterprise: core, suppliers: [tier1, tier2, tier3] as const, banks: [bankA, bankB] as const };
    const world = await seedDemoWorld({
      ledger: system.ledger.ledger,
      operator: admin,
      accounts,
      currency: system.settlement.currency,
      issuanceLimit: 10_000_000n * UNIT,
      financing: system.settlement.financing,
    });
    for (const org of [world.coreEnterprise, ...world.suppliers, ...world.banks]) say(`  ${org.name.padEnd(28)} ${org.address}`);

    say();
    say("▶ story 1: an invoice confirmed and split down to tier 3");
    await playLedgerStory({
      ledger: system.ledger.ledger,
      accounts,
      world,
      amount: 1_000_000n * UNIT,
      formatAmount: fixedPoint(CURRENCY_DECIMALS),
      log: narrate,
    });

    say();
    say("▶ story 2: financing, repayment at maturity and redemption");
    const story = await playFinancingStory({
      ledger: system.ledger.ledger,
      financing: system.settlement.financing,
      vault: system.settlement.vault,
      settlementToken: system.settlement.settlementToken as SettlementToken,
      parties: { operator: admin, core, tier1, tier2, tier3, bankA, bankB },
      provider,
      log: narrate,
    });
    if (!story.balanced) throw new Error("the financing story ended with a balance that is not what it should be");

    say();
    say("▶ funding the demo world for the API (play the story again over HTTP)");
    const minted = await fundDemoWorld({ token: system.settlement.settlementToken as SettlementToken, operator: admin, world });
    for (const org of [world.coreEnterprise, ...world.banks, ...world.suppliers]) {
      say(`  ${org.name.padEnd(28)} +${fixedPoint(CURRENCY_DECIMALS)(minted.get(org.address.toLowerCase()) ?? 0n)}`);
    }
    const clocks = await alignChainClock(provider);
    const skew = clocks.chain - clocks.wall;
    say(
      `▶ chain clock ${new Date(clocks.chain * 1000).toISOString()}, wall clock ${new Date(clocks.wall * 1000).toISOString()}` +
        (Math.abs(skew) <= 5 ? " — they agree" : ` — the chain runs ${skew} s ${skew > 0 ? "ahead" : "behind"} (choose maturities from GET /v1/chain's headTimestamp)`),
    );

    say();
    say("▶ waiting for the indexer to catch up with the chain");
    const head = await provider.getBlockNumber();
    while (running.indexer.status().checkpoint < head) await new Promise((resolve) => setTimeout(resolve, 100));
    say(`  ${describeStatus(running.indexer.status())}`);

    say("▶ starting the API");
    // The embedded default keeps each organisation's key in an encrypted keystore the API unlocks at
    // start-up. Demo keys are Hardhat's public development keys: never use them on a real network. They
    // go to their own directory (data/demo/keystore), never the API's default data/keystore, and a
    // directory that is not a demo keystore was refused before the node started.
    const passphrase = randomBytes(16).toString("hex");
    const devKey = async (signer: { getAddress(): Promise<string> }) => {
      const key = hardhatDevKeyOf(await signer.getAddress());
      if (key === undefined) throw new Error("a demo account is not one of Hardhat's development accounts");
      return key;
    };
    await writeKeystore({
      dir: keystoreDir,
      passphrase,
      scryptN: 1 << 12, // demo keys: quick to unlock; real keys keep ethers' default cost
      keys: [
        { privateKey: await devKey(admin), operator: true },
        ...(await Promise.all([core, tier1, tier2, tier3, bankA, bankB].map(async (s) => ({ privateKey: await devKey(s) })))),
      ],
    });
    const apiPort = process.env.API_PORT ?? "3000";
    const apiDb = await openDatabase({ url: databaseUrl });
    stopAll.push(() => apiDb.close());
    const api = await startApiServer({
      db: apiDb,
      provider,
      deployment: readDeploymentFile(recordFile),
      // The web app (built by `npm start` before this script) and its demo picker of the seeded organisations.
      webDir: path.join(__dirname, "..", "web", "dist"),
      demo: {
        organisations: [
          ...[world.coreEnterprise, ...world.suppliers, ...world.banks].map((o) => ({ name: o.name, subject: o.address })),
          { name: "Platform operator", subject: "OPERATOR" },
          { name: "Auditor", subject: "AUDITOR" },
        ],
      },
      env: {
        ...process.env,
        API_PORT: apiPort,
        API_KEYSTORE_DIR: keystoreDir,
        API_KEYSTORE_PASSPHRASE: passphrase,
        API_LOG_LEVEL: process.env.API_LOG_LEVEL ?? "warn",
        // The demo webhook receiver listens on 127.0.0.1 over http: allowed here, never by default.
        API_WEBHOOK_ALLOW_LOOPBACK: process.env.API_WEBHOOK_ALLOW_LOOPBACK ?? "true",
      },
    });
    stopAll.push(() => api.close());
    // Each demo organisation's profile (names, a valid credit code, its bank account encrypted at rest).
    await seedDemoProfiles({ profiles: api.domain.services.profiles, world });
    const logins = await api.issueDemoLogins([world.coreEnterprise, ...world.suppliers, ...world.banks]);
    say(narrateBlock(formatDemoLogins(api.url, logins)));

    // One webhook receiver that logs (and verifies) every delivery, subscribed for the core enterprise.
    const receiver = await startDemoReceiver({ port: Number(process.env.WEBHOOK_RECEIVER_PORT ?? 0), log: (line) => say(`  ${line}`) });
    stopAll.push(() => receiver.close());
    const hook = await api.domain.services.notifications.create(
      { kind: "ORGANISATION", organisation: world.coreEnterprise.address.toLowerCase(), role: "CORE_ENTERPRISE", active: true, admin: true, user: { id: "npm-start", name: "npm start", duties: ["admin"] }, credentialId: "bootstrap:npm-start" },
      { url: receiver.url, eventTypes: [...NOTIFICATION_TYPES] },
    );
    receiver.secret = hook.secret;
    say(`▶ webhook receiver ${receiver.url}: every event of ${world.coreEnterprise.name} is delivered there, signed, and logged below`);

    // Progress, whenever the indexer moves.
    let lastCheckpoint = running.indexer.status().checkpoint;
    setInterval(() => {
      const status = running.indexer.status();
      if (status.checkpoint !== lastCheckpoint) {
        lastCheckpoint = status.checkpoint;
        say(`  ${describeStatus(status)}`);
      }
    }, 5_000).unref();

    say();
    say(`✔ running: chain ${node.url}, API ${api.url}/v1 (docs ${api.url}/v1/docs) — press Ctrl-C to stop`);
    say(`✔ web app: ${api.url}/  (pick a demo organisation to sign in as, in English or 中文)`);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await shutdown(1);
  }
}

function narrateBlock(text: string): string {
  return text.replace(/^/gm, "  ");
}

/** The indexer logs at warn level here: the start script prints its progress itself. */
function quietLogger() {
  return createLogger({ name: "indexer", level: process.env.LOG_LEVEL ?? "warn" });
}

main().catch((error: unknown) => {
  // Configuration errors already name the variable; a stack would only hide that.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
