// Gas rows for risk-sharing programmes (issue 13): accept-quote with enrolment next to the same purchase
// without (the issue allows at most 60,000 more), the subsidy payment, a claim and a recovery distribution, each next to its EVM lower
// bound. Called by `bench/gas.ts` (`npm run bench:gas`); `npx hardhat run bench/gasRisk.ts` prints these rows
// alone. Same deploy code as `npm start` and the tests; time moves with `evm_increaseTime`.
import { ethers } from "hardhat";
import type { ContractTransactionResponse, Signer } from "ethers";
import { deployLedger } from "../scripts/deploy";
import { deploySettlement } from "../scripts/deploySettlement";
import { confirmReceivable, FinancingMode, signQuote, type Quote } from "../scripts/financingStory";
import { enrolmentFrom, programmeIdFrom, type Terms } from "../scripts/programmes";
import { atBenchClock, BENCH_CLOCK, ECRECOVER, measure, printGasTable, type GasRow, type RpcSend } from "./gas";

/** The most enrolment may add to an acceptance (issue 13's benchmark). */
export const ENROLMENT_GAS_BUDGET = 60_000n;
export const PLAIN_PURCHASE_ROW = "accept quote: purchase of a part, no enrolment (this world's baseline)";
export const ENROLLED_PURCHASE_ROW = "accept quote: purchase of a part with enrolment in a programme";
export const RECOVERY_ROW = "recovery distribution (a late deposit's pool share, from the financier to the pool)";

export interface MeasureRiskGasOptions {
  /** At least 7 funded accounts: operator, core enterprise, two suppliers, two banks, a funder. */
  signers?: Signer[];
  provider?: RpcSend;
}

const ecrecover = { gas: ECRECOVER, what: "ecrecover (the quote's signature)" };
const DAY = 86_400n;

export async function measureRiskGas(options: MeasureRiskGasOptions = {}): Promise<GasRow[]> {
  const provider = options.provider ?? ethers.provider;
  return atBenchClock(provider, () => measureRiskRows(options, provider));
}

