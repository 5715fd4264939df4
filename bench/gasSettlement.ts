// Gas rows for the settlement operations (issue 3): accept-quote (purchase of a part, pledge of a part),
// deposit, redeem (plain and pledged) and mark overdue, each next to its EVM lower bound. Called by
// `bench/gas.ts` (`npm run bench:gas`); `npx hardhat run bench/gasSettlement.ts` prints these rows alone.
// It deploys a fresh world with the same deploy code as `npm start` and the tests, on whatever chain the
// signers are connected to, moving time with `evm_increaseTime` (Hardhat's and Anvil's JSON-RPC).
import type { ContractTransactionResponse, Signer } from "ethers";
import { deployLedger } from "../scripts/deploy";
import { deploySettlement } from "../scripts/deploySettlement";
import { confirmReceivable, financedIdFrom, FinancingMode, signQuote, type Quote } from "../scripts/financingStory";

/** One operation's measurement. The lower bound is what any design must pay: 21,000 per transaction,
 * calldata (16 gas per non-zero byte, 4 per zero byte), the logs it emits (375 + 375 per topic + 8 per
 * data byte) and the storage slots it cannot avoid, each created slot at 22,100 and each changed slot at
 * 5,000 (cold read included); gas refunds for cleared slots are not subtracted. */
export interface GasRow {
  operation: string;
  gasUsed: bigint;
  lowerBound: bigint;
  ratio: number;
  /** The issue's fixed budget, when it sets one. */
  budget?: bigint;
  /** Which storage slots the lower bound counts. */
  slots: string;
}

export interface MeasureSettlementGasOptions {
  /** At least 6 funded accounts: operator, core enterprise, two suppliers, two banks. */
  signers: Signer[];
  /** JSON-RPC access for moving time (`evm_increaseTime`, `evm_mine`). */
  provider: { send(method: string, params: unknown[]): Promise<unknown> };
}

interface SlotCount {
  fresh: number;
  changed: number;
  slots: string;
}

const TX_BASE = 21_000n;
const FRESH_SLOT = 22_100n;
const CHANGED_SLOT = 5_000n;

