// Deploys the receivable ledger (the ReceivableAdmin library, then the ReceivableToken linked to it).
// The same code runs in the test fixtures (Hardhat signers) and from `npm start` against a JSON-RPC node,
// so it takes signers and uses the TypeChain factories only — it must never import `hardhat` itself.
import type { Signer } from "ethers";
import { ReceivableAdmin__factory, ReceivableToken__factory, type ReceivableToken } from "../typechain-types";

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

export interface DeployLedgerOptions {
  /** Deploys, and gets DEFAULT_ADMIN_ROLE (it grants FINANCING_ROLE / SETTLEMENT_ROLE later). */
  admin: Signer;
  /** Gets OPERATOR_ROLE; the admin when omitted. */
  operator?: Signer;
  parameters?: Partial<LedgerParameters>;
}

export interface LedgerDeployment {
  ledger: ReceivableToken;
  ledgerAddress: string;
  /** The linked ReceivableAdmin library. */
  libraryAddress: string;
  chainId: bigint;
  /** Block of the ledger's deployment: where an indexer starts. */
  startBlock: number;
  parameters: LedgerParameters;
}

/** The link key TypeChain uses for the library inside the token's bytecode. */
export const RECEIVABLE_ADMIN_LINK = "contracts/libraries/ReceivableAdmin.sol:ReceivableAdmin";

export async function deployLedger({ admin, operator, parameters }: DeployLedgerOptions): Promise<LedgerDeployment> {
  const chosen: LedgerParameters = { ...DEFAULT_LEDGER_PARAMETERS, ...parameters };
  const library = await new ReceivableAdmin__factory(admin).deploy();
  await library.waitForDeployment();
  const libraryAddress = await library.getAddress();

  const ledger = await new ReceivableToken__factory({ [RECEIVABLE_ADMIN_LINK]: libraryAddress }, admin).deploy(
    await admin.getAddress(),
    await (operator ?? admin).getAddress(),
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
    libraryAddress,
    chainId: network.chainId,
    startBlock: receipt.blockNumber,
    parameters: chosen,
  };
}
