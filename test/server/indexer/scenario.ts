// A story that makes the real contracts emit every event the indexer projects, and a check of the
// projections against contract state read through eth_call. Used by the projection and decoding tests.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import type { Db } from "../../../server/db/client";
import { asLedgerAdmin, confirm, DAY, deploySystemFixture, finance, makeQuote, transfer, type System } from "../../fixtures/settlement";
import { FinancingMode } from "../../../scripts/financingStory";
import { invoiceNumberHashOf } from "../../../server/lib/typedData";
import { BlocklistSettlementToken__factory } from "../../../typechain-types";
import { financeEnrolled, openProgramme } from "../../fixtures/risk";

/** The settlement system after `playEveryEvent`, for `loadFixture` (one snapshot for every test file). */
export async function everyEventFixture(): Promise<System> {
  const sys = await deploySystemFixture();
  await playEveryEvent(sys);
  return sys;
}

/** Drives every projected event at least once (and the ERC-721/3525 mirrors with them). */
export async function playEveryEvent(sys: System): Promise<void> {
  const { ledger, financing, vault, operator, core, core2, tier1, tier2, tier3, bankA, bankB, supplier4 } = sys;
  const u = sys.unit;

  // Registry and settings.
  await ledger.connect(operator).suspendOrganisation(supplier4.address);
  await ledger.connect(operator).reactivateOrganisation(supplier4.address);
  await ledger.connect(operator).setIssuanceLimit(core2.address, 50_000_000n * u);
  await asLedgerAdmin(sys, "setLedgerParameters", [1n, 16, Number(DAY)]);
  await asLedgerAdmin(sys, "setCurrencyAllowed", [ethers.getAddress("0x00000000000000000000000000000000000c0ffe"), true]);

  // Invoices: registered then rejected, registered then confirmed, confirmed directly.
  const maturity = sys.maturity;
  const hashA = ethers.id("invoice A");
  const invA = { invoiceHash: hashA, invoiceNumberHash: invoiceNumberHashOf("A-1"), supplier: tier1.address, debtor: core.address, currency: sys.currency, amount: 1_000_000n * u, maturity };
  await ledger.connect(tier1).registerInvoice(invA);
  await ledger.connect(core).rejectInvoice(hashA, tier1.address, "wrong quantity");
  await ledger.connect(tier1).registerInvoice({ ...invA, amount: 900_000n * u });
  await ledger.connect(core).confirmInvoice({ ...invA, amount: 900_000n * u });
  const rootA = await ledger.rootIdOfInvoice(hashA);
  const rootB = await confirm(sys, tier1, 500_000n * u);

  // Splits, offers accepted / rejected / cancelled / expired.
  await ledger.connect(tier1).split(rootA, 100_000n * u);
  const t2 = await transfer(sys, tier1, tier2, rootA, 300_000n * u);
  const t3 = await transfer(sys, tier2, tier3, t2, 100_000n * u);
  await ledger.connect(tier2).offerTransfer(t2, tier3.address, 50_000n * u, 0);
  const rejected = (await ledger.receivableOf(t2)).amount; // the offered child is the newest id
  void rejected;
  const offeredToReject = await lastOfferedId(sys);
  await ledger.connect(tier3).rejectOffer(offeredToReject);
  await ledger.connect(tier1).offerTransfer(rootB, tier2.address, 500_000n * u, 0);
  await ledger.connect(tier1).cancelOffer(rootB);
  await ledger.connect(tier1).offerTransfer(rootB, tier2.address, 100_000n * u, BigInt(await time.latest()) + 3600n);
  const toExpire = await lastOfferedId(sys);
  await time.increase(7200);
  await ledger.connect(tier3).reclaimExpiredOffer(toExpire);

  // Pledge by hand, released by the pledgee; freeze and unfreeze a tree.
  await ledger.connect(tier3).pledge(t3, bankB.address);
  await ledger.connect(bankB).releasePledge(t3);
  await ledger.connect(core).raiseDispute(rootB, ethers.id("evidence"));
  await ledger.connect(operator).resolveDispute(rootB, true);
  await ledger.connect(operator).resolveDispute(rootB, false);

  // Financing: a purchase of a part, a pledge of a part, a cancelled quote, invalidated nonces.
  await finance(sys, { receivableId: t3, holder: tier3, financier: bankA, amount: 40_000n * u });
  const { financedId: pledged, quote: pledgeQuote } = await finance(sys, { receivableId: rootB, holder: tier1, financier: bankB, amount: 200_000n * u, mode: FinancingMode.Pledge, nonce: 1n });
  const cancelled = await makeQuote(sys, { receivableId: rootA, holder: tier1, financier: bankA, amount: 10_000n * u, nonce: 7n });
  await financing.connect(bankA).cancelQuote(cancelled);
  await financing.connect(bankB).invalidateNonces(5n);

  // A second pool (core2) left unpaid to go overdue.
  const overdueMaturity = maturity + DAY;
  const rootC = await confirm(sys, tier2, 70_000n * u, { core: core2, maturity: overdueMaturity });

  // Repayment: a partial deposit, then the rest after maturity; redemptions (partial then final).
  await vault.connect(core).deposit(sys.currency, maturity, 700_000n * u);
  await time.increaseTo(maturity);
  await vault.connect(tier2).redeem(t2); // pays a share of t2, does not burn
  await vault.connect(core).deposit(sys.currency, maturity, 700_000n * u);
  await vault.connect(tier2).redeem(t2); // the rest: burns
  // The pledge repayment exceeds the advance tier 1 received; give it the difference in cash.
  await sys.cash.connect(operator).mint(tier1.address, 10_000n * u);
  await vault.connect(tier1).repayPledge(pledged);
  await vault.connect(tier1).redeem(pledged);
  await time.increaseTo(overdueMaturity + sys.gracePeriod + 1n);
  await vault.connect(outsiderOf(sys)).markOverdue(rootC);
  // The core enterprise pays late, in full: the overdue tree is cured.
  await vault.connect(core2).deposit(sys.currency, overdueMaturity, 70_000n * u);

  // Exposure: bank B's repaid pledge no longer counts against its limit on the core enterprise.
  await financing.connect(bankB).setExposureLimit(core.address, 90_000_000n * u);
  await financing.releaseExposure(pledgeQuote);

  // A pledge its pledgee releases (the debt is forgiven, for good).
  const later = BigInt(await time.latest()) + 30n * DAY;
  const rootD = await confirm(sys, tier3, 20_000n * u, { maturity: later });
  const { financedId: forgiven } = await finance(sys, { receivableId: rootD, holder: tier3, financier: bankA, amount: 10_000n * u, mode: FinancingMode.Pledge, nonce: 2n });
  await ledger.connect(bankA).releasePledge(forgiven);

  // A currency that refuses a blocklisted holder: its payout is credited, then withdrawn once unblocked.
  const busd = await new BlocklistSettlementToken__factory(operator).deploy(2);
  const busdAddress = await busd.getAddress();
  await asLedgerAdmin(sys, "setCurrencyAllowed", [busdAddress, true]);
  const rootE = await confirm(sys, tier2, 30_000n * u, { maturity: later, currency: busdAddress });
  await busd.mint(core.address, 30_000n * u);
  await busd.connect(core).approve(await vault.getAddress(), 30_000n * u);
  await vault.connect(core).deposit(busdAddress, later, 30_000n * u);
  await time.increaseTo(later);
  await busd.setBlocklisted(tier2.address, true);
  await vault.connect(tier2).redeem(rootE);
  await busd.setBlocklisted(tier2.address, false);
  await vault.connect(tier2).withdraw(busdAddress);

  await playRiskProgramme(sys);
}