function calldataGas(data: string): bigint {
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

async function measure(
  operation: string,
  sent: Promise<ContractTransactionResponse>,
  count: SlotCount,
  budget?: bigint,
): Promise<GasRow> {
  const tx = await sent;
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${operation}: transaction failed`);
  let logGas = 0n;
  for (const log of receipt.logs) logGas += 375n + 375n * BigInt(log.topics.length) + 8n * BigInt((log.data.length - 2) / 2);
  const lowerBound =
    TX_BASE + calldataGas(tx.data) + logGas + BigInt(count.fresh) * FRESH_SLOT + BigInt(count.changed) * CHANGED_SLOT;
  const gasUsed = receipt.gasUsed;
  return {
    operation,
    gasUsed,
    lowerBound,
    ratio: Math.round((Number(gasUsed) / Number(lowerBound)) * 100) / 100,
    budget,
    slots: count.slots,
  };
}

export async function measureSettlementGas({ signers, provider }: MeasureSettlementGasOptions): Promise<GasRow[]> {
  const [operator, core, tier1, tier2, bankA, bankB] = signers;
  if (!bankB) throw new Error("measureSettlementGas: needs 6 signers");
  const [coreAddress, tier1Address, tier2Address, bankAAddress, bankBAddress] = await Promise.all(
    [core, tier1, tier2, bankA, bankB].map((s) => s!.getAddress()),
  );

  const decimals = 6;
  const unit = 10n ** BigInt(decimals);
  const { ledger } = await deployLedger({ admin: operator!, parameters: { minPartAmount: unit } });
  const { settlementToken, financing, vault, currency, gracePeriod } = await deploySettlement({
    admin: operator!,
    ledger,
    currencyDecimals: decimals,
  });
  const cash = settlementToken!;
  const wait = async (sent: Promise<ContractTransactionResponse>) => (await sent).wait();

  await wait(ledger.registerOrganisation(coreAddress!, 1, "0x" + "11".repeat(32)));
  await wait(ledger.registerOrganisation(tier1Address!, 2, "0x" + "22".repeat(32)));
  await wait(ledger.registerOrganisation(tier2Address!, 2, "0x" + "33".repeat(32)));
  await wait(ledger.registerOrganisation(bankAAddress!, 3, "0x" + "44".repeat(32)));
  await wait(ledger.registerOrganisation(bankBAddress!, 3, "0x" + "55".repeat(32)));
  await wait(ledger.setCreditLine(coreAddress!, 100_000_000n * unit));
  for (const who of [coreAddress!, bankAAddress!, bankBAddress!]) await wait(cash.mint(who, 10_000_000n * unit));
  // Every party already holds some cash, as in a running system: a payment changes a balance rather
  // than creating one.
  for (const who of [tier1Address!, tier2Address!]) await wait(cash.mint(who, unit));
  await wait(cash.connect(bankA!).approve(await financing.getAddress(), 2n ** 256n - 1n));
  await wait(cash.connect(bankB!).approve(await financing.getAddress(), 2n ** 256n - 1n));
  await wait(cash.connect(core!).approve(await vault.getAddress(), 2n ** 256n - 1n));

  const latest = async () => {
    const block = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
    return BigInt(block.timestamp);
  };
  const advance = async (seconds: bigint) => {
    await provider.send("evm_increaseTime", [Number(seconds)]);
    await provider.send("evm_mine", []);
  };

  const now = await latest();
  const maturity = now + 30n * 86_400n;
  const otherMaturity = now + 20n * 86_400n;
  const face = 1_000_000n * unit;
  const rootId = await confirmReceivable({ ledger, core: core!, supplier: tier1Address!, currency, amount: face, maturity });
  // A second pool, deposited first, so the measured deposit finds the vault's balance non-zero; and a
  // third, never funded, to be marked overdue.
  await confirmReceivable({ ledger, core: core!, supplier: tier2Address!, currency, amount: 1_000n * unit, maturity: otherMaturity });
  await wait(vault.connect(core!).deposit(currency, otherMaturity, 1_000n * unit));
  const overdueRoot = await confirmReceivable({ ledger, core: core!, supplier: tier2Address!, currency, amount: 500n * unit, maturity: otherMaturity + 1n });

  const quote = (financier: string, mode: 0 | 1, amount: bigint, nonce: bigint): Quote => ({
    receivableId: rootId,
    amount,
    advance: (amount * 97n) / 100n,
    financier,
    holder: tier1Address!,
    mode,
    repayment: mode === FinancingMode.Pledge ? (amount * 99n) / 100n : 0n,
    currency,
    expiry: now + 86_400n,
    nonce,
  });

  const rows: GasRow[] = [];

  const purchase = quote(bankAAddress!, FinancingMode.Purchase, 250_000n * unit, 1n);
  rows.push(
    await measure(
      "accept quote: purchase of a part",
      financing.connect(tier1!).acceptQuote(purchase, await signQuote(financing, bankA!, purchase)),
      {
        fresh: 3,
        changed: 5,
        slots: "new: financed part (2: holder+amount, lineage+flags), quote used; changed: parent amount, tree child counter, financier's organisation (count), two cash balances",
      },
      200_000n,
    ),
  );

  const pledge = quote(bankBAddress!, FinancingMode.Pledge, 250_000n * unit, 1n);
  const pledgeSent = financing.connect(tier1!).acceptQuote(pledge, await signQuote(financing, bankB!, pledge));
  rows.push(
    await measure("accept quote: pledge of a part", pledgeSent, {
      fresh: 4,
      changed: 5,
      slots: "new: pledged part (2), quote used, pledge debt; changed: parent amount, tree child counter, holder's organisation (count), two cash balances",
    }),
  );
  const pledgedId = financedIdFrom(financing, await (await pledgeSent).wait());

  // The core enterprise repays at maturity, as in the story.
  await advance(maturity - (await latest()));
  rows.push(
    await measure(
      "deposit (at maturity, first into its pool)",
      vault.connect(core!).deposit(currency, maturity, face),
      { fresh: 1, changed: 3, slots: "new: pool (deposited, face); changed: core enterprise's organisation (credit used), two cash balances" },
      100_000n,
    ),
  );
  rows.push(
    await measure(
      "redeem (full funding, burns)",
      vault.connect(tier1!).redeem(rootId),
      { fresh: 0, changed: 4, slots: "changed: receivable (cleared), holder's organisation (count), two cash balances" },
      80_000n,
    ),
  );
  rows.push(
    await measure("redeem pledged (pledgee first)", vault.connect(tier1!).redeem(pledgedId), {
      fresh: 0,
      changed: 6,
      slots: "changed: receivable (2, cleared), pledge debt (cleared), holder's organisation (count), three cash balances - 1 (vault counted once)",
    }),
  );

  await advance(gracePeriod);
  rows.push(
    await measure("mark overdue", vault.markOverdue(overdueRoot), { fresh: 0, changed: 1, slots: "changed: root (flags)" }),
  );
  return rows;
}

export function formatGasRows(rows: GasRow[]): string {
  const lines = [
    "| operation | gas used | lower bound | ratio | budget |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) => `| ${r.operation} | ${r.gasUsed} | ${r.lowerBound} | ${r.ratio.toFixed(2)} | ${r.budget === undefined ? "" : `≤ ${r.budget}`} |`,
    ),
  ];
  return lines.join("\n");
}

async function main() {
  // Loaded only when run directly, so that importing this module never pulls in Hardhat's runtime.
  const hre = await import("hardhat");
  const signers = await hre.ethers.getSigners();
  const rows = await measureSettlementGas({ signers, provider: hre.ethers.provider });
  console.log(formatGasRows(rows));
  for (const r of rows) console.log(`  ${r.operation}: ${r.slots}`);
  const over = rows.filter((r) => r.budget !== undefined && r.gasUsed > r.budget);
  if (over.length > 0) {
    console.error(`over budget: ${over.map((r) => r.operation).join(", ")}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