async function measureRiskRows(options: MeasureRiskGasOptions, provider: RpcSend): Promise<GasRow[]> {
  const signers = options.signers ?? (await ethers.getSigners());
  const [operator, core, tier1, tier2, bankA, bankB, funder] = signers;
  if (!funder) throw new Error("measureRiskGas: needs 7 signers");
  const [coreAddress, tier1Address, tier2Address, bankAAddress, bankBAddress, funderAddress] = await Promise.all(
    [core, tier1, tier2, bankA, bankB, funder].map((s) => s!.getAddress()),
  );
  const unit = 10n ** 6n;
  const { ledger } = await deployLedger({ admin: operator!, parameters: { minPartAmount: unit } });
  const { settlementToken, financing, vault, programmes, currency, gracePeriod } = await deploySettlement({ admin: operator!, ledger, currencyDecimals: 6 });
  const cash = settlementToken!;
  const wait = async (sent: Promise<ContractTransactionResponse>) => (await sent).wait();

  await wait(ledger.registerOrganisation(coreAddress!, 1, "0x" + "11".repeat(32)));
  for (const [who, kyc] of [[tier1Address, "22"], [tier2Address, "33"]] as const) await wait(ledger.registerOrganisation(who!, 2, "0x" + kyc.repeat(32)));
  for (const [who, kyc] of [[bankAAddress, "44"], [bankBAddress, "55"]] as const) await wait(ledger.registerOrganisation(who!, 3, "0x" + kyc.repeat(32)));
  await wait(ledger.setIssuanceLimit(coreAddress!, 100_000_000n * unit));
  for (const who of [coreAddress!, bankAAddress!, bankBAddress!, funderAddress!]) await wait(cash.mint(who, 10_000_000n * unit));
  for (const who of [tier1Address!, tier2Address!]) await wait(cash.mint(who, unit));
  for (const bank of [bankA!, bankB!]) {
    await wait(cash.connect(bank).approve(await financing.getAddress(), ethers.MaxUint256));
    await wait(financing.connect(bank).setExposureLimit(coreAddress!, 100_000_000n * unit));
  }
  await wait(cash.connect(core).approve(await vault.getAddress(), ethers.MaxUint256));
  await wait(cash.connect(funder).approve(await programmes.getAddress(), ethers.MaxUint256));

  const latest = async () => BigInt(((await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp);
  const advance = async (seconds: bigint) => {
    await provider.send("evm_increaseTime", [Number(seconds)]);
    await provider.send("evm_mine", []);
  };

  // A programme as in the issue: 50 % coverage, 1 % a year subsidy, both banks participating, both
  // suppliers whitelisted, a pool of 5,000,000.
  const terms: Terms = {
    coverageBps: 5_000,
    subsidyBps: 100,
    subsidyToFinancier: false,
    capPerFinancing: 1_000_000n * unit,
    capPerEnterprise: 2_000_000n * unit,
    capPerFinancier: 3_000_000n * unit,
    waitingPeriod: Number(30n * DAY),
    claimWindow: Number(90n * DAY),
  };
  const programmeId = programmeIdFrom(programmes, await wait(programmes.createProgramme(currency, terms)));
  await wait(programmes.setFunder(programmeId, funderAddress!, 5_000_000n * unit));
  await wait(programmes.connect(funder).payIn(programmeId, 5_000_000n * unit));
  for (const bank of [bankAAddress!, bankBAddress!]) await wait(programmes.setFinancierQuota(programmeId, bank, 3_000_000n * unit));
  // The clock the bench started at (the deployment has taken a few blocks since): fixed, so quotes and their
  // signatures are too (bench/gas.ts says why).
  const now = BENCH_CLOCK;
  for (const s of [tier1Address!, tier2Address!]) await wait(programmes.setWhitelist(programmeId, s, now, now + 365n * DAY, ethers.id(s)));

  const maturity = now + 30n * DAY;
  const defaultMaturity = maturity + DAY;
  const face = 1_000_000n * unit;
  const rootId = await confirmReceivable({ ledger, core: core!, supplier: tier1Address!, currency, amount: face, maturity });
  const defaultRoot = await confirmReceivable({ ledger, core: core!, supplier: tier2Address!, currency, amount: face, maturity: defaultMaturity });

  const quote = (receivableId: bigint, holder: string, financier: string, amount: bigint, nonce: bigint, programme: bigint): Quote => ({
    receivableId,
    amount,
    advance: (amount * 97n) / 100n,
    financier,
    holder,
    mode: FinancingMode.Purchase,
    repayment: 0n,
    currency,
    expiry: now + DAY,
    nonce,
    programmeId: programme,
    evidenceHash: ethers.id("due-diligence record"),
  });
  const purchaseSlots = {
    fresh: ["financed part: holder+amount", "financed part: lineage+flags", "quote used"],
    changed: ["parent amount", "tree child counter", "financier's organisation (count)", "financier's exposure on the obligor", "cash balance", "cash balance"],
    extra: [ecrecover],
  };
  const rows: GasRow[] = [];

  const plain = quote(rootId, tier1Address!, bankAAddress!, 250_000n * unit, 1n, 0n);
  rows.push(await measure(PLAIN_PURCHASE_ROW, purchaseSlots, [financing.connect(tier1).acceptQuote(plain, await signQuote(financing, bankA!, plain))]));

  const enrolled = quote(rootId, tier1Address!, bankAAddress!, 250_000n * unit, 2n, programmeId);
  const enrolledSent = financing.connect(tier1).acceptQuote(enrolled, await signQuote(financing, bankA!, enrolled));
  rows.push(
    await measure(
      ENROLLED_PURCHASE_ROW,
      {
        fresh: [...purchaseSlots.fresh, "enrolment record"],
        changed: [...purchaseSlots.changed, "pool (balance, reserved, version)", "financier's participation (reserved)", "enterprise's whitelist entry (reserved)"],
        extra: [ecrecover],
      },
      [enrolledSent],
      rows[0]!.gasUsed + ENROLMENT_GAS_BUDGET,
    ),
  );
  const enrolment = enrolmentFrom(programmes, await (await enrolledSent).wait());

  const defaulted = quote(defaultRoot, tier2Address!, bankBAddress!, face, 1n, programmeId);
  const defaultedEnrolment = enrolmentFrom(
    programmes,
    await (await financing.connect(tier2).acceptQuote(defaulted, await signQuote(financing, bankB!, defaulted))).wait(),
  );

  await advance(maturity - (await latest()));
  await wait(vault.connect(core).deposit(currency, maturity, face));
  rows.push(
    await measure(
      "pay subsidy (after repayment in full; releases the reservation)",
      { changed: ["enrolment record (status)", "pool (balance, reserved)", "financier's participation (reserved)", "enterprise's whitelist entry (reserved)", "totals (subsidies)", "cash balance", "cash balance"] },
      [programmes.paySubsidy(enrolment)],
    ),
  );

  await advance(defaultMaturity + gracePeriod + 30n * DAY - (await latest()));
  rows.push(
    await measure(
      "claim (after default and the waiting period)",
      {
        fresh: ["claim record (loss, compensation)", "claim record (paid at claim)"],
        changed: ["enrolment record (status)", "pool (balance, reserved)", "financier's participation (reserved)", "enterprise's whitelist entry (reserved)", "totals (compensation)", "cash balance", "cash balance"],
      },
      [programmes.connect(bankB).claim(defaultedEnrolment)],
    ),
  );

  // Half the defaulted tree's face arrives late; bank B lets the programme collect the pool's share.
  await wait(vault.connect(core).deposit(currency, defaultMaturity, face / 2n));
  await wait(cash.connect(bankB).approve(await programmes.getAddress(), ethers.MaxUint256));
  rows.push(
    await measure(
      RECOVERY_ROW,
      { changed: ["claim record (pool's share)", "pool (balance)", "totals (recovered)", "cash balance", "cash balance", "financier's allowance"] },
      [programmes.shareRecovery(defaultedEnrolment)],
    ),
  );
  return rows;
}

async function main() {
  const rows = await measureRiskGas();
  console.log("Ledgerline risk-sharing gas (npx hardhat run bench/gasRisk.ts; Hardhat EVM, solc 0.8.28, optimizer 10,000 runs)\n");
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
