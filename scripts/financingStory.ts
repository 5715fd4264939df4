// The financing story, played on any chain: a core enterprise confirms 1,000,000.00; tier 1 keeps
// 600,000 and passes 400,000 to tier 2; tier 2 passes 100,000 to tier 3; tier 3 sells its receivable
// to bank A (purchase) and tier 2 pledges 200,000 to bank B; the core enterprise repays at maturity and
// everyone redeems. Also the small, reusable settlement actions (confirm, transfer a part, sign a quote)
// that the story, the tests, the gas bench and the seed scripts share. It takes contracts and signers,
// never Hardhat's runtime, and only moves time itself when the chain is Hardhat's.
import { ethers as ethersLib, type ContractTransactionReceipt, type Signer } from "ethers";
import { requireEvent } from "../server/lib/receipt";
import { eip712DomainOf, FinancingMode, invoiceNumberHashOf, QUOTE_TYPES, type FinancingModeValue, type Quote } from "../server/lib/typedData";
import type { FinancingSettlement, ReceivableToken, RepaymentVault, SettlementToken } from "../typechain-types";
import { offeredIdFromReceipt } from "./ledgerStory";
import { OrganisationRole, type OrganisationRoleValue } from "./seed";

// ─── quotes ────────────────────────────────────────────────────────────────────

export { FinancingMode, type FinancingModeValue, type Quote };

/** The financier signs `quote` (EIP-712). */
export async function signQuote(financing: FinancingSettlement, financier: Signer, quote: Quote): Promise<string> {
  return financier.signTypedData(await eip712DomainOf(financing), QUOTE_TYPES, quote);
}

// ─── receivables ───────────────────────────────────────────────────────────────

export interface ConfirmReceivableArgs {
  ledger: ReceivableToken;
  core: Signer;
  supplier: string;
  currency: string;
  amount: bigint;
  maturity: bigint;
  /** Defaults to a hash of the terms and a counter, unique per call. */
  invoiceHash?: string;
  /** The invoice number (a fresh one per call when omitted). */
  invoiceNumber?: string;
}

let invoiceCounter = 0;

/** The core enterprise confirms an invoice by its own transaction; returns the root receivable's id. */
export async function confirmReceivable({ ledger, core, supplier, currency, amount, maturity, invoiceHash, invoiceNumber }: ConfirmReceivableArgs): Promise<bigint> {
  const debtor = await core.getAddress();
  invoiceCounter += 1;
  const hash =
    invoiceHash ??
    ethersLib.keccak256(
      ethersLib.AbiCoder.defaultAbiCoder().encode(
        ["string", "address", "address", "uint256", "uint64", "uint256", "uint256"],
        ["ledgerline-invoice", supplier, debtor, amount, maturity, invoiceCounter, BigInt(Date.now())],
      ),
    );
  const invoice = { invoiceHash: hash, invoiceNumberHash: invoiceNumberHashOf(invoiceNumber ?? `FIN-${invoiceCounter}-${hash.slice(2, 10)}`), supplier, debtor, currency, amount, maturity };
  await (await ledger.connect(core).confirmInvoice(invoice)).wait();
  return ledger.rootIdOfInvoice(hash);
}

export interface TransferPartArgs {
  ledger: ReceivableToken;
  from: Signer;
  to: Signer;
  id: bigint;
  amount: bigint;
}

/** `from` offers `amount` of `id` to `to`, who accepts (signing for receipt); returns the id `to` holds. */
export async function transferPart({ ledger, from, to, id, amount }: TransferPartArgs): Promise<bigint> {
  const receipt = await (await ledger.connect(from).offerTransfer(id, await to.getAddress(), amount, 0)).wait();
  const offeredId = offeredIdFromReceipt(ledger, receipt?.logs ?? []);
  await (await ledger.connect(to).acceptOffer(offeredId)).wait();
  return offeredId;
}

/** The financed id a `QuoteAccepted` event in `receipt` reports. */
export function financedIdFrom(financing: FinancingSettlement, receipt: ContractTransactionReceipt | null): bigint {
  return requireEvent(financing, receipt?.logs ?? [], "QuoteAccepted", financing.target as string).financedId;
}

// ─── the story ─────────────────────────────────────────────────────────────────

export interface FinancingStoryParties {
  /** Holds OPERATOR_ROLE on the ledger and may mint the settlement token. */
  operator: Signer;
  core: Signer;
  tier1: Signer;
  tier2: Signer;
  tier3: Signer;
  bankA: Signer;
  bankB: Signer;
}

export interface PlayFinancingStoryOptions {
  ledger: ReceivableToken;
  financing: FinancingSettlement;
  vault: RepaymentVault;
  /** The settlement token; the operator mints the cash the core enterprise and the banks start with. */
  settlementToken: SettlementToken;
  parties: FinancingStoryParties;
  /** JSON-RPC access, to move time on a development chain or to read the clock on any other. */
  provider: { send(method: string, params: unknown[]): Promise<unknown> };
  /** Where the story narrates; silent when absent. */
  log?: (line: string) => void;
  /** On a chain whose clock cannot be moved, how far ahead maturity is set (and waited for). */
  realTimeMaturitySeconds?: bigint;
}

