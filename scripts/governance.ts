// Governance of the deployed ledger: its DEFAULT_ADMIN_ROLE sits with a TimelockController (LedgerTimelock),
// so parameter changes (currencies, ledger parameters) and OPERATOR_ROLE grants are scheduled, wait the
// timelock's delay, and are then executed. The embedded world uses a zero delay; real networks set one.
// Takes signers only, never Hardhat's runtime.
import { id, ZeroHash, type Signer } from "ethers";
import { LedgerTimelock__factory, type LedgerTimelock, type ReceivableToken } from "../typechain-types";

export interface DeployTimelockOptions {
  /** Proposes and executes (in production: a multisig, or the operations team's key). */
  proposer: Signer;
  /** Seconds every scheduled change waits. */
  minDelay: bigint;
}

export async function deployTimelock({ proposer, minDelay }: DeployTimelockOptions): Promise<LedgerTimelock> {
  const address = await proposer.getAddress();
  const timelock = await new LedgerTimelock__factory(proposer).deploy(minDelay, [address], [address]);
  await timelock.waitForDeployment();
  return timelock;
}

/** Schedules `data` on `target` through the timelock and, when its delay is zero, executes it at once. */
export async function executeThroughTimelock(
  timelock: LedgerTimelock,
  proposer: Signer,
  target: string,
  data: string,
  salt: string = ZeroHash,
): Promise<{ executed: boolean; operationId: string }> {
  const asProposer = timelock.connect(proposer);
  const delay = await timelock.getMinDelay();
  const operationId = await timelock.hashOperation(target, 0n, data, ZeroHash, salt);
  await (await asProposer.schedule(target, 0n, data, ZeroHash, salt, delay)).wait();
  if (delay !== 0n) return { executed: false, operationId };
  await (await asProposer.execute(target, 0n, data, ZeroHash, salt)).wait();
  return { executed: true, operationId };
}

/**
 * Starts handing the ledger's DEFAULT_ADMIN_ROLE from `admin` to `timelock` (AccessControlDefaultAdminRules)
 * and, when the ledger's admin delay is zero, completes it: the timelock accepts through its own schedule.
 * With a non-zero delay the transfer stays pending; `completeAdminHandover` finishes it once the delay passed.
 */
export async function handOverAdmin(ledger: ReceivableToken, admin: Signer, timelock: LedgerTimelock): Promise<boolean> {
  await (await ledger.connect(admin).beginDefaultAdminTransfer(await timelock.getAddress())).wait();
  if ((await ledger.defaultAdminDelay()) !== 0n) return false;
  return completeAdminHandover(ledger, admin, timelock);
}

/**
 * The timelock accepts the pending DEFAULT_ADMIN_ROLE: schedules the acceptance (once) and executes it when
 * its own delay allows. Returns whether the handover is complete; call again after the timelock's delay.
 */
export async function completeAdminHandover(ledger: ReceivableToken, proposer: Signer, timelock: LedgerTimelock): Promise<boolean> {
  const [, schedule] = await ledger.pendingDefaultAdmin();
  const target = await ledger.getAddress();
  const data = ledger.interface.encodeFunctionData("acceptDefaultAdminTransfer");
  const salt = id(`acceptDefaultAdminTransfer ${schedule}`);
  const asProposer = timelock.connect(proposer);
  const operationId = await timelock.hashOperation(target, 0n, data, ZeroHash, salt);
  if (!(await timelock.isOperation(operationId))) {
    await (await asProposer.schedule(target, 0n, data, ZeroHash, salt, await timelock.getMinDelay())).wait();
  }
  if (!(await timelock.isOperationReady(operationId))) return false;
  // The schedule must be strictly before the accepting block (OpenZeppelin's rule). Each transaction here
  // is a later block, but a node that mines on demand may give two blocks the same second: then wait.
  for (let attempt = 0; ; attempt += 1) {
    try {
      await (await asProposer.execute(target, 0n, data, ZeroHash, salt)).wait();
      return true;
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
