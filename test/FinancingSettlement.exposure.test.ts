import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { FinancingMode } from "../scripts/financingStory";
import { confirm, deploySystemFixture, finance, signedQuote, toMaturity, transfer } from "./fixtures/settlement";

// Issue 8, item 1 (the exposure half): each financier sets its own exposure limit on each obligor (the
// core enterprise that owes the receivable); only it can change it; acceptQuote checks atomically that
// the financier's outstanding financed face on the obligor plus the new part stays within it; repayment
// (or the end of a pledge) lets it be released.

const QuoteStatus = { Open: 0n, Accepted: 1n, Cancelled: 2n, ExposureReleased: 3n };

/** Tier 2 holds 400,000.00 of a 1,000,000.00 root of `core`; bank C's limit on `core` is 300,000.00,
 * bank C has no limit at all on `core2`. */
async function exposureFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const u = sys.unit;
  const rootId = await confirm(sys, sys.tier1, 1_000_000n * u);
  const id = await transfer(sys, sys.tier1, sys.tier2, rootId, 400_000n * u);
  await sys.financing.connect(sys.bankC).setExposureLimit(sys.core.address, 300_000n * u);
  await sys.financing.connect(sys.bankC).setExposureLimit(sys.core2.address, 0n);
  return { ...sys, rootId, id, limit: 300_000n * u, face: 1_000_000n * u };
}

