// Risk-sharing programmes after a claim (issue 13 item 5): money recovered later for a defaulted tree is
// shared between the financier and the pool in proportion to the loss each bore, exactly in integers, and
// a claimed financing is written off by the administrator with its record kept.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { FinancingMode } from "../scripts/financingStory";
import { confirm, DAY, GRACE_PERIOD } from "./fixtures/settlement";
import { createProgramme, deployRiskFixture, financeEnrolled, type RiskSystem } from "./fixtures/risk";

const EnrolmentStatus = { Enrolled: 1n, Claimed: 3n, WrittenOff: 5n };

/** Bank A bought tier 1's 100,000.00 for 98,000.00, enrolled; the core enterprise paid 40 % and bank A
 * claimed: loss 58,000.00, compensation 29,000.00. Bank A lets the programme collect the pool's share. */
async function claimedFixture() {
  const sys = await loadFixture(deployRiskFixture);
  const u = sys.unit;
  const id = await confirm(sys, sys.tier1, 100_000n * u);
  const f = await financeEnrolled(sys, { receivableId: id, holder: sys.tier1, financier: sys.bankA, amount: 100_000n * u, advance: 98_000n * u });
  await time.increaseTo(sys.maturity);
  await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 40_000n * u);
  await sys.vault.connect(sys.bankA).redeem(id);
  await time.increaseTo(sys.maturity + GRACE_PERIOD + 30n * DAY);
  await sys.programmes.connect(sys.bankA).claim(f.enrolment);
  await sys.cash.connect(sys.bankA).approve(await sys.programmes.getAddress(), ethers.MaxUint256);
  return { ...sys, ...f };
}

async function pool(sys: RiskSystem) {
  const [, , , balance, reserved] = await sys.programmes.programmeOf(sys.programmeId);
  return { balance, reserved };
}

