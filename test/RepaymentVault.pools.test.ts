import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { confirm, deploySystemFixture, toMaturity } from "./fixtures/settlement";

// Issue 8, item 6 (F9): a deposit pays the receivables it was made for — a pool with money in it is closed
// to new confirmations. Item 9c: a tree marked overdue whose pool is later paid in full shows that it was cured.

/** Tier 1 holds a 1,000,000.00 root in the core enterprise's pool at the world's maturity. */
async function poolFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const face = 1_000_000n * sys.unit;
  const rootId = await confirm(sys, sys.tier1, face);
  const poolId = await sys.vault.poolId(sys.core.address, sys.currency, sys.maturity);
  return { ...sys, face, rootId, poolId };
}

describe("RepaymentVault: pools", function () {
  describe("a deposit pays the receivables it was made for (F9)", function () {
    it("refuses a confirmation into a pool that holds money, and the first holder receives its full amount", async function () {
      const sys = await loadFixture(poolFixture);
      // The core enterprise deposits the full 1,000,000.00 for its pool ...
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      // ... then tries to confirm another 1,000,000.00 into the same maturity: refused, with the pool named.
      await expect(confirm(sys, sys.tier2, sys.face))
        .to.be.revertedWithCustomError(sys.ledger, "ReceivablePoolClosed")
        .withArgs(sys.core.address, sys.currency, sys.maturity);
      expect(await sys.vault.poolOf(sys.core.address, sys.currency, sys.maturity)).to.deep.equal([sys.face, sys.face]);

      // At maturity the first holder receives the full 1,000,000.00 (not 500,000.00).
      await toMaturity(sys);
      const before = await sys.cash.balanceOf(sys.tier1.address);
      await expect(sys.vault.connect(sys.tier1).redeem(sys.rootId)).to.emit(sys.vault, "ReceivableRedeemed");
      expect((await sys.cash.balanceOf(sys.tier1.address)) - before).to.equal(sys.face);
    });

    it("closes the pool with the first deposit, however small: a shortfall is shared only by the receivables it was made for", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 1n);
      await expect(confirm(sys, sys.tier2, sys.face))
        .to.be.revertedWithCustomError(sys.ledger, "ReceivablePoolClosed")
        .withArgs(sys.core.address, sys.currency, sys.maturity);
      // The rest is deposited later; the pool's face never moved.
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face - 1n);
      await toMaturity(sys);
      expect(await sys.vault.redeemable(sys.rootId)).to.deep.equal([sys.face, 0n]);
    });

    it("leaves the core enterprise's other maturities open: the new receivable goes into its own pool", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      const laterId = await confirm(sys, sys.tier2, sys.face, { maturity: sys.maturity + 1n });
      expect(await sys.vault.poolOf(sys.core.address, sys.currency, sys.maturity + 1n)).to.deep.equal([sys.face, 0n]);
      await time.increaseTo(sys.maturity + 1n);
      // The first holder is paid in full; the later one waits for its own pool's money.
      await sys.vault.connect(sys.tier1).redeem(sys.rootId);
      expect(await sys.vault.redeemable(laterId)).to.deep.equal([0n, 0n]);
    });

    it("does not close a pool before any money is in it: confirmations join it until the first deposit", async function () {
      const sys = await loadFixture(poolFixture);
      await confirm(sys, sys.tier2, sys.face);
      expect(await sys.vault.poolOf(sys.core.address, sys.currency, sys.maturity)).to.deep.equal([2n * sys.face, 0n]);
    });
  });

  describe("a tree marked overdue and later paid in full is cured (9c)", function () {
    it("emits PoolCured with the deposit that completes the pool, and isCured turns true", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 4n);
      await time.increaseTo(sys.maturity + sys.gracePeriod);
      await sys.vault.markOverdue(sys.rootId);
      expect(await sys.vault.isCured(sys.rootId)).to.equal(false);

      // A deposit that does not complete the pool cures nothing.
      await expect(sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 4n)).to.not.emit(sys.vault, "PoolCured");
      const at = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(at);
      await expect(sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n))
        .to.emit(sys.vault, "PoolCured")
        .withArgs(sys.poolId, sys.core.address, sys.currency, sys.maturity, at);
      expect(await sys.vault.isCured(sys.rootId)).to.equal(true);
      // The ledger keeps the history (it was overdue); the vault says it is cured.
      expect((await sys.ledger.rootOf(sys.rootId)).overdue).to.equal(true);
    });

    it("does not call a pool paid on time cured", async function () {
      const sys = await loadFixture(poolFixture);
      await toMaturity(sys);
      await expect(sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face)).to.not.emit(sys.vault, "PoolCured");
      expect(await sys.vault.isCured(sys.rootId)).to.equal(false);
    });
  });
});
