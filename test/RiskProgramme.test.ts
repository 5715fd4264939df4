// Risk-sharing programmes (issue 13 items 1 and 2): the administrator's set-up, funders, and enrolment in
// the same transaction as the financing — each rule's success and its refusal with the exact custom error,
// the quota and cap boundaries, and "enrol or fail": a refused enrolment moves nothing.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { FinancingMode } from "../scripts/financingStory";
import { confirm, DAY, signedQuote } from "./fixtures/settlement";
import { createProgramme, deployRiskFixture, financeEnrolled, YEAR, type RiskSystem, type Terms } from "./fixtures/risk";

const EnrolmentStatus = { None: 0n, Enrolled: 1n, Repaid: 2n, Claimed: 3n, Lapsed: 4n };
const QuoteStatus = { Open: 0n, Accepted: 1n };

/** A second programme with `overrides` to its terms, `poolFunds` paid in by funder 1, bank A's `quota`
 * and tier 1 whitelisted: the place for one boundary at a time. */
async function programmeWith(sys: RiskSystem, overrides: Partial<Terms>, opts: { poolFunds?: bigint; quota?: bigint } = {}) {
  const u = sys.unit;
  const big = 100_000_000n * u;
  const terms: Terms = {
    ...sys.terms,
    capPerFinancing: big,
    capPerEnterprise: big,
    capPerFinancier: big,
    subsidyBps: 0,
    ...overrides,
  };
  const id = await createProgramme(sys.programmes, sys.operator, sys.currency, terms);
  const funds = opts.poolFunds ?? big;
  await sys.programmes.setFunder(id, sys.funder1.address, funds);
  await sys.cash.mint(sys.funder1.address, funds);
  await sys.programmes.connect(sys.funder1).payIn(id, funds);
  await sys.programmes.setFinancierQuota(id, sys.bankA.address, opts.quota ?? big);
  await sys.programmes.setWhitelist(id, sys.tier1.address, BigInt(await time.latest()), sys.validUntil, ethers.ZeroHash);
  return id;
}

/** Tier 1 asks bank A to buy a fresh receivable of `amount` outright at `advance`, enrolled in `programmeId`. */
async function quoteOn(sys: RiskSystem, programmeId: bigint, amount: bigint, advance: bigint, holder = sys.tier1, financier = sys.bankA) {
  const id = await confirm(sys, holder, amount);
  return { id, ...(await signedQuote(sys, { receivableId: id, holder, financier, amount, advance, programmeId, expiry: sys.maturity - 1n })) };
}

/** Asserts that a refused acceptance moved nothing: cash, the receivable, the quote, the pool. */
async function expectNothingMoved(sys: RiskSystem, programmeId: bigint, run: () => Promise<unknown>, q: { id: bigint; quote: { holder: string; financier: string } }) {
  const before = await Promise.all([
    sys.cash.balanceOf(q.quote.holder),
    sys.cash.balanceOf(q.quote.financier),
    sys.programmes.programmeOf(programmeId),
    sys.ledger.receivableOf(q.id),
  ]);
  await run();
  const after = await Promise.all([
    sys.cash.balanceOf(q.quote.holder),
    sys.cash.balanceOf(q.quote.financier),
    sys.programmes.programmeOf(programmeId),
    sys.ledger.receivableOf(q.id),
  ]);
  expect(after[0]).to.equal(before[0]);
  expect(after[1]).to.equal(before[1]);
  expect(after[2]).to.deep.equal(before[2]);
  expect(after[3].holder).to.equal(before[3].holder);
  expect(after[3].flags).to.equal(before[3].flags);
}

