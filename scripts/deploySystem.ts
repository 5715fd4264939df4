// Deploys the whole on-chain system — the receivable ledger, then the settlement token, the financing
// settlement and the repayment vault — and writes the deployment record (deployments/<network>.json)
// that the indexer and the API read. Takes signers only (never imports `hardhat`), so `npm start`,
// the benchmarks and the test fixtures run the very same deployment code.
import fs from "node:fs";
import path from "node:path";
import type { Signer } from "ethers";
import { deployLedger, type LedgerDeployment, type LedgerParameters } from "./deploy";
import { deploySettlement, type SettlementDeployment } from "./deploySettlement";

export interface DeploySystemOptions {
  admin: Signer;
  operator?: Signer;
  parameters?: Partial<LedgerParameters>;
  /** An existing ERC-20 to settle in; a test settlement token is deployed when absent. */
  currency?: string;
  currencyDecimals?: number;
  gracePeriod?: bigint;
}

export interface SystemDeployment {
  ledger: LedgerDeployment;
  settlement: SettlementDeployment;
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
    SettlementToken: string;
    ReceivableAdmin: string;
  };
}

export async function deploySystem(options: DeploySystemOptions): Promise<SystemDeployment> {
  const ledger = await deployLedger({ admin: options.admin, operator: options.operator, parameters: options.parameters });
  const settlement = await deploySettlement({
    admin: options.admin,
    ledger: ledger.ledgerAddress,
    currency: options.currency,
    currencyDecimals: options.currencyDecimals,
    gracePeriod: options.gracePeriod,
  });
  const record: DeploymentRecord = {
    chainId: Number(ledger.chainId),
    startBlock: ledger.startBlock,
    contracts: {
      ReceivableToken: ledger.ledgerAddress,
      FinancingSettlement: await settlement.financing.getAddress(),
      RepaymentVault: await settlement.vault.getAddress(),
      SettlementToken: settlement.currency,
      ReceivableAdmin: ledger.libraryAddress,
    },
  };
  return { ledger, settlement, record };
}

/** Writes the record atomically (temp file + rename) so a reader never sees half a file. */
export function writeDeploymentRecord(file: string, record: DeploymentRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(temp, file);
}