/**
 * A risk-sharing programme (issue 13), opened as the risk tests open theirs, through every event it
 * projects: three enrolled financings — one repaid (its subsidy paid), one defaulted (claimed, a late
 * deposit shared, written off), one nobody claimed (lapsed) — and new terms between the first two.
 */
async function playRiskProgramme(sys: System): Promise<void> {
  const { programmes, vault, operator, core, core2, tier1, tier2, bankA, bankB, outsider } = sys;
  const u = sys.unit;
  const { programmeId, terms } = await openProgramme(sys);
  const programme = { ...sys, programmeId };

  // Three trees: one the core enterprise repays, one it repays late and in part, one core2 never repays.
  const repaidOn = BigInt(await time.latest()) + 30n * DAY;
  const defaultedOn = repaidOn + DAY;
  const toRepay = await confirm(sys, tier1, 100_000n * u, { maturity: repaidOn });
  const toDefault = await confirm(sys, tier2, 100_000n * u, { maturity: defaultedOn });
  const toLapse = await confirm(sys, tier1, 10_000n * u, { core: core2, maturity: defaultedOn });
  const repaid = await financeEnrolled(programme, { receivableId: toRepay, holder: tier1, financier: bankA, amount: 100_000n * u, nonce: 10n });
  // New terms: the later enrolments take version 2, the first keeps version 1.
  await programmes.connect(operator).setTerms(programmeId, { ...terms, coverageBps: 4_000 });
  const defaulted = await financeEnrolled(programme, { receivableId: toDefault, holder: tier2, financier: bankB, amount: 100_000n * u, nonce: 10n });
  const lapsing = await financeEnrolled(programme, { receivableId: toLapse, holder: tier1, financier: bankA, amount: 10_000n * u, nonce: 11n });

  await time.increaseTo(repaidOn);
  await vault.connect(core).deposit(sys.currency, repaidOn, 100_000n * u);
  await programmes.connect(outsider).paySubsidy(repaid.enrolment);

  // Default: 40 % deposited, bank B claims once the waiting period is over, then a late deposit is shared.
  await vault.connect(core).deposit(sys.currency, defaultedOn, 40_000n * u);
  const claimsOpen = defaultedOn + sys.gracePeriod + BigInt(terms.waitingPeriod);
  await time.increaseTo(claimsOpen);
  await programmes.connect(bankB).claim(defaulted.enrolment);
  await vault.connect(core).deposit(sys.currency, defaultedOn, 30_000n * u);
  await sys.cash.connect(bankB).approve(await programmes.getAddress(), ethers.MaxUint256);
  await programmes.connect(outsider).shareRecovery(defaulted.enrolment);
  await programmes.connect(operator).writeOff(defaulted.enrolment);

  await time.increaseTo(claimsOpen + BigInt(terms.claimWindow) + 1n);
  await programmes.connect(outsider).lapse(lapsing.enrolment);
}