describe("RiskProgramme", function () {
  describe("createProgramme", function () {
    it("creates a programme with version 1 of its terms, run by its creator", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await expect(sys.programmes.createProgramme(sys.currency, sys.terms))
        .to.emit(sys.programmes, "ProgrammeCreated")
        .withArgs(2n, sys.operator.address, sys.currency)
        .and.to.emit(sys.programmes, "TermsSet");
      const [admin, currency, version, balance, reserved] = await sys.programmes.programmeOf(2n);
      expect([admin, currency, version, balance, reserved]).to.deep.equal([sys.operator.address, sys.currency, 1n, 0n, 0n]);
      const terms = await sys.programmes.termsOf(2n, 1);
      expect(terms.coverageBps).to.equal(5_000n);
      expect(terms.capPerFinancing).to.equal(sys.terms.capPerFinancing);
    });

    it("reverts for a caller without PROGRAMME_ADMIN_ROLE", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await expect(sys.programmes.connect(sys.admin2).createProgramme(sys.currency, sys.terms))
        .to.be.revertedWithCustomError(sys.programmes, "AccessControlUnauthorizedAccount")
        .withArgs(sys.admin2.address, await sys.programmes.PROGRAMME_ADMIN_ROLE());
    });

    it("reverts on a coverage ratio above 100 %, a subsidy above 100 % or a zero claim window", async function () {
      const sys = await loadFixture(deployRiskFixture);
      for (const bad of [{ coverageBps: 10_001 }, { subsidyBps: 10_001 }, { claimWindow: 0 }]) {
        await expect(sys.programmes.createProgramme(sys.currency, { ...sys.terms, ...bad })).to.be.revertedWithCustomError(sys.programmes, "RiskInvalidTerms");
      }
      await expect(sys.programmes.createProgramme(sys.currency, { ...sys.terms, coverageBps: 10_000 })).to.emit(sys.programmes, "ProgrammeCreated");
    });

    it("reverts on the zero currency", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await expect(sys.programmes.createProgramme(ethers.ZeroAddress, sys.terms))
        .to.be.revertedWithCustomError(sys.programmes, "RiskInvalidAddress")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("setTerms", function () {
    it("adds a version that applies only to later enrolments", async function () {
      const sys = await loadFixture(deployRiskFixture);
      const u = sys.unit;
      const first = await financeEnrolled(sys, { receivableId: await confirm(sys, sys.tier1, 100_000n * u), holder: sys.tier1, financier: sys.bankA, amount: 100_000n * u, advance: 90_000n * u });
      await expect(sys.programmes.setTerms(sys.programmeId, { ...sys.terms, coverageBps: 8_000 }))
        .to.emit(sys.programmes, "TermsSet")
        .withArgs(sys.programmeId, 2, [8_000n, 100n, false, sys.terms.capPerFinancing, sys.terms.capPerEnterprise, sys.terms.capPerFinancier, sys.terms.waitingPeriod, sys.terms.claimWindow]);
      const second = await financeEnrolled(sys, { receivableId: await confirm(sys, sys.tier1, 100_000n * u), holder: sys.tier1, financier: sys.bankA, amount: 100_000n * u, advance: 90_000n * u });
      expect(first.enrolment.version).to.equal(1n);
      expect(first.enrolment.coverage).to.equal(45_000n * u);
      expect(second.enrolment.version).to.equal(2n);
      expect(second.enrolment.coverage).to.equal(72_000n * u);
      expect((await sys.programmes.termsOf(sys.programmeId, 1)).coverageBps).to.equal(5_000n);
    });

    it("reverts for anyone but the programme's administrator", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await sys.programmes.grantRole(await sys.programmes.PROGRAMME_ADMIN_ROLE(), sys.admin2.address);
      await expect(sys.programmes.connect(sys.admin2).setTerms(sys.programmeId, sys.terms))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotProgrammeAdmin")
        .withArgs(sys.programmeId, sys.admin2.address, sys.operator.address);
    });

    it("reverts for an administrator whose PROGRAMME_ADMIN_ROLE was revoked", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await sys.programmes.revokeRole(await sys.programmes.PROGRAMME_ADMIN_ROLE(), sys.operator.address);
      await expect(sys.programmes.setTerms(sys.programmeId, sys.terms))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotProgrammeAdmin")
        .withArgs(sys.programmeId, sys.operator.address, sys.operator.address);
    });

    it("reverts for a programme that does not exist", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await expect(sys.programmes.setTerms(9n, sys.terms)).to.be.revertedWithCustomError(sys.programmes, "RiskProgrammeNonexistent").withArgs(9n);
    });
  });

  describe("setFunder and payIn", function () {
    it("records each funder's commitment and payments, 60/40", async function () {
      const sys = await loadFixture(deployRiskFixture);
      expect(await sys.programmes.funderOf(sys.programmeId, sys.funder1.address)).to.deep.equal([600_000n * sys.unit, 600_000n * sys.unit]);
      expect(await sys.programmes.funderOf(sys.programmeId, sys.funder2.address)).to.deep.equal([400_000n * sys.unit, 400_000n * sys.unit]);
      const [, , , balance, reserved] = await sys.programmes.programmeOf(sys.programmeId);
      expect(balance).to.equal(1_000_000n * sys.unit);
      expect(reserved).to.equal(0n);
      expect(await sys.cash.balanceOf(await sys.programmes.getAddress())).to.equal(1_000_000n * sys.unit);
      const totals = await sys.programmes.totalsOf(sys.programmeId);
      expect(totals.paidIn).to.equal(1_000_000n * sys.unit);
    });

    it("pays in up to the commitment exactly, and refuses one base unit more", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await sys.programmes.setFunder(sys.programmeId, sys.funder1.address, 600_000n * sys.unit + 10n);
      await sys.cash.mint(sys.funder1.address, 11n);
      await expect(sys.programmes.connect(sys.funder1).payIn(sys.programmeId, 11n))
        .to.be.revertedWithCustomError(sys.programmes, "RiskCommitmentExceeded")
        .withArgs(sys.programmeId, sys.funder1.address, 600_000n * sys.unit + 10n, 600_000n * sys.unit, 11n);
      await expect(sys.programmes.connect(sys.funder1).payIn(sys.programmeId, 10n))
        .to.emit(sys.programmes, "FunderPaidIn")
        .withArgs(sys.programmeId, sys.funder1.address, 10n, 600_000n * sys.unit + 10n, 1_000_000n * sys.unit + 10n);
    });

    it("refuses a commitment below what was paid in, a zero payment, and a funder not set by the admin", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await expect(sys.programmes.setFunder(sys.programmeId, sys.funder1.address, 1n))
        .to.be.revertedWithCustomError(sys.programmes, "RiskCommitmentBelowPaidIn")
        .withArgs(sys.programmeId, sys.funder1.address, 1n, 600_000n * sys.unit);
      await expect(sys.programmes.connect(sys.funder1).payIn(sys.programmeId, 0n)).to.be.revertedWithCustomError(sys.programmes, "RiskZeroAmount");
      await expect(sys.programmes.connect(sys.outsider).payIn(sys.programmeId, 1n))
        .to.be.revertedWithCustomError(sys.programmes, "RiskCommitmentExceeded")
        .withArgs(sys.programmeId, sys.outsider.address, 0n, 0n, 1n);
      await expect(sys.programmes.connect(sys.funder1).setFunder(sys.programmeId, sys.funder1.address, 10n ** 30n))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotProgrammeAdmin");
    });
  });

  describe("setFinancierQuota and setWhitelist", function () {
    it("take only a registered financier, and a registered supplier with a validity that ends after it starts", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await expect(sys.programmes.setFinancierQuota(sys.programmeId, sys.tier1.address, 1n))
        .to.be.revertedWithCustomError(sys.programmes, "RiskWrongRole")
        .withArgs(sys.tier1.address, 3, 2);
      await expect(sys.programmes.setWhitelist(sys.programmeId, sys.bankA.address, 1n, 2n, ethers.ZeroHash))
        .to.be.revertedWithCustomError(sys.programmes, "RiskWrongRole")
        .withArgs(sys.bankA.address, 2, 3);
      await expect(sys.programmes.setWhitelist(sys.programmeId, sys.tier3.address, 5n, 4n, ethers.ZeroHash))
        .to.be.revertedWithCustomError(sys.programmes, "RiskInvalidValidity")
        .withArgs(5n, 4n);
      const cert = ethers.id("certificate");
      await expect(sys.programmes.setWhitelist(sys.programmeId, sys.tier3.address, 5n, 5n, cert))
        .to.emit(sys.programmes, "WhitelistSet")
        .withArgs(sys.programmeId, sys.tier3.address, 5n, 5n, cert);
      expect(await sys.programmes.whitelistOf(sys.programmeId, sys.tier3.address)).to.deep.equal([5n, 5n, cert, 0n]);
      await expect(sys.programmes.setFinancierQuota(sys.programmeId, sys.bankC.address, 7n))
        .to.emit(sys.programmes, "FinancierQuotaSet")
        .withArgs(sys.programmeId, sys.bankC.address, 7n, 0n);
    });

    it("are the programme administrator's alone", async function () {
      const sys = await loadFixture(deployRiskFixture);
      await expect(sys.programmes.connect(sys.bankA).setFinancierQuota(sys.programmeId, sys.bankA.address, 10n ** 20n))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotProgrammeAdmin")
        .withArgs(sys.programmeId, sys.bankA.address, sys.operator.address);
      await expect(sys.programmes.connect(sys.tier3).setWhitelist(sys.programmeId, sys.tier3.address, 0n, 2n ** 63n, ethers.ZeroHash))
        .to.be.revertedWithCustomError(sys.programmes, "RiskNotProgrammeAdmin")
        .withArgs(sys.programmeId, sys.tier3.address, sys.operator.address);
    });
  });

  describe("enrolment (acceptQuote with a programme id)", function () {
    describe("when eligible", function () {
      it("finances and reserves coverage = ratio x advance plus the subsidy, in the same transaction", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const u = sys.unit;
        const q = await quoteOn(sys, sys.programmeId, 100_000n * u, 98_000n * u);
        // Nineteen whole days (and a bit) before maturity.
        const enrolledAt = sys.maturity - 19n * DAY - 5n;
        await time.setNextBlockTimestamp(enrolledAt);
        const before = await sys.cash.balanceOf(sys.tier1.address);
        const tx = sys.financing.connect(sys.tier1).acceptQuote(q.quote, q.signature);
        // coverage = 98,000.00 x 50 % = 49,000.00; subsidy = floor(10,000,000 x 100 x 19 / 3,650,000) = 5,205
        // base units (52.05: 1 % a year on 100,000.00 for 19 days is 52.0548, rounded down).
        const coverage = 49_000n * u;
        const subsidy = 5_205n;
        const enrolment = [sys.programmeId, 1n, q.id, sys.bankA.address, sys.tier1.address, sys.core.address, 0n, 100_000n * u, 98_000n * u, 0n, sys.maturity, enrolledAt, coverage, subsidy, sys.tier1.address];
        await expect(tx)
          .to.emit(sys.programmes, "FinancingEnrolled")
          .withArgs(sys.programmeId, q.id, enrolment)
          .and.to.emit(sys.financing, "QuoteAccepted");
        expect(await sys.cash.balanceOf(sys.tier1.address)).to.equal(before + 98_000n * u);
        const [, , , balance, reserved] = await sys.programmes.programmeOf(sys.programmeId);
        expect(balance).to.equal(1_000_000n * u);
        expect(reserved).to.equal(coverage + subsidy);
        expect((await sys.programmes.financierOf(sys.programmeId, sys.bankA.address)).reserved).to.equal(coverage);
        expect((await sys.programmes.whitelistOf(sys.programmeId, sys.tier1.address)).reserved).to.equal(coverage);
        expect(await sys.programmes.enrolmentStatusOf(q.id)).to.equal(EnrolmentStatus.Enrolled);
      });

      it("caps the reservation at the per-financing cap", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const u = sys.unit;
        const { enrolment } = await financeEnrolled(sys, { receivableId: await confirm(sys, sys.tier2, 1_200_000n * u), holder: sys.tier2, financier: sys.bankB, amount: 1_200_000n * u, advance: 1_100_000n * u });
        expect(enrolment.coverage).to.equal(500_000n * u);
      });

      it("enrols a pledge, keeping the repayment for the loss", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const u = sys.unit;
        const { enrolment } = await financeEnrolled(sys, {
          receivableId: await confirm(sys, sys.tier2, 100_000n * u),
          holder: sys.tier2,
          financier: sys.bankB,
          amount: 100_000n * u,
          advance: 95_000n * u,
          mode: FinancingMode.Pledge,
          repayment: 97_000n * u,
        });
        expect(enrolment.mode).to.equal(BigInt(FinancingMode.Pledge));
        expect(enrolment.repayment).to.equal(97_000n * u);
        expect(enrolment.coverage).to.equal(47_500n * u);
      });

      it("pays the subsidy to the financier when the terms say so", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const id = await programmeWith(sys, { subsidyToFinancier: true, subsidyBps: 100 });
        const { enrolment } = await financeEnrolled(sys, { receivableId: await confirm(sys, sys.tier1, 1_000n * sys.unit), holder: sys.tier1, financier: sys.bankA, amount: 1_000n * sys.unit, programmeId: id });
        expect(enrolment.subsidyRecipient).to.equal(sys.bankA.address);
      });

      it("leaves a quote without a programme id alone", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const id = await confirm(sys, sys.tier3, 1_000n * sys.unit);
        const { quote, signature } = await signedQuote(sys, { receivableId: id, holder: sys.tier3, financier: sys.bankC, amount: 1_000n * sys.unit });
        await expect(sys.financing.connect(sys.tier3).acceptQuote(quote, signature)).to.not.emit(sys.programmes, "FinancingEnrolled");
        expect(await sys.programmes.enrolmentStatusOf(id)).to.equal(EnrolmentStatus.None);
      });
    });

    describe("when not eligible (enrol or fail: nothing moves)", function () {
      it("reverts for a programme that does not exist", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const q = await quoteOn(sys, 42n, 1_000n * sys.unit, 900n * sys.unit);
        await expectNothingMoved(sys, sys.programmeId, async () => {
          await expect(sys.financing.connect(sys.tier1).acceptQuote(q.quote, q.signature))
            .to.be.revertedWithCustomError(sys.programmes, "RiskProgrammeNonexistent")
            .withArgs(42n);
        }, q);
        expect(await sys.financing.quoteStatus(await sys.financing.hashQuote(q.quote))).to.equal(QuoteStatus.Open);
      });

      it("reverts when the programme is in another currency", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const other = await createProgramme(sys.programmes, sys.operator, sys.outsider.address, sys.terms);
        const q = await quoteOn(sys, other, 1_000n * sys.unit, 900n * sys.unit);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(q.quote, q.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskCurrencyMismatch")
          .withArgs(other, sys.outsider.address, sys.currency);
      });

      it("reverts for a supplier not on the whitelist", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const q = await quoteOn(sys, sys.programmeId, 1_000n * sys.unit, 900n * sys.unit, sys.tier3);
        await time.setNextBlockTimestamp(BigInt(await time.latest()) + 10n);
        await expectNothingMoved(sys, sys.programmeId, async () => {
          await expect(sys.financing.connect(sys.tier3).acceptQuote(q.quote, q.signature))
            .to.be.revertedWithCustomError(sys.programmes, "RiskNotWhitelisted")
            .withArgs(sys.programmeId, sys.tier3.address, 0n, 0n, BigInt(await time.latest()) + 10n);
        }, q);
      });

      it("enrols on the last second of the whitelist's validity and not one second later", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const now = BigInt(await time.latest());
        await sys.programmes.setWhitelist(sys.programmeId, sys.tier1.address, now + 1_000n, now + 2_000n, ethers.ZeroHash);
        const early = await quoteOn(sys, sys.programmeId, 1_000n * sys.unit, 900n * sys.unit);
        const late = await quoteOn(sys, sys.programmeId, 1_000n * sys.unit, 900n * sys.unit);
        await time.setNextBlockTimestamp(now + 999n);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(early.quote, early.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskNotWhitelisted")
          .withArgs(sys.programmeId, sys.tier1.address, now + 1_000n, now + 2_000n, now + 999n);
        await time.setNextBlockTimestamp(now + 2_000n);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(early.quote, early.signature)).to.emit(sys.programmes, "FinancingEnrolled");
        await time.setNextBlockTimestamp(now + 2_001n);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(late.quote, late.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskNotWhitelisted")
          .withArgs(sys.programmeId, sys.tier1.address, now + 1_000n, now + 2_000n, now + 2_001n);
      });

      it("reverts for a financier that does not participate (no quota, or its quota set back to 0)", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const q = await quoteOn(sys, sys.programmeId, 1_000n * sys.unit, 900n * sys.unit, sys.tier1, sys.bankC);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(q.quote, q.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskFinancierNotParticipating")
          .withArgs(sys.programmeId, sys.bankC.address);
        await sys.programmes.setFinancierQuota(sys.programmeId, sys.bankA.address, 0n);
        const a = await quoteOn(sys, sys.programmeId, 1_000n * sys.unit, 900n * sys.unit);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(a.quote, a.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskFinancierNotParticipating")
          .withArgs(sys.programmeId, sys.bankA.address);
      });

      it("reverts when called by anyone but the financing settlement", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const q = await quoteOn(sys, sys.programmeId, 1_000n * sys.unit, 900n * sys.unit);
        await expect(sys.programmes.connect(sys.bankA).enrol(q.quote, ethers.ZeroHash, q.id, sys.core.address, sys.maturity))
          .to.be.revertedWithCustomError(sys.programmes, "RiskUnauthorizedEnroller")
          .withArgs(sys.bankA.address);
      });
    });

    describe("at the quota and cap boundaries", function () {
      // Each programme below has one binding limit of 100.00 of coverage (10,000 base units at 50 %: an
      // advance of 200.00); the first financing reaches it exactly, the next base unit of coverage is refused.
      const limit = 10_000n;
      async function reachLimit(sys: RiskSystem, id: bigint, holder = sys.tier1) {
        const first = await quoteOn(sys, id, 2n * limit, 2n * limit, holder);
        await expect(sys.financing.connect(holder).acceptQuote(first.quote, first.signature)).to.emit(sys.programmes, "FinancingEnrolled");
        return quoteOn(sys, id, 2n, 2n, holder);
      }

      it("the financier's quota", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const id = await programmeWith(sys, {}, { quota: limit });
        const next = await reachLimit(sys, id);
        await expectNothingMoved(sys, id, async () => {
          await expect(sys.financing.connect(sys.tier1).acceptQuote(next.quote, next.signature))
            .to.be.revertedWithCustomError(sys.programmes, "RiskQuotaExceeded")
            .withArgs(id, sys.bankA.address, limit, limit, 1n);
        }, next);
      });

      it("the per-financier cap", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const id = await programmeWith(sys, { capPerFinancier: limit });
        const next = await reachLimit(sys, id);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(next.quote, next.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskFinancierCapExceeded")
          .withArgs(id, sys.bankA.address, limit, limit, 1n);
      });

      it("the per-enterprise cap", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const id = await programmeWith(sys, { capPerEnterprise: limit });
        const next = await reachLimit(sys, id);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(next.quote, next.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskEnterpriseCapExceeded")
          .withArgs(id, sys.tier1.address, limit, limit, 1n);
      });

      it("the pool's unreserved balance", async function () {
        const sys = await loadFixture(deployRiskFixture);
        const id = await programmeWith(sys, {}, { poolFunds: limit });
        const next = await reachLimit(sys, id);
        await expectNothingMoved(sys, id, async () => {
          await expect(sys.financing.connect(sys.tier1).acceptQuote(next.quote, next.signature))
            .to.be.revertedWithCustomError(sys.programmes, "RiskPoolInsufficient")
            .withArgs(id, 0n, 1n);
        }, next);
      });

      it("the pool's unreserved balance counts the reserved subsidies too", async function () {
        const sys = await loadFixture(deployRiskFixture);
        // 100 % coverage and a 100 % subsidy: a financing of 100 base units for 10 days reserves 100 + 2.
        const id = await programmeWith(sys, { coverageBps: 10_000, subsidyBps: 10_000 }, { poolFunds: 102n });
        const q = await quoteOn(sys, id, 100n, 100n);
        await time.setNextBlockTimestamp(sys.maturity - 10n * DAY);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(q.quote, q.signature)).to.emit(sys.programmes, "FinancingEnrolled");
        const [, , , balance, reserved] = await sys.programmes.programmeOf(id);
        expect([balance, reserved]).to.deep.equal([102n, 102n]);
        const next = await quoteOn(sys, id, 1n, 1n);
        await expect(sys.financing.connect(sys.tier1).acceptQuote(next.quote, next.signature))
          .to.be.revertedWithCustomError(sys.programmes, "RiskPoolInsufficient")
          .withArgs(id, 0n, 1n);
      });
    });
  });

  describe("views", function () {
    it("name the system it works with, and a whitelist entry's certificate", async function () {
      const sys = await loadFixture(deployRiskFixture);
      const [ledger, vault, financing] = await sys.programmes.system();
      expect([ledger, vault, financing]).to.deep.equal([await sys.ledger.getAddress(), await sys.vault.getAddress(), await sys.financing.getAddress()]);
      expect(await sys.financing.programmes()).to.equal(await sys.programmes.getAddress());
      const entry = await sys.programmes.whitelistOf(sys.programmeId, sys.tier1.address);
      expect(entry.certificateHash).to.equal(ethers.id(`high-tech certificate ${sys.tier1.address}`));
      expect(entry.validUntil).to.equal(sys.validUntil);
      expect(sys.validUntil - entry.validFrom).to.equal(YEAR);
      await expect(sys.programmes.programmeOf(99n)).to.be.revertedWithCustomError(sys.programmes, "RiskProgrammeNonexistent").withArgs(99n);
    });
  });
});