describe("RiskProgramme: recoveries and write-off", function () {
  describe("shareRecovery", function () {
    it("shares a late deposit in proportion to the loss each bore, and the rest when the tree is paid in full", async function () {
      const sys = await loadFixture(claimedFixture);
      const u = sys.unit;
      expect(await sys.programmes.claimOf(sys.financedId)).to.deep.equal([58_000n * u, 29_000n * u, 40_000n * u, 0n]);
      const { balance } = await pool(sys);
      // 30,000.00 more arrives: the pool bore 29,000 of the 58,000 lost, so half of it is the pool's.
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 30_000n * u);
      const first = sys.programmes.connect(sys.outsider).shareRecovery(sys.enrolment);
      await expect(first)
        .to.emit(sys.programmes, "RecoveryShared")
        .withArgs(sys.programmeId, sys.financedId, sys.bankA.address, 30_000n * u, 15_000n * u, 15_000n * u, balance + 15_000n * u);
      await expect(first).to.changeTokenBalances(sys.cash, [sys.bankA, sys.programmes], [-15_000n * u, 15_000n * u]);
      // The rest arrives: recovered counts up to the loss (58,000; the other 2,000 is bank A's discount).
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 30_000n * u);
      await expect(sys.programmes.shareRecovery(sys.enrolment))
        .to.emit(sys.programmes, "RecoveryShared")
        .withArgs(sys.programmeId, sys.financedId, sys.bankA.address, 58_000n * u, 29_000n * u, 14_000n * u, balance + 29_000n * u);
      expect((await sys.programmes.totalsOf(sys.programmeId)).recovered).to.equal(29_000n * u);
      // Pool: paid 29,000 out, got 29,000 back.
      expect((await pool(sys)).balance).to.equal(balance + 29_000n * u);
      await expect(sys.programmes.shareRecovery(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNothingRecovered")
        .withArgs(sys.financedId, 58_000n * u, 29_000n * u);
    });

    it("splits exactly in integers: the pool's share rounds down and the two shares add up to what was recovered", async function () {
      const sys = await loadFixture(deployRiskFixture);
      // A third: coverage 3,333 bps of an advance of 100 base units with nothing paid: loss 100, compensation 33.
      const id = await createProgramme(sys.programmes, sys.operator, sys.currency, { ...sys.terms, coverageBps: 3_333, subsidyBps: 0 });
      await sys.programmes.setFunder(id, sys.funder1.address, 1_000n);
      await sys.cash.mint(sys.funder1.address, 1_000n);
      await sys.programmes.connect(sys.funder1).payIn(id, 1_000n);
      await sys.programmes.setFinancierQuota(id, sys.bankA.address, 1_000n);
      await sys.programmes.setWhitelist(id, sys.tier1.address, 0n, sys.validUntil, ethers.ZeroHash);
      const receivableId = await confirm(sys, sys.tier1, 100n);
      const { enrolment } = await financeEnrolled(sys, { receivableId, holder: sys.tier1, financier: sys.bankA, amount: 100n, advance: 100n, programmeId: id });
      await time.increaseTo(sys.maturity + GRACE_PERIOD + 30n * DAY);
      await sys.programmes.connect(sys.bankA).claim(enrolment);
      expect(await sys.programmes.claimOf(receivableId)).to.deep.equal([100n, 33n, 0n, 0n]);
      await sys.cash.connect(sys.bankA).approve(await sys.programmes.getAddress(), ethers.MaxUint256);
      // 2 recovered: floor(2 x 33 / 100) = 0 for the pool, nothing to move yet.
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 2n);
      await expect(sys.programmes.shareRecovery(enrolment)).to.be.revertedWithCustomError(sys.programmes, "RiskNothingRecovered").withArgs(receivableId, 2n, 0n);
      // 7 recovered: floor(231 / 100) = 2 for the pool, 5 for the financier.
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 5n);
      await expect(sys.programmes.shareRecovery(enrolment)).to.emit(sys.programmes, "RecoveryShared").withArgs(id, receivableId, sys.bankA.address, 7n, 2n, 2n, 1_000n - 33n + 2n);
      // All 100 recovered: the pool has its 33 back, the financier its 67.
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 93n);
      await expect(sys.programmes.shareRecovery(enrolment)).to.emit(sys.programmes, "RecoveryShared").withArgs(id, receivableId, sys.bankA.address, 100n, 33n, 31n, 1_000n);
    });

    it("shares what a pledgee recovers, up to its repayment", async function () {
      const sys = await loadFixture(deployRiskFixture);
      const u = sys.unit;
      const id = await confirm(sys, sys.tier2, 100_000n * u);
      const { enrolment } = await financeEnrolled(sys, { receivableId: id, holder: sys.tier2, financier: sys.bankB, amount: 100_000n * u, advance: 95_000n * u, mode: FinancingMode.Pledge, repayment: 97_000n * u });
      await time.increaseTo(sys.maturity);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 50_000n * u);
      await time.increaseTo(sys.maturity + GRACE_PERIOD + 30n * DAY);
      // Claimed before redeeming: the 50,000.00 payable to the pledgee already counts as paid.
      await expect(sys.programmes.connect(sys.bankB).claim(enrolment))
        .to.emit(sys.programmes, "ClaimPaid")
        .withArgs(sys.programmeId, id, sys.bankB.address, 45_000n * u, 22_500n * u, 0n, 1_000_000n * u - 22_500n * u);
      await sys.cash.connect(sys.bankB).approve(await sys.programmes.getAddress(), ethers.MaxUint256);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 50_000n * u);
      // The pledgee is now owed nothing more than its 97,000.00: recovered 47,000, counted up to the 45,000 lost.
      await expect(sys.programmes.shareRecovery(enrolment))
        .to.emit(sys.programmes, "RecoveryShared")
        .withArgs(sys.programmeId, id, sys.bankB.address, 45_000n * u, 22_500n * u, 22_500n * u, 1_000_000n * u);
    });

    it("refuses an enrolment that was not claimed", async function () {
      const sys = await loadFixture(deployRiskFixture);
      const id = await confirm(sys, sys.tier1, 1_000n * sys.unit);
      const { enrolment } = await financeEnrolled(sys, { receivableId: id, holder: sys.tier1, financier: sys.bankA, amount: 1_000n * sys.unit });
      await expect(sys.programmes.shareRecovery(enrolment)).to.be.revertedWithCustomError(sys.programmes, "RiskNotClaimed").withArgs(id, EnrolmentStatus.Enrolled);
    });
  });

  describe("writeOff", function () {
    it("closes a claimed financing, keeps its record and stops the sharing", async function () {
      const sys = await loadFixture(claimedFixture);
      await expect(sys.programmes.writeOff(sys.enrolment)).to.emit(sys.programmes, "FinancingWrittenOff").withArgs(sys.programmeId, sys.financedId, 58_000n * sys.unit, 29_000n * sys.unit, 0n);
      expect(await sys.programmes.enrolmentStatusOf(sys.financedId)).to.equal(EnrolmentStatus.WrittenOff);
      expect((await sys.programmes.claimOf(sys.financedId)).loss).to.equal(58_000n * sys.unit);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 30_000n * sys.unit);
      await expect(sys.programmes.shareRecovery(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotClaimed")
        .withArgs(sys.financedId, EnrolmentStatus.WrittenOff);
    });

    it("is the programme administrator's alone, and only for a claimed financing", async function () {
      const sys = await loadFixture(claimedFixture);
      await expect(sys.programmes.connect(sys.bankA).writeOff(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotProgrammeAdmin")
        .withArgs(sys.programmeId, sys.bankA.address, sys.operator.address);
      await sys.programmes.writeOff(sys.enrolment);
      await expect(sys.programmes.writeOff(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotClaimed")
        .withArgs(sys.financedId, EnrolmentStatus.WrittenOff);
    });
  });

  describe("lapse", function () {
    it("refuses once the obligor repaid in full (the subsidy is due instead)", async function () {
      const sys = await loadFixture(deployRiskFixture);
      const id = await confirm(sys, sys.tier1, 1_000n * sys.unit);
      const { enrolment } = await financeEnrolled(sys, { receivableId: id, holder: sys.tier1, financier: sys.bankA, amount: 1_000n * sys.unit });
      await time.increaseTo(sys.maturity + GRACE_PERIOD + 91n * DAY);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 1_000n * sys.unit);
      await expect(sys.programmes.lapse(enrolment)).to.be.revertedWithCustomError(sys.programmes, "RiskRepaid").withArgs(id);
      await expect(sys.programmes.paySubsidy(enrolment)).to.emit(sys.programmes, "SubsidyPaid");
    });
  });
});
