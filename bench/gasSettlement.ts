// Gas rows for the settlement operations (issue 3): accept-quote (purchase of a part, pledge of a part),
// deposit, redeem (plain and pledged) and mark overdue, each next to its EVM lower bound. Called by
// `bench/gas.ts` (`npm run bench:gas`); `npx hardhat run bench/gasSettlement.ts` prints these rows alone.
// It deploys a fresh world with the same deploy code as `npm start` and the tests, on whatever chain the
// signers are connected to, moving time with `evm_increaseTime` (Hardhat's and Anvil's JSON-RPC).
import { ethers } from "hardhat";
import type { ContractTransactionResponse, Signer } from "ethers";
import { deployLedger } from "../scripts/deploy";
import { deploySettlement } from "../scripts/deploySettlement";
import { confirmReceivable, financedIdFrom, FinancingMode, signQuote, type Quote } from "../scripts/financingStory";
import { atBenchClock, BENCH_CLOCK, ECRECOVER, measure, printGasTable, type GasRow, type RpcSend } from "./gas";

export interface MeasureSettlementGasOptions {
  /** At least 6 funded accounts: operator, core enterprise, two suppliers, two banks. Hardhat's by default. */
  signers?: Signer[];
  /** JSON-RPC access for moving time (`evm_increaseTime`, `evm_mine`). Hardhat's provider by default. */
  provider?: RpcSend;
}

const ecrecover = { gas: ECRECOVER, what: "ecrecover (the quote's signature)" };

export async function measureSettlementGas(options: MeasureSettlementGasOptions = {}): Promise<GasRow[]> {
  const provider = options.provider ?? ethers.provider;
  return atBenchClock(provider, () => measureSettlementRows(options, provider));
}

async function measureSettlementRows(options: MeasureSettlementGasOptions, provider: RpcSend): Promise<GasRow[]> {
  const signers = options.signers ?? (await ethers.getSigners());
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
  await wait(ledger.setIssuanceLimit(coreAddress!, 100_000_000n * unit));
  for (const who of [coreAddress!, bankAAddress!, bankBAddress!]) await wait(cash.mint(who, 10_000_000n * unit));
  // Every party already holds some cash, as in a running system: a payment changes a balance rather
  // than creating one.
  for (const who of [tier1Address!, tier2Address!]) await wait(cash.mint(who, unit));
  await wait(cash.connect(bankA).approve(await financing.getAddress(), 2n ** 256n - 1n));
  await wait(cash.connect(bankB).approve(await financing.getAddress(), 2n ** 256n - 1n));
  await wait(cash.connect(core).approve(await vault.getAddress(), 2n ** 256n - 1n));
  // Each bank has approved the core enterprise as an obligor (its own exposure limit on it).
  for (const bank of [bankA!, bankB]) await wait(financing.connect(bank).setExposureLimit(coreAddress!, 100_000_000n * unit));

  const latest = async () => {
    const block = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
    return BigInt(block.timestamp);
  };
  const advance = async (seconds: bigint) => {
    await provider.send("evm_increaseTime", [Number(seconds)]);
    await provider.send("evm_mine", []);
  };

  // The clock the bench started at (the deployment has taken a few blocks since): fixed, so quotes and their
  // signatures are too (bench/gas.ts says why).
  const now = BENCH_CLOCK;
  const maturity = now + 30n * 86_400n;
  const otherMaturity = now + 20n * 86_400n;
  const face = 1_000_000n * unit;
  const rootId = await confirmReceivable({ ledger, core: core!, supplier: tier1Address!, currency, amount: face, maturity });
  // A second pool, deposited first, so the measured deposit finds the vault's balance non-zero; and a
  // third, never funded, to be marked overdue.
  await confirmReceivable({ ledger, core: core!, supplier: tier2Address!, currency, amount: 1_000n * unit, maturity: otherMaturity });
  await wait(vault.connect(core).deposit(currency, otherMaturity, 1_000n * unit));
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
    programmeId: 0n,
    // A real record's hash: 32 non-zero calldata bytes, as the API signs.
    evidenceHash: ethers.id("due-diligence record"),
  });

  const rows: GasRow[] = [];

  const purchase = quote(bankAAddress!, FinancingMode.Purchase, 250_000n * unit, 1n);
  rows.push(
    await measure(
      "accept quote: purchase of a part (incl. the advance's ERC-20 transfer)",
      {
        fresh: ["financed part: holder+amount", "financed part: lineage+flags", "quote used"],
        changed: ["parent amount", "tree child counter", "financier's organisation (count)", "financier's exposure on the obligor", "cash balance", "cash balance"],
        extra: [ecrecover],
      },
      [financing.connect(tier1).acceptQuote(purchase, await signQuote(financing, bankA!, purchase))],
      200_000n,
    ),
  );

  const pledge = quote(bankBAddress!, FinancingMode.Pledge, 250_000n * unit, 1n);
  const pledgeSent = financing.connect(tier1).acceptQuote(pledge, await signQuote(financing, bankB, pledge));
  rows.push(
    await measure(
      "accept quote: pledge of a part",
      {
        fresh: ["pledged part: holder+amount", "pledged part: lineage+flags", "quote used", "pledge debt"],
        changed: ["parent amount", "tree child counter", "holder's organisation (count)", "financier's exposure on the obligor", "cash balance", "cash balance"],
        extra: [ecrecover],
      },
      [pledgeSent],
    ),
  );
  const pledgedId = financedIdFrom(financing, await (await pledgeSent).wait());

  // The core enterprise repays at maturity, as in the story.
  await advance(maturity - (await latest()));
  rows.push(
    await measure(
      "deposit (at maturity, first into its pool)",
      { fresh: ["pool (deposited, face)"], changed: ["core enterprise's organisation (issued)", "cash balance", "cash balance"] },
      [vault.connect(core).deposit(currency, maturity, face)],
      100_000n,
    ),
  );
  rows.push(
    await measure(
      "redeem (full funding, burns)",
      { changed: ["receivable (cleared)", "holder's organisation (count)", "cash balance", "cash balance"] },
      [vault.connect(tier1).redeem(rootId)],
      80_000n,
    ),
  );
  rows.push(
    await measure(
      "redeem pledged (pledgee paid first, burns)",
      {
        changed: [
          "receivable: holder+amount (cleared)",
          "receivable: lineage+flags (cleared)",
          "pledge debt (cleared)",
          "holder's organisation (count)",
          "cash balance",
          "cash balance",
          "cash balance",
        ],
      },
      [vault.connect(tier1).redeem(pledgedId)],
    ),
  );

  await advance(gracePeriod);
  rows.push(await measure("mark overdue", { fresh: ["pool (overdue mark)"], changed: ["root (flags)"] }, [vault.markOverdue(overdueRoot)]));
  return rows;
}

async function main() {
  const rows = await measureSettlementGas();
  console.log("Ledgerline settlement gas (npx hardhat run bench/gasSettlement.ts; Hardhat EVM, solc 0.8.28, optimizer 10,000 runs)\n");
  if (!printGasTable(rows)) {
    console.error("\nSome operations are over their budget.");
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