function outsiderOf(sys: System) {
  return sys.outsider;
}

async function lastOfferedId(sys: System): Promise<bigint> {
  const events = await sys.ledger.queryFilter(sys.ledger.filters.TransferOffered());
  return events[events.length - 1]!.args.id;
}

/** Every receivable, root, organisation, credit line and pool in the database equals the contracts' answer. */
export async function expectProjectionsMatchChain(db: Db, sys: System): Promise<void> {
  const { ledger, vault } = sys;
  const receivables = await db.prisma.receivable.findMany();
  expect(receivables.length).to.be.greaterThan(0);
  const FLAG = { OFFERED: 1n, PLEDGED: 2n, FINANCED: 4n };
  for (const r of receivables) {
    const onChain = await ledger.receivableOf(BigInt(r.id)).catch(() => undefined);
    if (r.status === "BURNED") {
      expect(onChain === undefined || onChain.holder === ethers.ZeroAddress, `burnt ${r.id} is gone on chain`).to.equal(true);
      continue;
    }
    expect(onChain, `receivable ${r.id} exists on chain`).to.not.equal(undefined);
    const c = onChain!;
    const flags = BigInt(c.flags);
    expect(
      {
        id: r.id,
        holder: r.holder,
        amount: r.amount,
        rootId: r.rootId,
        parentId: r.parentId ?? "0",
        depth: r.depth,
        offered: r.status === "OFFERED",
        pledged: r.pledgee !== null,
        financed: r.financed,
        counterparty: r.offeredTo ?? r.pledgee ?? ethers.ZeroAddress,
        offerDeadline: r.offerDeadline ?? 0n,
      },
      `receivable ${r.id}`,
    ).to.deep.equal({
      id: r.id,
      holder: c.holder.toLowerCase(),
      amount: c.amount.toString(),
      rootId: c.rootId.toString(),
      parentId: c.parentId.toString(),
      depth: Number(c.depth),
      offered: (flags & FLAG.OFFERED) !== 0n,
      pledged: (flags & FLAG.PLEDGED) !== 0n,
      financed: (flags & FLAG.FINANCED) !== 0n,
      counterparty: c.counterparty.toLowerCase(),
      offerDeadline: c.offerDeadline,
    });
    const [paid] = await vault.claimOf(BigInt(r.id));
    expect(r.redeemedAmount, `paid of ${r.id}`).to.equal(paid.toString());
  }
  for (const root of await db.prisma.receivableRoot.findMany()) {
    const c = await ledger.rootOf(BigInt(root.rootId));
    expect({ issuer: root.issuer, currency: root.currency, maturity: root.maturity, frozen: root.frozen, overdue: root.overdue }).to.deep.equal({
      issuer: c.issuer.toLowerCase(),
      currency: c.currency.toLowerCase(),
      maturity: c.maturity,
      frozen: c.frozen,
      overdue: c.overdue,
    });
  }
  for (const org of await db.prisma.organisation.findMany()) {
    const c = await ledger.organisationOf(org.address);
    expect({ role: org.role, active: org.active }).to.deep.equal({ role: ["NONE", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"][Number(c.role)], active: c.active });
  }
  for (const line of await db.prisma.issuanceLimit.findMany()) {
    const [limit, used] = await ledger.issuanceLimitOf(line.coreEnterprise);
    expect({ limit: line.issuanceLimit, used: line.issued }).to.deep.equal({ limit: limit.toString(), used: used.toString() });
  }
  for (const pool of await db.prisma.repaymentPool.findMany()) {
    const [face, deposited] = await vault.poolOf(pool.issuer, pool.currency, pool.maturity);
    expect({ face: pool.face, deposited: pool.deposited }).to.deep.equal({ face: face.toString(), deposited: deposited.toString() });
    if (pool.overdueMarked) {
      const root = await db.prisma.receivableRoot.findFirstOrThrow({ where: { issuer: pool.issuer, currency: pool.currency, maturity: pool.maturity, overdue: true } });
      expect(pool.cured, `pool ${pool.poolId} cured`).to.equal(await vault.isCured(BigInt(root.rootId)));
    } else {
      expect(pool.cured).to.equal(false);
    }
  }
  const exposures = await db.prisma.exposure.findMany();
  expect(exposures.length).to.be.greaterThan(0);
  for (const e of exposures) {
    const [limit, outstanding] = await sys.financing.exposureOf(e.financier, e.obligor);
    expect({ limit: e.exposureLimit, outstanding: e.outstanding }, `exposure ${e.id}`).to.deep.equal({ limit: limit.toString(), outstanding: outstanding.toString() });
  }
  for (const c of await db.prisma.paymentCredit.findMany()) {
    expect(c.balance, `credit ${c.id}`).to.equal((await vault.creditOf(c.payee, c.currency)).toString());
  }
  for (const debt of await db.prisma.pledgeDebt.findMany()) {
    const [, pledgee, owed] = await vault.claimOf(BigInt(debt.receivableId)).catch(() => [0n, ethers.ZeroAddress, 0n] as const);
    if (debt.status === "OPEN") expect({ pledgee: debt.pledgee, owed: debt.owed }).to.deep.equal({ pledgee: String(pledgee).toLowerCase(), owed: owed.toString() });
    else expect(debt.owed).to.equal("0");
  }
  await expectRiskProjectionsMatchChain(db, sys);
}

const ENROLMENT_STATUS = ["NONE", "ENROLLED", "REPAID", "CLAIMED", "LAPSED", "WRITTEN_OFF"];

/** Every programme (pool, running totals, terms in force), party and enrolment equals RiskProgramme's views. */
async function expectRiskProjectionsMatchChain(db: Db, sys: System): Promise<void> {
  const { programmes } = sys;
  const enrolments = await db.prisma.riskEnrolment.findMany();
  expect(enrolments.length).to.be.greaterThan(0);
  const pools = await db.prisma.riskProgramme.findMany();
  expect(pools.length).to.be.greaterThan(0);
  for (const p of pools) {
    const [admin, currency, version, balance, reserved] = await programmes.programmeOf(BigInt(p.id));
    const [paidIn, subsidiesPaid, compensationPaid, recovered] = await programmes.totalsOf(BigInt(p.id));
    const t = await programmes.termsOf(BigInt(p.id), version);
    expect(
      {
        admin: p.admin,
        currency: p.currency,
        version: p.version,
        terms: [p.coverageBps, p.subsidyBps, p.subsidyToFinancier, p.capPerFinancing, p.capPerEnterprise, p.capPerFinancier, p.waitingPeriod, p.claimWindow],
        money: [p.balance, p.reserved, p.paidIn, p.subsidiesPaid, p.compensationPaid, p.recovered],
      },
      `programme ${p.id}`,
    ).to.deep.equal({
      admin: admin.toLowerCase(),
      currency: currency.toLowerCase(),
      version: Number(version),
      terms: [Number(t.coverageBps), Number(t.subsidyBps), t.subsidyToFinancier, t.capPerFinancing.toString(), t.capPerEnterprise.toString(), t.capPerFinancier.toString(), Number(t.waitingPeriod), Number(t.claimWindow)],
      money: [balance, reserved, paidIn, subsidiesPaid, compensationPaid, recovered].map(String),
    });
  }
  // A party's reservation is not a column: it is the coverage of its open enrolments, as the API sums it.
  const openCoverage = (programmeId: string, party: (e: (typeof enrolments)[number]) => string, who: string) =>
    String(enrolments.filter((e) => e.programmeId === programmeId && e.status === "ENROLLED" && party(e) === who).reduce((a, e) => a + BigInt(e.coverage), 0n));
  const positions = await db.prisma.riskPosition.findMany();
  expect(positions.length).to.be.greaterThan(0);
  for (const pos of positions) {
    const id = BigInt(pos.programmeId);
    const projected = { committed: pos.committed, paidIn: pos.paidIn, quota: pos.quota, validFrom: pos.validFrom, validUntil: pos.validUntil, certificateHash: pos.certificateHash };
    if (pos.kind === "FUNDER") {
      const [committed, paidIn] = await programmes.funderOf(id, pos.party);
      expect(projected, `funder ${pos.id}`).to.deep.equal({ ...projected, committed: committed.toString(), paidIn: paidIn.toString() });
    } else if (pos.kind === "FINANCIER") {
      const [quota, reserved] = await programmes.financierOf(id, pos.party);
      expect({ ...projected, reserved: openCoverage(pos.programmeId, (e) => e.financier, pos.party) }, `financier ${pos.id}`).to.deep.equal({ ...projected, quota: quota.toString(), reserved: reserved.toString() });
    } else {
      const [validFrom, validUntil, certificateHash, reserved] = await programmes.whitelistOf(id, pos.party);
      expect({ ...projected, reserved: openCoverage(pos.programmeId, (e) => e.supplier, pos.party) }, `enterprise ${pos.id}`).to.deep.equal({ ...projected, validFrom, validUntil, certificateHash, reserved: reserved.toString() });
    }
  }
  for (const e of enrolments) {
    const [loss, compensation, , poolShare] = await programmes.claimOf(BigInt(e.financedId));
    expect({ status: e.status, loss: e.loss, compensation: e.compensation, poolShare: e.poolShare }, `enrolment ${e.financedId}`).to.deep.equal({
      status: ENROLMENT_STATUS[Number(await programmes.enrolmentStatusOf(BigInt(e.financedId)))],
      loss: loss.toString(),
      compensation: compensation.toString(),
      poolShare: poolShare.toString(),
    });
    // The enrolment served back to callers is the one the contract committed to: shareRecovery starts with
    // the contract's own check of an enrolment against its record, which refuses any other as
    // RiskEnrolmentMismatch; past it, an enrolment that is not (or no longer) claimed is RiskNotClaimed.
    const refusal = await programmes.shareRecovery.staticCall(JSON.parse(e.enrolment)).then(
      () => "shared",
      (err: { data?: string }) => programmes.interface.parseError(err.data ?? "0x")?.name,
    );
    expect(refusal, `enrolment ${e.financedId} as the contract recorded it`).to.be.oneOf(e.status === "CLAIMED" ? ["shared", "RiskNothingRecovered"] : ["RiskNotClaimed"]);
  }
}