describe("FinancingSettlement: exposure limits", function () {
  describe("setExposureLimit", function () {
    it("sets the caller's own limit on an obligor and reports what is outstanding", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 100_000n * u });
      await expect(sys.financing.connect(sys.bankC).setExposureLimit(sys.core.address, 500_000n * u))
        .to.emit(sys.financing, "ExposureLimitSet")
        .withArgs(sys.bankC.address, sys.core.address, 500_000n * u, 100_000n * u);
      expect(await sys.financing.exposureOf(sys.bankC.address, sys.core.address)).to.deep.equal([500_000n * u, 100_000n * u]);
    });

    it("leaves every other financier's limit alone: bank A cannot touch bank C's", async function () {
      const sys = await loadFixture(exposureFixture);
      // bank A sets its own limit on the core to 0; bank C's stays what bank C set.
      await sys.financing.connect(sys.bankA).setExposureLimit(sys.core.address, 0n);
      expect(await sys.financing.exposureOf(sys.bankC.address, sys.core.address)).to.deep.equal([sys.limit, 0n]);
      expect(await sys.financing.exposureOf(sys.bankA.address, sys.core.address)).to.deep.equal([0n, 0n]);
    });

    it("reverts for a caller that is not a financier", async function () {
      const sys = await loadFixture(exposureFixture);
      await expect(sys.financing.connect(sys.core2).setExposureLimit(sys.core.address, 1n))
        .to.be.revertedWithCustomError(sys.financing, "FinancingNotFinancier")
        .withArgs(sys.core2.address, 1);
      await expect(sys.financing.connect(sys.outsider).setExposureLimit(sys.core.address, 1n))
        .to.be.revertedWithCustomError(sys.financing, "FinancingNotFinancier")
        .withArgs(sys.outsider.address, 0);
    });

    it("reverts for an obligor that is not a core enterprise", async function () {
      const sys = await loadFixture(exposureFixture);
      await expect(sys.financing.connect(sys.bankC).setExposureLimit(sys.tier1.address, 1n))
        .to.be.revertedWithCustomError(sys.financing, "FinancingNotObligor")
        .withArgs(sys.tier1.address, 2);
    });

    it("reverts for a limit beyond 128 bits", async function () {
      const sys = await loadFixture(exposureFixture);
      await expect(sys.financing.connect(sys.bankC).setExposureLimit(sys.core.address, 2n ** 128n))
        .to.be.revertedWithCustomError(sys.financing, "SafeCastOverflowedUintDowncast")
        .withArgs(128, 2n ** 128n);
    });
  });

  describe("acceptQuote", function () {
    it("adds the financed amount to the financier's outstanding face on the obligor", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 120_000n * u });
      const hash = await sys.financing.hashQuote(quote);
      await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
        .to.emit(sys.financing, "ExposureTaken")
        .withArgs(hash, sys.bankC.address, sys.core.address, 120_000n * u, 120_000n * u);
      expect(await sys.financing.exposureOf(sys.bankC.address, sys.core.address)).to.deep.equal([sys.limit, 120_000n * u]);
      expect(await sys.financing.financedIdOf(hash)).to.not.equal(0n);
    });

    it("accepts up to the limit exactly, and refuses one base unit more with FinancingExposureLimitExceeded", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 200_000n * u });
      await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 100_000n * u, nonce: 1n });
      const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 1n, advance: 1n, nonce: 2n });
      await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
        .to.be.revertedWithCustomError(sys.financing, "FinancingExposureLimitExceeded")
        .withArgs(sys.bankC.address, sys.core.address, sys.limit, sys.limit, 1n);
    });

    it("refuses a financier with no limit on the obligor (nothing approved is nothing financed)", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      const rootId = await confirm(sys, sys.tier3, 10_000n * u, { core: sys.core2 });
      const { quote, signature } = await signedQuote(sys, { receivableId: rootId, holder: sys.tier3, financier: sys.bankC, amount: 10_000n * u });
      await expect(sys.financing.connect(sys.tier3).acceptQuote(quote, signature))
        .to.be.revertedWithCustomError(sys.financing, "FinancingExposureLimitExceeded")
        .withArgs(sys.bankC.address, sys.core2.address, 0n, 0n, 10_000n * u);
    });

    it("counts pledges against the limit like purchases", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 250_000n * u, mode: FinancingMode.Pledge });
      const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 50_001n * u, nonce: 1n });
      await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
        .to.be.revertedWithCustomError(sys.financing, "FinancingExposureLimitExceeded")
        .withArgs(sys.bankC.address, sys.core.address, sys.limit, 250_000n * u, 50_001n * u);
    });

    it("refuses new financing once the financier lowers its limit below what is outstanding", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 200_000n * u });
      await sys.financing.connect(sys.bankC).setExposureLimit(sys.core.address, 150_000n * u);
      const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 1n, advance: 1n, nonce: 1n });
      await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
        .to.be.revertedWithCustomError(sys.financing, "FinancingExposureLimitExceeded")
        .withArgs(sys.bankC.address, sys.core.address, 150_000n * u, 200_000n * u, 1n);
    });
  });

  describe("releaseExposure", function () {
    it("frees a purchase's exposure once its pool is fully funded, once", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 300_000n * u });
      await sys.financing.connect(sys.tier2).acceptQuote(quote, signature);
      const hash = await sys.financing.hashQuote(quote);
      await expect(sys.financing.releaseExposure(quote)).to.be.revertedWithCustomError(sys.financing, "FinancingExposureNotRepaid").withArgs(hash);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face - 1n);
      await expect(sys.financing.releaseExposure(quote)).to.be.revertedWithCustomError(sys.financing, "FinancingExposureNotRepaid").withArgs(hash);

      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 1n);
      await expect(sys.financing.connect(sys.outsider).releaseExposure(quote))
        .to.emit(sys.financing, "ExposureReleased")
        .withArgs(hash, sys.bankC.address, sys.core.address, 300_000n * u, 0n);
      expect(await sys.financing.exposureOf(sys.bankC.address, sys.core.address)).to.deep.equal([sys.limit, 0n]);
      expect(await sys.financing.quoteStatus(hash)).to.equal(QuoteStatus.ExposureReleased);
      await expect(sys.financing.releaseExposure(quote)).to.be.revertedWithCustomError(sys.financing, "FinancingExposureNotOutstanding").withArgs(hash);
      // Released is still accepted: the quote cannot be replayed.
      await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
        .to.be.revertedWithCustomError(sys.financing, "FinancingQuoteAlreadyAccepted")
        .withArgs(hash);
      await expect(sys.financing.connect(sys.bankC).cancelQuote(quote))
        .to.be.revertedWithCustomError(sys.financing, "FinancingQuoteAlreadyAccepted")
        .withArgs(hash);
    });

    it("frees it after the financed part was redeemed (burnt), and after the bank sold the part on", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      const { quote, financedId } = await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 100_000n * u });
      // The bank sells the part on: the exposure stays the bank's until the obligor repays.
      await transfer(sys, sys.bankC, sys.tier3, financedId, 100_000n * u);
      expect((await sys.financing.exposureOf(sys.bankC.address, sys.core.address))[1]).to.equal(100_000n * u);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      await sys.vault.connect(sys.tier3).redeem(financedId);
      await sys.financing.releaseExposure(quote);
      expect((await sys.financing.exposureOf(sys.bankC.address, sys.core.address))[1]).to.equal(0n);
    });

    it("frees a pledge's exposure as soon as its pledge ends: repaid early", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      const { quote, financedId } = await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 200_000n * u, mode: FinancingMode.Pledge });
      const hash = await sys.financing.hashQuote(quote);
      await expect(sys.financing.releaseExposure(quote)).to.be.revertedWithCustomError(sys.financing, "FinancingExposureNotRepaid").withArgs(hash);
      await sys.cash.mint(sys.tier2.address, quote.repayment);
      await sys.vault.connect(sys.tier2).repayPledge(financedId);
      await expect(sys.financing.releaseExposure(quote))
        .to.emit(sys.financing, "ExposureReleased")
        .withArgs(hash, sys.bankC.address, sys.core.address, 200_000n * u, 0n);
    });

    it("frees a pledge's exposure when the pledgee releases the pledge itself", async function () {
      const sys = await loadFixture(exposureFixture);
      const u = sys.unit;
      const { quote, financedId } = await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 200_000n * u, mode: FinancingMode.Pledge });
      await sys.ledger.connect(sys.bankC).releasePledge(financedId);
      await sys.financing.releaseExposure(quote);
      expect((await sys.financing.exposureOf(sys.bankC.address, sys.core.address))[1]).to.equal(0n);
    });

    it("reverts for a quote that was never accepted", async function () {
      const sys = await loadFixture(exposureFixture);
      const { quote } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankC, amount: 1n });
      await expect(sys.financing.releaseExposure(quote))
        .to.be.revertedWithCustomError(sys.financing, "FinancingExposureNotOutstanding")
        .withArgs(await sys.financing.hashQuote(quote));
    });
  });
});
