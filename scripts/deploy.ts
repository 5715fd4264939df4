// Deploys the receivable ledger (its linked libraries, then the ReceivableToken linked to them).
// The same code runs in the test fixtures (Hardhat signers) and from `npm start` against a JSON-RPC node,
// so it takes signers and uses the TypeChain factories only — it must never import `hardhat` itself.
import type { Signer } from "ethers";
import {
  Approvals__factory,
  Disputes__factory,
  Issuance__factory,
  Membership__factory,
  Offers__factory,
  ReceivableToken__factory,
  type ReceivableToken,
} from "../typechain-types";

/** The ledger's anti-griefing limits and default offer window (see `setLedgerParameters`). */
export interface LedgerParameters {
  /** Smallest part a split may create or leave behind, in currency base units. */
  minPartAmount: bigint;
  /** Deepest lineage: a root is depth 0, each split adds one. */
  maxDepth: number;
  /** Seconds an offer stays open when the sender gives no deadline. */
  defaultOfferWindow: number;
}

/** Sensible for the demo settlement token's 2 decimals: no part below 1.00, ten tiers, offers open a week. */
export const DEFAULT_LEDGER_PARAMETERS: LedgerParameters = {
  minPartAmount: 100n,
  maxDepth: 10,
  defaultOfferWindow: 7 * 24 * 60 * 60,
};

/** Seconds after which a debtor's dispute lapses unless the operator upholds it: 30 days. */
export const DEFAULT_DISPUTE_PERIOD = 30 * 24 * 60 * 60;

export interface DeployLedgerOptions {
  /** Deploys, and gets DEFAULT_ADMIN_ROLE (it binds the system contracts and sets parameters). */
  admin: Signer;
  /** Gets OPERATOR_ROLE; the admin when omitted. */
  operator?: Signer;
  parameters?: Partial<LedgerParameters>;
  /** Seconds a transfer of DEFAULT_ADMIN_ROLE waits (AccessControlDefaultAdminRules); 0 by default. */
  adminDelay?: number;
  /** Seconds after which a debtor's dispute lapses unless upheld; DEFAULT_DISPUTE_PERIOD by default. */
  disputePeriod?: number;
}

/** The linked libraries, by the name the deployment record uses. */
export interface LedgerLibraries {
  Issuance: string;
  Membership: string;
  Approvals: string;
  Disputes: string;
  Offers: string;
}

export interface LedgerDeployment {
  ledger: ReceivableToken;
  ledgerAddress: string;
  /** The linked libraries' addresses. */
  libraries: LedgerLibraries;
  chainId: bigint;
  /** Block of the ledger's deployment: where an indexer starts. */
  startBlock: number;
  parameters: LedgerParameters;
}

export async function deployLedger({
  admin,
  operator,
  parameters,
  adminDelay = 0,
  disputePeriod = DEFAULT_DISPUTE_PERIOD,
}: DeployLedgerOptions): Promise<LedgerDeployment> {
  const chosen: LedgerParameters = { ...DEFAULT_LEDGER_PARAMETERS, ...parameters };
  // One at a time: against a JSON-RPC node each waits for its receipt, so nonces never race.
  const libraries = {} as LedgerLibraries;
  for (const [name, factory] of [
    ["Issuance", Issuance__factory],
    ["Membership", Membership__factory],
    ["Approvals", Approvals__factory],
    ["Disputes", Disputes__factory],
    ["Offers", Offers__factory],
  ] as const) {
    const library = await new factory(admin).deploy();
    await library.waitForDeployment();
    libraries[name] = await library.getAddress();
  }

  const ledger = await new ReceivableToken__factory(
    {
      "contracts/libraries/Issuance.sol:Issuance": libraries.Issuance,
      "contracts/libraries/Membership.sol:Membership": libraries.Membership,
      "contracts/libraries/Approvals.sol:Approvals": libraries.Approvals,
      "contracts/libraries/Disputes.sol:Disputes": libraries.Disputes,
      "contracts/libraries/Offers.sol:Offers": libraries.Offers,
    },
    admin,
  ).deploy(
    await admin.getAddress(),
    adminDelay,
    await (operator ?? admin).getAddress(),
    disputePeriod,
    chosen.minPartAmount,
    chosen.maxDepth,
    chosen.defaultOfferWindow,
  );
  await ledger.waitForDeployment();
  const receipt = await ledger.deploymentTransaction()?.wait();
  if (!receipt) throw new Error("deployLedger: the ledger's deployment transaction has no receipt");
  const provider = admin.provider;
  if (!provider) throw new Error("deployLedger: the admin signer has no provider");
  const network = await provider.getNetwork();

  return {
    ledger,
    ledgerAddress: await ledger.getAddress(),
    libraries,
    chainId: network.chainId,
    startBlock: receipt.blockNumber,
    parameters: chosen,
  };
}
