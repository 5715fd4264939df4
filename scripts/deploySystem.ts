// Deploys the whole on-chain system — the receivable ledger, then the settlement token, the financing
// settlement and the repayment vault, then the timelock that becomes the ledger's admin — and writes the deployment record (deployments/<network>.json)
// that the indexer and the API read. Takes signers only (never imports `hardhat`), so `npm start`,
// the benchmarks and the test fixtures run the very same deployment code.
import fs from "node:fs";
import path from "node:path";
import type { Signer } from "ethers";
import type { LedgerTimelock } from "../typechain-types";
import { deployLedger, type LedgerDeployment, type LedgerParameters } from "./deploy";
import { deploySettlement, type SettlementDeployment } from "./deploySettlement";
import { deployTimelock, handOverAdmin } from "./governance";

export interface DeploySystemOptions {
  /** Deploys and configures everything, then hands the ledger's DEFAULT_ADMIN_ROLE to the timelock, whose
   * proposer and executor it stays. */
  admin: Signer;
  /** Gets OPERATOR_ROLE (membership, issuance limits, pause, disputes); the admin when omitted. */
  operator?: Signer;
  parameters?: Partial<LedgerParameters>;
  /** An existing ERC-20 to settle in; a test settlement token is deployed when absent. */
  currency?: string;
  currencyDecimals?: number;
  gracePeriod?: bigint;
  /** Seconds every parameter change waits in the timelock: 0 (the embedded world) by default. */
  timelockDelay?: bigint;
  /** Seconds a transfer of the ledger's DEFAULT_ADMIN_ROLE waits: 0 by default. With a delay the handover to
   * the timelock stays pending until `completeAdminHandover` (scripts/governance.ts) after it. */
  adminDelay?: number;
  /** Seconds after which a debtor's dispute lapses unless upheld. */
  disputePeriod?: number;
  /**
   * A local development chain (`npm start`'s own node): marks the record `local`, which with chain id
   * 31337 lets the operator's faucet mint the test settlement token. Never set it for a real network.
   */
  local?: boolean;
}

export interface SystemDeployment {
  ledger: LedgerDeployment;
  settlement: SettlementDeployment;
  /** The ledger's DEFAULT_ADMIN_ROLE (once the handover is complete). */
  timelock: LedgerTimelock;
  /** Whether the timelock already holds DEFAULT_ADMIN_ROLE (false while an admin delay runs). */
  adminHandedOver: boolean;
  record: DeploymentRecord;
}

/** The file format read by server/lib/deployment.ts. */
export interface DeploymentRecord {
  chainId: number;
  /** First block the indexer must read: the ledger's deployment. */
  startBlock: number;
  contracts: {
    ReceivableToken: string;
    FinancingSettlement: string;
    RepaymentVault: string;
    /** Risk-sharing programmes (issue 13). */
    RiskProgramme: string;
    SettlementToken: string;
    LedgerTimelock: string;
    Issuance: string;
    Membership: string;
    Approvals: string;
    Disputes: string;
    Offers: string;
  };
  /** Present (true) only on a local development chain with the test settlement token (see `local` above). */
  local?: true;
}

export async function deploySystem(options: DeploySystemOptions): Promise<SystemDeployment> {
  const ledger = await deployLedger({
    admin: options.admin,
    operator: options.operator,
    parameters: options.parameters,
    adminDelay: options.adminDelay,
    disputePeriod: options.disputePeriod,
  });
  const settlement = await deploySettlement({
    admin: options.admin,
    ledger: ledger.ledgerAddress,
    currency: options.currency,
    currencyDecimals: options.currencyDecimals,
    gracePeriod: options.gracePeriod,
  });
  const timelock = await deployTimelock({ proposer: options.admin, minDelay: options.timelockDelay ?? 0n });
  const adminHandedOver = await handOverAdmin(ledger.ledger, options.admin, timelock);
  const record: DeploymentRecord = {
    chainId: Number(ledger.chainId),
    startBlock: ledger.startBlock,
    contracts: {
      ReceivableToken: ledger.ledgerAddress,
      FinancingSettlement: await settlement.financing.getAddress(),
      RepaymentVault: await settlement.vault.getAddress(),
      RiskProgramme: await settlement.programmes.getAddress(),
      SettlementToken: settlement.currency,
      LedgerTimelock: await timelock.getAddress(),
      ...ledger.libraries,
    },
    ...(options.local === true && options.currency === undefined ? { local: true as const } : {}),
  };
  return { ledger, settlement, timelock, adminHandedOver, record };
}

/** Writes the record atomically (temp file + rename) so a reader never sees half a file. */
export function writeDeploymentRecord(file: string, record: DeploymentRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(temp, file);
}
