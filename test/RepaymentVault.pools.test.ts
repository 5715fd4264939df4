import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { confirm, deploySystemFixture, toMaturity } from "./fixtures/settlement";

// Issue 8, item 9c: a tree marked overdue whose pool is later paid in full shows that it was cured.

/** Tier 1 holds a 1,000,000.00 root in the core enterprise's pool at the world's maturity. */
async function poolFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const face = 1_000_000n * sys.unit;
  const rootId = await confirm(sys, sys.tier1, face);
  const poolId = await sys.vault.poolId(sys.core.address, sys.currency, sys.maturity);
  return { ...sys, face, rootId, poolId };
}

describe("RepaymentVault: pools", function () {
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
