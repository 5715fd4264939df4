// Deploys Ledgerline's settlement side next to an existing ledger (the receivable token): the test
// settlement token (unless a real currency is given), the repayment vault and the financing settlement,
// then wires them into the ledger. Used by `scripts/start.ts`, by the test fixtures and by the gas bench,
// so deployment is tested code. Takes signers and addresses only, never Hardhat's runtime, so it runs
// against any JSON-RPC chain.
import { getCreateAddress, id, type Addressable, type Signer } from "ethers";
import {
  FinancingSettlement__factory,
  IReceivableToken__factory,
  RepaymentVault__factory,
  RiskProgramme__factory,
  SettlementToken__factory,
  type FinancingSettlement,
  type RepaymentVault,
  type RiskProgramme,
  type SettlementToken,
} from "../typechain-types";

/** The ledger roles the settlement contracts need, named as the receivable token names them. */
export const FINANCING_ROLE = id("FINANCING_ROLE");
export const SETTLEMENT_ROLE = id("SETTLEMENT_ROLE");

/** Default seconds after maturity before an unpaid receivable may be marked overdue. */
export const DEFAULT_GRACE_PERIOD = 7n * 24n * 60n * 60n;
/** Default decimals of the test settlement token (cents, like the story's 1,000,000.00). */
export const DEFAULT_CURRENCY_DECIMALS = 2;

export interface DeploySettlementTokenOptions {
  /** Receives DEFAULT_ADMIN_ROLE and OPERATOR_ROLE (the only minter). */
  admin: Signer;
  decimals?: number;
  name?: string;
  symbol?: string;
}

/** Deploys the test settlement token (an ERC-20 with permit that stands for cash). */
export async function deploySettlementToken({
  admin,
  decimals = DEFAULT_CURRENCY_DECIMALS,
  name = "Ledgerline Test Cash",
  symbol = "LCASH",
}: DeploySettlementTokenOptions): Promise<SettlementToken> {
  const token = await new SettlementToken__factory(admin).deploy(name, symbol, decimals, await admin.getAddress());
  await token.waitForDeployment();
  return token;
}

export interface DeploySettlementOptions {
  /** Must hold DEFAULT_ADMIN_ROLE on the ledger (it binds the system contracts and allows the currency). */
  admin: Signer;
  /** The receivable token. */
  ledger: string | Addressable;
  /** An existing ERC-20 to settle in; when absent a test settlement token is deployed. */
  currency?: string;
  currencyDecimals?: number;
  /** Seconds after maturity before an unfunded receivable may be marked overdue. */
  gracePeriod?: bigint;
}

export interface SettlementDeployment {
  /** The deployed test token, when no currency was given. */
  settlementToken: SettlementToken | undefined;
  /** Address of the ERC-20 the ledger now allows. */
  currency: string;
  financing: FinancingSettlement;
  vault: RepaymentVault;
  /** The risk-sharing programmes (issue 13); the admin holds its DEFAULT_ADMIN_ROLE and PROGRAMME_ADMIN_ROLE. */
  programmes: RiskProgramme;
  gracePeriod: bigint;
  /** Block of the first settlement deployment transaction (the indexer's start for these contracts). */
  startBlock: number;
}

export async function deploySettlement({
  admin,
  ledger,
  currency,
  currencyDecimals = DEFAULT_CURRENCY_DECIMALS,
  gracePeriod = DEFAULT_GRACE_PERIOD,
}: DeploySettlementOptions): Promise<SettlementDeployment> {
  const ledgerAddress = typeof ledger === "string" ? ledger : await ledger.getAddress();
  const provider = admin.provider;
  if (provider === null) throw new Error("deploySettlement: the admin signer has no provider");
  const startBlock = await provider.getBlockNumber();

  let settlementToken: SettlementToken | undefined;
  if (currency === undefined) {
    settlementToken = await deploySettlementToken({ admin, decimals: currencyDecimals });
    currency = await settlementToken.getAddress();
  }

  const vault = await new RepaymentVault__factory(admin).deploy(ledgerAddress, gracePeriod);
  await vault.waitForDeployment();
  // The programmes contract takes the financing settlement's address (its only enroller) and the financing
  // settlement the programmes' (whom it asks to enrol), both immutable: the settlement is the admin's next
  // deployment after the programmes, so its address is known in advance.
  const adminAddress = await admin.getAddress();
  // The signer's own count (a nonce manager's or a deploy journal's), not the node's "pending" count.
  const financingAddress = getCreateAddress({ from: adminAddress, nonce: (await admin.getNonce("pending")) + 1 });
  const programmes = await new RiskProgramme__factory(admin).deploy(ledgerAddress, await vault.getAddress(), financingAddress, adminAddress);
  await programmes.waitForDeployment();
  const financing = await new FinancingSettlement__factory(admin).deploy(ledgerAddress, await vault.getAddress(), await programmes.getAddress());
  await financing.waitForDeployment();
  if ((await financing.getAddress()) !== financingAddress) {
    throw new Error(`deploySettlement: the financing settlement landed at ${await financing.getAddress()}, not ${financingAddress}`);
  }
  await (await programmes.grantRole(await programmes.PROGRAMME_ADMIN_ROLE(), adminAddress)).wait();

  const receivables = IReceivableToken__factory.connect(ledgerAddress, admin);
  // The movement roles, once and for good: the ledger refuses to grant them any other way.
  await (await receivables.bindSystemContracts(await financing.getAddress(), await vault.getAddress())).wait();
  if (!(await receivables.isCurrencyAllowed(currency))) {
    await (await receivables.setCurrencyAllowed(currency, true)).wait();
  }

  return { settlementToken, currency, financing, vault, programmes, gracePeriod, startBlock };
}
