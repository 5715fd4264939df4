// A risk-sharing programme in an API test world: created by the operator (who holds PROGRAMME_ADMIN_ROLE),
// funded 60/40 by a registered organisation (the self-custodied core enterprise) and an outside address,
// with quotas for the given financiers and the given enterprises whitelisted for a year from now.
import { ethers } from "hardhat";
import { programmeIdFrom } from "../../../scripts/programmes";
import { chainNow, DAY, UNIT, type Actor, type World } from "./world";

export const PROGRAMME_TERMS = {
  coverageBps: 5_000,
  subsidyBps: 100,
  subsidyToFinancier: false,
  capPerFinancing: 500_000n * UNIT,
  capPerEnterprise: 1_000_000n * UNIT,
  capPerFinancier: 2_000_000n * UNIT,
  waitingPeriod: 30 * DAY,
  claimWindow: 60 * DAY,
};

export async function fundedProgramme(w: World, input: { quotas: [Actor, bigint][]; whitelist: Actor[]; terms?: typeof PROGRAMME_TERMS }): Promise<bigint> {
  const admin = w.programmes.connect(w.operator.signer);
  const id = programmeIdFrom(admin, await (await admin.createProgramme(w.currency, input.terms ?? PROGRAMME_TERMS)).wait());
  const programmesAddress = await w.programmes.getAddress();
  for (const [funder, amount] of [[w.selfCore.signer, 600_000n * UNIT], [w.outsider, 400_000n * UNIT]] as const) {
    await (await admin.setFunder(id, funder.address, amount)).wait();
    await (await w.cash.connect(w.operator.signer).mint(funder.address, amount)).wait();
    await (await w.cash.connect(funder).approve(programmesAddress, amount)).wait();
    await (await w.programmes.connect(funder).payIn(id, amount)).wait();
  }
  for (const [bank, quota] of input.quotas) await (await admin.setFinancierQuota(id, bank.address, quota)).wait();
  const now = BigInt(await chainNow());
  for (const enterprise of input.whitelist) {
    await (await admin.setWhitelist(id, enterprise.address, now, now + 365n * BigInt(DAY), ethers.id(`high-tech enterprise certificate of ${enterprise.name}`))).wait();
  }
  return id;
}
