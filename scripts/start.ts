// `npm start`: the whole system on the embedded defaults, in one process tree and with no external service.
// 1. a local Hardhat JSON-RPC node on 127.0.0.1;
// 2. the contracts deployed, and the deployment record written to deployments/localhost.json;
// 3. a demo world seeded (operator, a core enterprise, suppliers of tiers 1-3, two banks);
// 4. two stories played: an invoice confirmed and split down to tier 3, then the financing story
//    (bank quotes, repayment at maturity, redemption) with its final balances;
// 5. the indexer and the API on SQLite, until Ctrl-C.
import path from "node:path";
import { startLocalNode, localProvider, type LocalNode } from "./lib/localNode";
import { deploySystem, writeDeploymentRecord } from "./deploySystem";
import { seedDemoWorld } from "./seed";
import { fixedPoint, playLedgerStory } from "./ledgerStory";
import { playFinancingStory } from "./financingStory";
import type { SettlementToken } from "../typechain-types";

/** Demo settlement token: two decimals, so 1,000,000.00 reads as money. */
const CURRENCY_DECIMALS = 2;
const UNIT = 10n ** BigInt(CURRENCY_DECIMALS);

async function main(): Promise<void> {
  const chainPort = Number(process.env.CHAIN_PORT ?? 8545);
  const say = (line = "") => console.log(line);
  // Story lines may span several lines (tables, trees): indent every one of them.
  const narrate = (line: string) => say(line.replace(/^/gm, "  "));

  say(`▶ starting a local Hardhat node on 127.0.0.1:${chainPort}`);
  const node: LocalNode = await startLocalNode({ port: chainPort });
  const stopAll: (() => Promise<void>)[] = [() => node.stop()];
  const shutdown = async (code: number) => {
    for (const stop of stopAll.reverse()) await stop().catch(() => undefined);
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
    });
    const recordFile = path.join(__dirname, "..", "deployments", "localhost.json");
    writeDeploymentRecord(recordFile, system.record);
    for (const [name, address] of Object.entries(system.record.contracts)) say(`  ${name.padEnd(20)} ${address}`);
    say(`  record: ${path.relative(process.cwd(), recordFile)} (chain ${system.record.chainId}, start block ${system.record.startBlock})`);

    say("▶ seeding the demo world");
    const accounts = { coreEnterprise: core, suppliers: [tier1, tier2, tier3] as const, banks: [bankA, bankB] as const };
    const world = await seedDemoWorld({
      ledger: system.ledger.ledger,
      operator: admin,
      accounts,
      currency: system.settlement.currency,
      creditLine: 10_000_000n * UNIT,
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
    say(`✔ the chain keeps running at ${node.url} — press Ctrl-C to stop`);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await shutdown(1);
  }
}

void main();
