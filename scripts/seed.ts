// Seeds the demo world on a freshly deployed ledger: one core enterprise, suppliers of tiers 1-3 and two
// banks, an issuance limit for the core enterprise, each bank's own exposure limit on it (when the financing
// settlement is given) and the settlement currency allowed. Plain function over
// signers and contracts, shared by `npm start` and the test fixtures; never imports `hardhat`.
import { id, type Signer } from "ethers";
import type { FinancingSettlement, ReceivableToken, SettlementToken } from "../typechain-types";

/** On-chain organisation roles (IOrganisationRegistry.OrganisationRole). */
export const OrganisationRole = { None: 0, CoreEnterprise: 1, Supplier: 2, Financier: 3 } as const;
export type OrganisationRoleValue = (typeof OrganisationRole)[keyof typeof OrganisationRole];

export interface DemoAccounts {
  coreEnterprise: Signer;
  /** Tier 1, tier 2, tier 3. */
  suppliers: readonly [Signer, Signer, Signer];
  /** The first one grants the core enterprise's credit line. */
  banks: readonly [Signer, Signer];
}

export interface SeedDemoWorldOptions {
  ledger: ReceivableToken;
  /** Holds OPERATOR_ROLE: registers the organisations and sets the issuance limit. */
  operator: Signer;
  /** Holds DEFAULT_ADMIN_ROLE: allows the currency when it is not yet (deploySystem allows it itself). */
  admin?: Signer;
  accounts: DemoAccounts;
  /** The settlement token the demo confirms invoices in (deployed by the settlement scripts). */
  currency: string;
  /** The core enterprise's issuance limit, in currency base units. */
  issuanceLimit?: bigint;
  /** When given, each bank sets its own exposure limit on the core enterprise there (to the issuance
   * limit): a bank finances only obligors it has approved. */
  financing?: FinancingSettlement;
}

export interface DemoOrganisation {
  name: string;
  address: string;
  role: OrganisationRoleValue;
  kycHash: string;
}

export interface DemoWorld {
  coreEnterprise: DemoOrganisation;
  suppliers: [DemoOrganisation, DemoOrganisation, DemoOrganisation];
  banks: [DemoOrganisation, DemoOrganisation];
  currency: string;
  issuanceLimit: bigint;
  /** Address (lower-case) to display name, for printing holdings and trees. */
  names: Map<string, string>;
}

/** 10,000,000.00 of the demo settlement token (2 decimals). */
export const DEMO_ISSUANCE_LIMIT = 10_000_000n * 100n;

/** The off-chain KYC record's hash; the demo stands one in by hashing the organisation's name. */
export function demoKycHash(name: string): string {
  return id(`kyc:${name}`);
}

export async function seedDemoWorld({
  ledger,
  operator,
  admin,
  accounts,
  currency,
  issuanceLimit = DEMO_ISSUANCE_LIMIT,
  financing,
}: SeedDemoWorldOptions): Promise<DemoWorld> {
  const asOperator = ledger.connect(operator);
  const describe = async (name: string, signer: Signer, role: OrganisationRoleValue): Promise<DemoOrganisation> => ({
    name,
    address: await signer.getAddress(),
    role,
    kycHash: demoKycHash(name),
  });
  const coreEnterprise = await describe("Core enterprise", accounts.coreEnterprise, OrganisationRole.CoreEnterprise);
  const suppliers: DemoWorld["suppliers"] = [
    await describe("Tier-1 supplier", accounts.suppliers[0], OrganisationRole.Supplier),
    await describe("Tier-2 supplier", accounts.suppliers[1], OrganisationRole.Supplier),
    await describe("Tier-3 supplier", accounts.suppliers[2], OrganisationRole.Supplier),
  ];
  const banks: DemoWorld["banks"] = [
    await describe("Bank A", accounts.banks[0], OrganisationRole.Financier),
    await describe("Bank B", accounts.banks[1], OrganisationRole.Financier),
  ];

  // One transaction at a time: against a JSON-RPC node each waits for its receipt, so nonces never race.
  for (const organisation of [coreEnterprise, ...suppliers, ...banks]) {
    await (await asOperator.registerOrganisation(organisation.address, organisation.role, organisation.kycHash)).wait();
  }
  if (!(await ledger.isCurrencyAllowed(currency))) {
    await (await ledger.connect(admin ?? operator).setCurrencyAllowed(currency, true)).wait();
  }
  // The platform operator, alone, decides how much the core enterprise may issue.
  await (await asOperator.setIssuanceLimit(coreEnterprise.address, issuanceLimit)).wait();
  if (financing) {
    for (const bank of accounts.banks) await (await financing.connect(bank).setExposureLimit(coreEnterprise.address, issuanceLimit)).wait();
  }

  const names = new Map<string, string>();
  for (const organisation of [coreEnterprise, ...suppliers, ...banks]) {
    names.set(organisation.address.toLowerCase(), organisation.name);
  }
  return { coreEnterprise, suppliers, banks, currency, issuanceLimit, names };
}

/** What `fundDemoWorld` mints, in whole units of the demo token (2 decimals). */
export const DEMO_FUNDS = {
  /** Its whole issuance limit: enough to repay everything it may confirm. */
  coreEnterprise: 10_000_000n,
  /** Each bank: enough to fund every quote the demo asks for, several times over. */
  bank: 5_000_000n,
  /** Each supplier: enough to repay a pledge early. */
  supplier: 100_000n,
} as const;

/**
 * Gives the demo organisations the cash the story needs when it is played through the API after
 * `npm start`: the core enterprise can repay, the banks can pay their advances, a supplier can repay a
 * pledge. Minted by the operator (the test token's minter); allowances are the API's business (it
 * approves what a deposit or an accepted quote pulls). Returns what each address received.
 */
export async function fundDemoWorld({
  token,
  operator,
  world,
}: {
  token: SettlementToken;
  operator: Signer;
  world: Pick<DemoWorld, "coreEnterprise" | "suppliers" | "banks">;
}): Promise<Map<string, bigint>> {
  const unit = 10n ** BigInt(await token.decimals());
  const grants: [string, bigint][] = [
    [world.coreEnterprise.address, DEMO_FUNDS.coreEnterprise * unit],
    ...world.banks.map((b) => [b.address, DEMO_FUNDS.bank * unit] as [string, bigint]),
    ...world.suppliers.map((s) => [s.address, DEMO_FUNDS.supplier * unit] as [string, bigint]),
  ];
  const minted = new Map<string, bigint>();
  for (const [address, amount] of grants) {
    await (await token.connect(operator).mint(address, amount)).wait();
    minted.set(address.toLowerCase(), amount);
  }
  return minted;
}
