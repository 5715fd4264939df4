import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { FinancingMode } from "../scripts/financingStory";
import { confirm, deploySystemFixture, finance, toMaturity, transfer } from "./fixtures/settlement";

// Issue 8, item 2 (audit finding F1): a pledge debt belongs to the financing pledge that created it. The
// ledger marks that pledge (PLEDGE_DEBT, bit 8, set with PLEDGED by financePledge and cleared with it),
// and the vault counts a debt only while the mark is there: a released pledge's debt never comes back.

const FLAG_PLEDGED = 2n;
const FLAG_FINANCED = 4n;
const FLAG_PLEDGE_DEBT = 8n;

/** Tier 2 pledge-finances 200,000.00 of its 400,000.00 with bank B for 190,000, owing 195,000. */
async function pledgedFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const u = sys.unit;
  const rootId = await confirm(sys, sys.tier1, 1_000_000n * u);
  const id2 = await transfer(sys, sys.tier1, sys.tier2, rootId, 400_000n * u);
  const { financedId } = await finance(sys, {
    receivableId: id2, holder: sys.tier2, financier: sys.bankB, amount: 200_000n * u,
    mode: FinancingMode.Pledge, advance: 190_000n * u, repayment: 195_000n * u,
  });
  const face = 1_000_000n * u;
  return { ...sys, rootId, id2, pledgedId: financedId, face, owed: 195_000n * u, part: 200_000n * u };
}

describe("RepaymentVault: a pledge debt is bound to its pledge (F1)", function () {
  it("marks a financing pledge with PLEDGE_DEBT, and a plain pledge without it", async function () {
    const sys = await loadFixture(pledgedFixture);
    expect((await sys.ledger.receivableOf(sys.pledgedId)).flags).to.equal(FLAG_PLEDGED | FLAG_FINANCED | FLAG_PLEDGE_DEBT);
    await sys.ledger.connect(sys.tier2).pledge(sys.id2, sys.bankC.address);
    expect((await sys.ledger.receivableOf(sys.id2)).flags).to.equal(FLAG_PLEDGED);
  });

  it("clears the mark when the pledgee releases the pledge, and the debt with it", async function () {
    const sys = await loadFixture(pledgedFixture);
    expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([0n, sys.bankB.address, sys.owed]);
    await sys.ledger.connect(sys.bankB).releasePledge(sys.pledgedId);
    expect((await sys.ledger.receivableOf(sys.pledgedId)).flags).to.equal(FLAG_FINANCED);
    expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([0n, ethers.ZeroAddress, 0n]);
  });

  describe("when bank B releases the pledge and tier 2 later pledges the same part to bank B directly", function () {
    async function repledgedFixture() {
      const sys = await loadFixture(pledgedFixture);
      await sys.ledger.connect(sys.bankB).releasePledge(sys.pledgedId);
      await sys.ledger.connect(sys.tier2).pledge(sys.pledgedId, sys.bankB.address);
      return sys;
    }

    it("does not bring the forgiven 195,000 debt back: repayPledge reverts VaultNoPledgeDebt", async function () {
      const sys = await loadFixture(repledgedFixture);
      expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([0n, ethers.ZeroAddress, 0n]);
      await expect(sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId))
        .to.be.revertedWithCustomError(sys.vault, "VaultNoPledgeDebt")
        .withArgs(sys.pledgedId);
    });

    it("pays bank B as the plain pledgee it now is (the whole claim), not 195,000 of it", async function () {
      const sys = await loadFixture(repledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      const tx = sys.vault.connect(sys.bankB).redeem(sys.pledgedId);
      await expect(tx)
        .to.emit(sys.vault, "ReceivableRedeemed")
        .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, await sys.vault.poolId(sys.core.address, sys.currency, sys.maturity), sys.part, 0n, sys.bankB.address, sys.part, sys.part, 0n, true);
      await expect(tx).to.changeTokenBalances(sys.cash, [sys.bankB, sys.tier2], [sys.part, 0n]);
    });

    it("pays the plain pledge's whole share from a shortfall too, with no debt left to shrink", async function () {
      const sys = await loadFixture(repledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n);
      await toMaturity(sys);
      await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId)).to.changeTokenBalances(sys.cash, [sys.bankB, sys.tier2], [sys.part / 2n, 0n]);
      expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([sys.part / 2n, ethers.ZeroAddress, 0n]);
      // Still pledged to bank B (a plain pledge is released by its pledgee, not by payment).
      expect((await sys.ledger.receivableOf(sys.pledgedId)).counterparty).to.equal(sys.bankB.address);
    });
  });

  it("does not let a repaid pledge's debt come back either", async function () {
    const sys = await loadFixture(pledgedFixture);
    await sys.cash.mint(sys.tier2.address, 5_000n * sys.unit);
    await sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId);
    await sys.ledger.connect(sys.tier2).pledge(sys.pledgedId, sys.bankB.address);
    await expect(sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId))
      .to.be.revertedWithCustomError(sys.vault, "VaultNoPledgeDebt")
      .withArgs(sys.pledgedId);
  });

  it("cannot be re-created by financing the released part again: it is FINANCED for good", async function () {
    const sys = await loadFixture(pledgedFixture);
    await sys.ledger.connect(sys.bankB).releasePledge(sys.pledgedId);
    await expect(
      finance(sys, { receivableId: sys.pledgedId, holder: sys.tier2, financier: sys.bankB, amount: sys.part, mode: FinancingMode.Pledge }),
    )
      .to.be.revertedWithCustomError(sys.ledger, "ReceivableAlreadyFinanced")
      .withArgs(sys.pledgedId);
  });
});
