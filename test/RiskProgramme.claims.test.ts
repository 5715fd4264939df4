// Risk-sharing programmes after the financing (issue 13 items 3 and 4): the interest subsidy once the
// obligor repaid, and the financier's claim on default — the waiting period, the window, one claim only,
// the loss for a purchase and for a pledge, and the cap by what was reserved.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { FinancingMode } from "../scripts/financingStory";
import { ethers } from "hardhat";
import { BlocklistSettlementToken__factory } from "../typechain-types";
import { asLedgerAdmin, confirm, DAY, GRACE_PERIOD } from "./fixtures/settlement";
import { createProgramme, deployRiskFixture, financeEnrolled, type Enrolment, type RiskSystem } from "./fixtures/risk";

const EnrolmentStatus = { Enrolled: 1n, Repaid: 2n, Claimed: 3n, Lapsed: 4n };

/** Bank A bought tier 1's whole 100,000.00 receivable for 98,000.00, enrolled (coverage 49,000.00). */
async function purchasedFixture() {
  const sys = await loadFixture(deployRiskFixture);
  const u = sys.unit;
  const id = await confirm(sys, sys.tier1, 100_000n * u);
  const f = await financeEnrolled(sys, { receivableId: id, holder: sys.tier1, financier: sys.bankA, amount: 100_000n * u, advance: 98_000n * u });
  const opensAt = sys.maturity + GRACE_PERIOD + 30n * DAY;
  return { ...sys, ...f, opensAt, closesAt: opensAt + 60n * DAY };
}

/** Tier 2 pledged its whole 100,000.00 receivable to bank B for 95,000.00, owing 97,000.00, enrolled. */
async function pledgedFixture() {
  const sys = await loadFixture(deployRiskFixture);
  const u = sys.unit;
  const id = await confirm(sys, sys.tier2, 100_000n * u);
  const f = await financeEnrolled(sys, { receivableId: id, holder: sys.tier2, financier: sys.bankB, amount: 100_000n * u, advance: 95_000n * u, mode: FinancingMode.Pledge, repayment: 97_000n * u });
  const opensAt = sys.maturity + GRACE_PERIOD + 30n * DAY;
  return { ...sys, ...f, opensAt, closesAt: opensAt + 60n * DAY };
}

async function pool(sys: RiskSystem) {
  const [, , , balance, reserved] = await sys.programmes.programmeOf(sys.programmeId);
  return { balance, reserved };
}