export interface StoryBalanceRow {
  party: string;
  address: string;
  before: bigint;
  after: bigint;
  change: bigint;
  expectedChange: bigint;
}

export interface FinancingStoryResult {
  rootId: bigint;
  maturity: bigint;
  /** Receivable ids: tier 1's root, tier 2's holding, tier 3's part (bought by bank A), tier 2's pledged part. */
  ids: { root: bigint; tier2: bigint; tier3: bigint; pledged: bigint };
  balances: StoryBalanceRow[];
  /** Every balance moved by exactly its expected change. */
  balanced: boolean;
  table: string;
}

/** Formats base units as a decimal string with `decimals` places (no floats). */
export function formatUnits(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(decimals);
  const whole = (abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = decimals === 0 ? "" : "." + (abs % unit).toString().padStart(decimals, "0");
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

async function isDevelopmentChain(provider: PlayFinancingStoryOptions["provider"]): Promise<boolean> {
  const version = String(await provider.send("web3_clientVersion", []));
  return /hardhat|anvil/i.test(version);
}

async function chainTime(provider: PlayFinancingStoryOptions["provider"]): Promise<bigint> {
  const block = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  return BigInt(block.timestamp);
}

/** Plays the financing story and returns every party's settlement-token balance before and after. */
export async function playFinancingStory(options: PlayFinancingStoryOptions): Promise<FinancingStoryResult> {
  const { ledger, financing, vault, settlementToken: cash, parties, provider } = options;
  const log = options.log ?? (() => undefined);
  const { operator, core, tier1, tier2, tier3, bankA, bankB } = parties;
  const addr = Object.fromEntries(
    await Promise.all(Object.entries(parties as unknown as Record<string, Signer>).map(async ([name, s]) => [name, await s.getAddress()] as const)),
  ) as Record<keyof FinancingStoryParties, string>;
  const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();

  const decimals = Number(await cash.decimals());
  const unit = 10n ** BigInt(decimals);
  const currency = await cash.getAddress();
  const face = 1_000_000n * unit;
  const development = await isDevelopmentChain(provider);

  // ── the world: organisations registered (unless seeding did it), the currency allowed, cash minted
  const wanted: [keyof FinancingStoryParties, OrganisationRoleValue][] = [
    ["core", OrganisationRole.CoreEnterprise], ["tier1", OrganisationRole.Supplier], ["tier2", OrganisationRole.Supplier], ["tier3", OrganisationRole.Supplier],
    ["bankA", OrganisationRole.Financier], ["bankB", OrganisationRole.Financier],
  ];
  for (const [name, role] of wanted) {
    const org = await ledger.organisationOf(addr[name]);
    if (org.role === BigInt(OrganisationRole.None)) {
      await send(ledger.connect(operator).registerOrganisation(addr[name], role, ethersLib.id(`kyc:story:${name}`)));
    } else if (org.role !== BigInt(role)) {
      throw new Error(`financing story: ${name} (${addr[name]}) is registered with role ${org.role}, not ${role}`);
    }
  }
  if (!(await ledger.isCurrencyAllowed(currency))) await send(ledger.connect(operator).setCurrencyAllowed(currency, true));
  const [limit, used] = await ledger.issuanceLimitOf(addr.core);
  if (limit - used < face) await send(ledger.connect(operator).setIssuanceLimit(addr.core, used + face));
  // Each bank approves the core enterprise as an obligor for what it is about to finance (its own limit).
  for (const [bank, amount] of [[bankA, 100_000n * unit], [bankB, 200_000n * unit]] as const) {
    const [exposureLimit, outstanding] = await financing.exposureOf(await bank.getAddress(), addr.core);
    if (exposureLimit - outstanding < amount) await send(financing.connect(bank).setExposureLimit(addr.core, outstanding + amount));
  }

  const advanceA = 98_500n * unit; // bank A buys tier 3's 100,000.00 for 98,500.00
  const advanceB = 190_000n * unit; // bank B lends tier 2 190,000.00 against 200,000.00 ...
  const repaymentB = 195_000n * unit; // ... to be repaid 195,000.00 out of the redemption
  await send(cash.connect(operator).mint(addr.core, face));
  await send(cash.connect(operator).mint(addr.bankA, advanceA));
  await send(cash.connect(operator).mint(addr.bankB, advanceB));
  await send(cash.connect(bankA).approve(await financing.getAddress(), advanceA));
  await send(cash.connect(bankB).approve(await financing.getAddress(), advanceB));
  await send(cash.connect(core).approve(await vault.getAddress(), face));

  const names = ["core", "tier1", "tier2", "tier3", "bankA", "bankB"] as const;
  const balance = async (who: string) => cash.balanceOf(who);
  const before: Record<string, bigint> = {};
  for (const name of names) before[name] = await balance(addr[name]);
  before.vault = await balance(await vault.getAddress());

  // ── confirmation and the chain of transfers
  const start = await chainTime(provider);
  const maturity = start + (development ? 30n * 86_400n : (options.realTimeMaturitySeconds ?? 120n));
  const root = await confirmReceivable({ ledger, core, supplier: addr.tier1, currency, amount: face, maturity });
  log(`core enterprise confirmed ${formatUnits(face, decimals)} to tier 1: receivable ${root}, maturing at ${maturity}`);
  const tier2Id = await transferPart({ ledger, from: tier1, to: tier2, id: root, amount: 400_000n * unit });
  log(`tier 1 kept 600,000 and passed 400,000 to tier 2: receivable ${tier2Id}`);
  const tier3Id = await transferPart({ ledger, from: tier2, to: tier3, id: tier2Id, amount: 100_000n * unit });
  log(`tier 2 passed 100,000 to tier 3: receivable ${tier3Id}`);

  // ── financing: tier 3 sells to bank A, tier 2 pledges to bank B
  const expiry = (await chainTime(provider)) + 3_600n;
  const purchase: Quote = {
    receivableId: tier3Id, amount: 100_000n * unit, advance: advanceA, financier: addr.bankA, holder: addr.tier3,
    mode: FinancingMode.Purchase, repayment: 0n, currency, expiry, nonce: 0n, programmeId: 0n, evidenceHash: ethersLib.ZeroHash,
  };
  const purchased = financedIdFrom(
    financing,
    await (await financing.connect(tier3).acceptQuote(purchase, await signQuote(financing, bankA, purchase))).wait(),
  );
  log(`tier 3 accepted bank A's purchase quote: bank A holds receivable ${purchased}, tier 3 got ${formatUnits(advanceA, decimals)}`);
  const pledge: Quote = {
    receivableId: tier2Id, amount: 200_000n * unit, advance: advanceB, financier: addr.bankB, holder: addr.tier2,
    mode: FinancingMode.Pledge, repayment: repaymentB, currency, expiry, nonce: 0n, programmeId: 0n, evidenceHash: ethersLib.ZeroHash,
  };
  const pledged = financedIdFrom(
    financing,
    await (await financing.connect(tier2).acceptQuote(pledge, await signQuote(financing, bankB, pledge))).wait(),
  );
  log(`tier 2 accepted bank B's pledge quote: receivable ${pledged} pledged, tier 2 got ${formatUnits(advanceB, decimals)} and owes ${formatUnits(repaymentB, decimals)}`);

  // ── maturity: repayment and redemption
  if (development) {
    const now = await chainTime(provider);
    if (now < maturity) {
      await provider.send("evm_increaseTime", [Number(maturity - now)]);
      await provider.send("evm_mine", []);
    }
  } else {
    log(`waiting for maturity (${maturity})...`);
    while ((await chainTime(provider)) < maturity) await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  await send(vault.connect(core).deposit(currency, maturity, face));
  log(`core enterprise deposited ${formatUnits(face, decimals)} at maturity`);
  await send(vault.connect(tier1).redeem(root));
  await send(vault.connect(tier2).redeem(tier2Id));
  await send(vault.connect(tier2).redeem(pledged));
  await send(vault.connect(bankA).redeem(purchased));
  log("tier 1, tier 2 (both holdings; bank B paid first from the pledged one) and bank A redeemed");
  // Repaid: neither financing counts against its bank's exposure limit on the core enterprise any more.
  await send(financing.releaseExposure(purchase));
  await send(financing.releaseExposure(pledge));
  log("the core enterprise repaid: bank A's and bank B's exposure on it released");

  // ── the books
  const expected: Record<string, bigint> = {
    core: -face,
    tier1: 600_000n * unit,
    tier2: advanceB + 100_000n * unit + (200_000n * unit - repaymentB),
    tier3: advanceA,
    bankA: 100_000n * unit - advanceA,
    bankB: repaymentB - advanceB,
    vault: 0n,
  };
  const labels: Record<string, string> = {
    core: "core enterprise", tier1: "tier 1", tier2: "tier 2", tier3: "tier 3", bankA: "bank A", bankB: "bank B", vault: "repayment vault",
  };
  const balances: StoryBalanceRow[] = [];
  for (const name of [...names, "vault"] as const) {
    const address = name === "vault" ? await vault.getAddress() : addr[name];
    const after = await balance(address);
    balances.push({ party: labels[name]!, address, before: before[name]!, after, change: after - before[name]!, expectedChange: expected[name]! });
  }
  const balanced = balances.every((r) => r.change === r.expectedChange);
  const table = [
    "| party | before | after | change | expected |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...balances.map(
      (r) => `| ${r.party} | ${formatUnits(r.before, decimals)} | ${formatUnits(r.after, decimals)} | ${formatUnits(r.change, decimals)} | ${formatUnits(r.expectedChange, decimals)} |`,
    ),
  ].join("\n");
  log(table);
  log(balanced ? "every balance ended exactly where it should" : "BALANCES DO NOT MATCH");
  return { rootId: root, maturity, ids: { root, tier2: tier2Id, tier3: tier3Id, pledged }, balances, balanced, table };
}