describe("RiskProgramme: subsidy and claims", function () {
  describe("paySubsidy", function () {
    it("pays the subsidy to the supplier once the obligor repaid in full, and releases the reservation", async function () {
      const sys = await loadFixture(purchasedFixture);
      const e = sys.enrolment;
      await time.increaseTo(sys.maturity);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 100_000n * sys.unit);
      const before = await sys.cash.balanceOf(sys.tier1.address);
      const { balance } = await pool(sys);
      await expect(sys.programmes.connect(sys.outsider).paySubsidy(e))
        .to.emit(sys.programmes, "SubsidyPaid")
        .withArgs(sys.programmeId, e.financedId, sys.tier1.address, e.subsidy, 0n, balance - BigInt(e.subsidy));
      expect(BigInt(e.subsidy) > 0n).to.equal(true);
      expect(await sys.cash.balanceOf(sys.tier1.address)).to.equal(before + BigInt(e.subsidy));
      expect(await pool(sys)).to.deep.equal({ balance: balance - BigInt(e.subsidy), reserved: 0n });
      expect((await sys.programmes.financierOf(sys.programmeId, sys.bankA.address)).reserved).to.equal(0n);
      expect((await sys.programmes.whitelistOf(sys.programmeId, sys.tier1.address)).reserved).to.equal(0n);
      expect(await sys.programmes.enrolmentStatusOf(e.financedId)).to.equal(EnrolmentStatus.Repaid);
      expect((await sys.programmes.totalsOf(sys.programmeId)).subsidiesPaid).to.equal(e.subsidy);
    });

    it("reverts before the obligor repaid in full", async function () {
      const sys = await loadFixture(purchasedFixture);
      await time.increaseTo(sys.maturity);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 100_000n * sys.unit - 1n);
      await expect(sys.programmes.paySubsidy(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotRepaid")
        .withArgs(sys.enrolment.financedId, 100_000n * sys.unit, 100_000n * sys.unit - 1n);
    });

    it("pays once", async function () {
      const sys = await loadFixture(purchasedFixture);
      await time.increaseTo(sys.maturity);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 100_000n * sys.unit);
      await sys.programmes.paySubsidy(sys.enrolment);
      await expect(sys.programmes.paySubsidy(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskEnrolmentNotOpen")
        .withArgs(sys.enrolment.financedId, EnrolmentStatus.Repaid);
    });

    it("reverts for an enrolment that does not match the record", async function () {
      const sys = await loadFixture(purchasedFixture);
      await time.increaseTo(sys.maturity);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 100_000n * sys.unit);
      const forged: Enrolment = { ...sys.enrolment, subsidy: BigInt(sys.enrolment.subsidy) * 100n };
      await expect(sys.programmes.paySubsidy(forged))
        .to.be.revertedWithCustomError(sys.programmes, "RiskEnrolmentMismatch")
        .withArgs(sys.enrolment.financedId);
    });
  });

  describe("claim", function () {
    describe("when the obligor defaulted", function () {
      it("pays ratio x (advance - paid) to the purchaser after a partial deposit", async function () {
        const sys = await loadFixture(purchasedFixture);
        const u = sys.unit;
        await time.increaseTo(sys.maturity);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 40_000n * u);
        await sys.vault.connect(sys.bankA).redeem(sys.financedId);
        await time.increaseTo(sys.opensAt - 1n);
        const before = await sys.cash.balanceOf(sys.bankA.address);
        const { balance, reserved } = await pool(sys);
        // loss = 98,000 - 40,000 = 58,000; compensation = 50 % = 29,000 (within the 49,000 reserved).
        await expect(sys.programmes.connect(sys.bankA).claim(sys.enrolment))
          .to.emit(sys.programmes, "ClaimPaid")
          .withArgs(sys.programmeId, sys.financedId, sys.bankA.address, 58_000n * u, 29_000n * u, reserved - 49_000n * u - BigInt(sys.enrolment.subsidy), balance - 29_000n * u);
        expect(await sys.cash.balanceOf(sys.bankA.address)).to.equal(before + 29_000n * u);
        expect(await sys.programmes.enrolmentStatusOf(sys.financedId)).to.equal(EnrolmentStatus.Claimed);
        expect((await sys.programmes.totalsOf(sys.programmeId)).compensationPaid).to.equal(29_000n * u);
        expect((await sys.programmes.financierOf(sys.programmeId, sys.bankA.address)).reserved).to.equal(0n);
      });

      it("never pays more than was reserved", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const u = sys.unit;
        // 1,100,000.00 advanced: 50 % would be 550,000.00, the per-financing cap reserves 500,000.00.
        const id = await confirm(sys, sys.tier2, 1_200_000n * u);
        const { enrolment } = await financeEnrolled(sys, { receivableId: id, holder: sys.tier2, financier: sys.bankB, amount: 1_200_000n * u, advance: 1_100_000n * u });
        await time.increaseTo(sys.maturity + GRACE_PERIOD + 30n * DAY);
        await expect(sys.programmes.connect(sys.bankB).claim(enrolment))
          .to.emit(sys.programmes, "ClaimPaid")
          .withArgs(sys.programmeId, id, sys.bankB.address, 1_100_000n * u, 500_000n * u, 0n, 500_000n * u);
      });

      it("pays ratio x (advance - (repayment - still owed)) to a pledgee", async function () {
        const sys = await loadFixture(pledgedFixture);
        const u = sys.unit;
        await time.increaseTo(sys.maturity);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 50_000n * u);
        // The pledgee is paid first: 50,000 of the 97,000 owed.
        await sys.vault.connect(sys.bankB).redeem(sys.financedId);
        await time.increaseTo(sys.opensAt);
        // loss = 95,000 - 50,000 = 45,000; compensation 22,500.
        const { balance, reserved } = await pool(sys);
        await expect(sys.programmes.connect(sys.bankB).claim(sys.enrolment))
          .to.emit(sys.programmes, "ClaimPaid")
          .withArgs(sys.programmeId, sys.financedId, sys.bankB.address, 45_000n * u, 22_500n * u, reserved - 47_500n * u - BigInt(sys.enrolment.subsidy), balance - 22_500n * u);
      });

      it("pays a pledgee that was paid nothing on its whole advance", async function () {
        const sys = await loadFixture(pledgedFixture);
        await time.increaseTo(sys.opensAt);
        const compensation = await sys.programmes.connect(sys.bankB).claim.staticCall(sys.enrolment);
        expect(compensation).to.equal(47_500n * sys.unit);
      });
    });

    describe("when the timing is wrong", function () {
      it("refuses a claim one second before the waiting period ends", async function () {
        const sys = await loadFixture(purchasedFixture);
        await time.setNextBlockTimestamp(sys.opensAt - 1n);
        await expect(sys.programmes.connect(sys.bankA).claim(sys.enrolment))
          .to.be.revertedWithCustomError(sys.programmes, "RiskClaimTooEarly")
          .withArgs(sys.financedId, sys.opensAt, sys.opensAt - 1n);
      });

      it("accepts a claim on the last second of the window and refuses one a second later", async function () {
        const sys = await loadFixture(purchasedFixture);
        await time.setNextBlockTimestamp(sys.closesAt + 1n);
        await expect(sys.programmes.connect(sys.bankA).claim(sys.enrolment))
          .to.be.revertedWithCustomError(sys.programmes, "RiskClaimWindowClosed")
          .withArgs(sys.financedId, sys.closesAt, sys.closesAt + 1n);
      });

      it("accepts a claim on the last second of the window", async function () {
        const sys = await loadFixture(purchasedFixture);
        await time.setNextBlockTimestamp(sys.closesAt);
        await expect(sys.programmes.connect(sys.bankA).claim(sys.enrolment)).to.emit(sys.programmes, "ClaimPaid");
      });
    });

    describe("when refused", function () {
      it("refuses a second claim on the same financing", async function () {
        const sys = await loadFixture(purchasedFixture);
        await time.increaseTo(sys.opensAt);
        await sys.programmes.connect(sys.bankA).claim(sys.enrolment);
        await expect(sys.programmes.connect(sys.bankA).claim(sys.enrolment))
          .to.be.revertedWithCustomError(sys.programmes, "RiskEnrolmentNotOpen")
          .withArgs(sys.financedId, EnrolmentStatus.Claimed);
      });

      it("refuses anyone but the enrolment's financier", async function () {
        const sys = await loadFixture(purchasedFixture);
        await time.increaseTo(sys.opensAt);
        await expect(sys.programmes.connect(sys.bankB).claim(sys.enrolment))
          .to.be.revertedWithCustomError(sys.programmes, "RiskNotClaimant")
          .withArgs(sys.financedId, sys.bankB.address, sys.bankA.address);
      });

      it("refuses a claim once the obligor repaid in full, even late", async function () {
        const sys = await loadFixture(purchasedFixture);
        await time.increaseTo(sys.opensAt);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 100_000n * sys.unit);
        await expect(sys.programmes.connect(sys.bankA).claim(sys.enrolment))
          .to.be.revertedWithCustomError(sys.programmes, "RiskRepaid")
          .withArgs(sys.financedId);
        // A late repayment in full still earns the subsidy.
        await expect(sys.programmes.paySubsidy(sys.enrolment)).to.emit(sys.programmes, "SubsidyPaid");
      });

      it("refuses a pledgee whose pledge was repaid (no loss)", async function () {
        const sys = await loadFixture(pledgedFixture);
        await sys.cash.mint(sys.tier2.address, 2_000n * sys.unit);
        await sys.vault.connect(sys.tier2).repayPledge(sys.financedId);
        await time.increaseTo(sys.opensAt);
        await expect(sys.programmes.connect(sys.bankB).claim(sys.enrolment))
          .to.be.revertedWithCustomError(sys.programmes, "RiskNoLoss")
          .withArgs(sys.financedId, 95_000n * sys.unit, 97_000n * sys.unit);
      });
    });
  });

  describe("lapse", function () {
    it("releases the reservation of a financing nobody claimed once the window closed", async function () {
      const sys = await loadFixture(purchasedFixture);
      await time.setNextBlockTimestamp(sys.closesAt);
      await expect(sys.programmes.lapse(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskClaimWindowOpen")
        .withArgs(sys.financedId, sys.closesAt, sys.closesAt);
      const { balance } = await pool(sys);
      await expect(sys.programmes.lapse(sys.enrolment)).to.emit(sys.programmes, "EnrolmentLapsed").withArgs(sys.programmeId, sys.financedId, 0n, balance);
      expect(await sys.programmes.enrolmentStatusOf(sys.financedId)).to.equal(EnrolmentStatus.Lapsed);
      await expect(sys.programmes.connect(sys.bankA).claim(sys.enrolment))
        .to.be.revertedWithCustomError(sys.programmes, "RiskEnrolmentNotOpen")
        .withArgs(sys.financedId, EnrolmentStatus.Lapsed);
    });
  });

  describe("withdraw", function () {
    it("credits a claim the currency refuses to deliver, for the financier to withdraw later", async function () {
      const sys = await loadFixture(deployRiskFixture);
      const u = sys.unit;
      const busd = await new BlocklistSettlementToken__factory(sys.operator).deploy(2);
      const busdAddress = await busd.getAddress();
      await asLedgerAdmin(sys, "setCurrencyAllowed", [busdAddress, true]);
      const id = await createProgramme(sys.programmes, sys.operator, busdAddress, sys.terms);
      await sys.programmes.setFunder(id, sys.funder1.address, 100_000n * u);
      await busd.mint(sys.funder1.address, 100_000n * u);
      await busd.connect(sys.funder1).approve(await sys.programmes.getAddress(), ethers.MaxUint256);
      await sys.programmes.connect(sys.funder1).payIn(id, 100_000n * u);
      await sys.programmes.setFinancierQuota(id, sys.bankB.address, 100_000n * u);
      await sys.programmes.setWhitelist(id, sys.tier1.address, 0n, sys.validUntil, ethers.ZeroHash);
      await busd.mint(sys.bankB.address, 10_000n * u);
      await busd.connect(sys.bankB).approve(await sys.financing.getAddress(), ethers.MaxUint256);
      const receivableId = await confirm(sys, sys.tier1, 10_000n * u, { currency: busdAddress });
      const { enrolment } = await financeEnrolled(sys, { receivableId, holder: sys.tier1, financier: sys.bankB, amount: 10_000n * u, advance: 9_000n * u, currency: busdAddress, programmeId: id });
      await time.increaseTo(sys.maturity + GRACE_PERIOD + 30n * DAY);
      await busd.setBlocklisted(sys.bankB.address, true);
      await expect(sys.programmes.connect(sys.bankB).claim(enrolment))
        .to.emit(sys.programmes, "PaymentCredited")
        .withArgs(id, sys.bankB.address, busdAddress, 4_500n * u, 4_500n * u);
      expect(await sys.programmes.creditOf(sys.bankB.address, busdAddress)).to.equal(4_500n * u);
      await expect(sys.programmes.connect(sys.bankB).withdraw(busdAddress)).to.be.revertedWithCustomError(busd, "BlocklistedAccount").withArgs(sys.bankB.address);
      await busd.setBlocklisted(sys.bankB.address, false);
      const withdrawal = sys.programmes.connect(sys.bankB).withdraw(busdAddress);
      await expect(withdrawal).to.emit(sys.programmes, "PaymentWithdrawn").withArgs(sys.bankB.address, busdAddress, 4_500n * u);
      await expect(withdrawal).to.changeTokenBalances(busd, [sys.bankB, sys.programmes], [4_500n * u, -4_500n * u]);
    });

    it("reverts with nothing credited", async function () {
      const sys = await loadFixture(purchasedFixture);
      await expect(sys.programmes.connect(sys.bankA).withdraw(sys.currency))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNothingToWithdraw")
        .withArgs(sys.bankA.address, sys.currency);
    });
  });
});
