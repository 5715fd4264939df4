import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { FinancingMode } from "../scripts/financingStory";
import { confirm, DAY, deploySystemFixture, finance, toMaturity, transfer } from "./fixtures/settlement";

const FLAG_PLEDGED = 2n;

/** One 1,000,000.00 root down three tiers: tier 1 keeps 600,000, tier 2 300,000, tier 3 100,000. */
async function poolFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const u = sys.unit;
  const rootId = await confirm(sys, sys.tier1, 1_000_000n * u);
  const id2 = await transfer(sys, sys.tier1, sys.tier2, rootId, 400_000n * u);
  const id3 = await transfer(sys, sys.tier2, sys.tier3, id2, 100_000n * u);
  const face = 1_000_000n * u;
  const poolId = await sys.vault.poolId(sys.core.address, sys.currency, sys.maturity);
  return { ...sys, rootId, id2, id3, face, poolId };
}

/** As the pool fixture, with 200,000.00 of tier 2's holding pledged to bank B for 190,000 / 195,000. */
async function pledgedPoolFixture() {
  const sys = await loadFixture(poolFixture);
  const u = sys.unit;
  const { financedId } = await finance(sys, {
    receivableId: sys.id2, holder: sys.tier2, financier: sys.bankB, amount: 200_000n * u,
    mode: FinancingMode.Pledge, advance: 190_000n * u, repayment: 195_000n * u,
  });
  return { ...sys, pledgedId: financedId, owed: 195_000n * u };
}

describe("RepaymentVault", function () {
  describe("deposit", function () {
    it("takes the core enterprise's payment into its pool and restores its issuance limit", async function () {
      const sys = await loadFixture(poolFixture);
      const amount = 250_000n * sys.unit;
      const tx = sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, amount);
      await expect(tx)
        .to.emit(sys.vault, "RepaymentDeposited")
        .withArgs(sys.poolId, sys.core.address, sys.currency, sys.maturity, amount, amount, sys.face)
        .and.to.emit(sys.ledger, "IssuanceRestored")
        .withArgs(sys.core.address, amount, sys.face - amount);
      await expect(tx).to.changeTokenBalances(sys.cash, [sys.core, sys.vault], [-amount, amount]);
      expect(await sys.vault.poolOf(sys.core.address, sys.currency, sys.maturity)).to.deep.equal([sys.face, amount]);
      expect((await sys.ledger.issuanceLimitOf(sys.core.address))[1]).to.equal(sys.face - amount);
    });

    it("adds up several deposits, before and after maturity", async function () {
      const sys = await loadFixture(poolFixture);
      const a = 300_000n * sys.unit;
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, a);
      await toMaturity(sys);
      await expect(sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face - a))
        .to.emit(sys.vault, "RepaymentDeposited")
        .withArgs(sys.poolId, sys.core.address, sys.currency, sys.maturity, sys.face - a, sys.face, sys.face);
      expect((await sys.ledger.issuanceLimitOf(sys.core.address))[1]).to.equal(0n);
    });

    it("keeps pools of different maturities apart", async function () {
      const sys = await loadFixture(poolFixture);
      const later = sys.maturity + 30n * DAY;
      await confirm(sys, sys.tier1, 5_000n, { maturity: later });
      await sys.vault.connect(sys.core).deposit(sys.currency, later, 5_000n);
      expect(await sys.vault.poolOf(sys.core.address, sys.currency, later)).to.deep.equal([5_000n, 5_000n]);
      expect(await sys.vault.poolOf(sys.core.address, sys.currency, sys.maturity)).to.deep.equal([sys.face, 0n]);
    });

    it("reverts beyond the pool's face", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face - 1n);
      await expect(sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 2n))
        .to.be.revertedWithCustomError(sys.vault, "VaultDepositExceedsFace")
        .withArgs(sys.poolId, sys.face, sys.face - 1n, 2n);
    });

    it("reverts for a depositor with nothing owed in that pool", async function () {
      const sys = await loadFixture(poolFixture);
      const pool = await sys.vault.poolId(sys.core2.address, sys.currency, sys.maturity);
      await expect(sys.vault.connect(sys.core2).deposit(sys.currency, sys.maturity, 1n))
        .to.be.revertedWithCustomError(sys.vault, "VaultDepositExceedsFace")
        .withArgs(pool, 0n, 0n, 1n);
    });

    it("reverts while the ledger is paused", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.ledger.pause();
      await expect(sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 1n)).to.be.revertedWithCustomError(sys.ledger, "EnforcedPause");
    });

    it("reverts on zero", async function () {
      const sys = await loadFixture(poolFixture);
      await expect(sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 0n)).to.be.revertedWithCustomError(sys.vault, "VaultZeroAmount");
    });
  });

  describe("redeem", function () {
    describe("when the pool is fully funded", function () {
      it("burns the receivable and pays its face to the holder", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        const amount = 100_000n * sys.unit;
        const tx = sys.vault.connect(sys.tier3).redeem(sys.id3);
        await expect(tx)
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.id3, sys.rootId, sys.tier3.address, sys.poolId, amount, amount, ethers.ZeroAddress, 0n, amount, 0n, true)
          .and.to.emit(sys.ledger, "ReceivableBurned")
          .withArgs(sys.id3, sys.tier3.address, amount);
        await expect(tx).to.changeTokenBalances(sys.cash, [sys.tier3, sys.vault], [amount, -amount]);
        await expect(sys.ledger.receivableOf(sys.id3)).to.be.revertedWithCustomError(sys.ledger, "ReceivableNonexistent").withArgs(sys.id3);
      });

      it("cannot redeem twice", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        await sys.vault.connect(sys.tier3).redeem(sys.id3);
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3)).to.be.revertedWithCustomError(sys.ledger, "ReceivableNonexistent").withArgs(sys.id3);
      });

      it("pays every holder exactly its face and leaves the vault empty", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        await sys.vault.connect(sys.tier1).redeem(sys.rootId);
        await sys.vault.connect(sys.tier2).redeem(sys.id2);
        await sys.vault.connect(sys.tier3).redeem(sys.id3);
        expect(await sys.cash.balanceOf(sys.tier1.address)).to.equal(600_000n * sys.unit);
        expect(await sys.cash.balanceOf(sys.tier2.address)).to.equal(300_000n * sys.unit);
        expect(await sys.cash.balanceOf(sys.tier3.address)).to.equal(100_000n * sys.unit);
        expect(await sys.cash.balanceOf(await sys.vault.getAddress())).to.equal(0n);
      });

      it("still pays after the tree was marked overdue and the core enterprise repaid late", async function () {
        const sys = await loadFixture(poolFixture);
        await time.increaseTo(sys.maturity + sys.gracePeriod);
        await sys.vault.markOverdue(sys.rootId);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await expect(sys.vault.connect(sys.tier2).redeem(sys.id2)).to.changeTokenBalance(sys.cash, sys.tier2, 300_000n * sys.unit);
      });
    });

    describe("when the pool is short (shortfall and top-ups)", function () {
      it("pays every holder the same fraction, then the rest after a top-up", async function () {
        const sys = await loadFixture(poolFixture);
        const u = sys.unit;
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 600_000n * u);
        await toMaturity(sys);
        await expect(sys.vault.connect(sys.tier2).redeem(sys.id2))
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.id2, sys.rootId, sys.tier2.address, sys.poolId, 300_000n * u, 180_000n * u, ethers.ZeroAddress, 0n, 180_000n * u, 0n, false);
        expect(await sys.ledger.ownerOf(sys.id2)).to.equal(sys.tier2.address);
        expect((await sys.vault.claimOf(sys.id2))[0]).to.equal(180_000n * u);
        await expect(sys.vault.connect(sys.tier2).redeem(sys.id2)).to.be.revertedWithCustomError(sys.vault, "VaultNothingToRedeem").withArgs(sys.id2);

        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 200_000n * u); // 80%
        await expect(sys.vault.connect(sys.tier2).redeem(sys.id2)).to.changeTokenBalance(sys.cash, sys.tier2, 60_000n * u);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 200_000n * u); // 100%
        await expect(sys.vault.connect(sys.tier2).redeem(sys.id2))
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.id2, sys.rootId, sys.tier2.address, sys.poolId, 300_000n * u, 60_000n * u, ethers.ZeroAddress, 0n, 300_000n * u, 0n, true);
        expect(await sys.cash.balanceOf(sys.tier2.address)).to.equal(300_000n * u);
      });

      it("lets a holder who waited claim the whole fraction at once", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 500_000n * sys.unit);
        await toMaturity(sys);
        await sys.vault.connect(sys.tier1).redeem(sys.rootId);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 250_000n * sys.unit);
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3)).to.changeTokenBalance(sys.cash, sys.tier3, 75_000n * sys.unit);
        await expect(sys.vault.connect(sys.tier1).redeem(sys.rootId)).to.changeTokenBalance(sys.cash, sys.tier1, 150_000n * sys.unit);
      });

      it("reverts when nothing was deposited", async function () {
        const sys = await loadFixture(poolFixture);
        await toMaturity(sys);
        await expect(sys.vault.connect(sys.tier1).redeem(sys.rootId)).to.be.revertedWithCustomError(sys.vault, "VaultNothingToRedeem").withArgs(sys.rootId);
      });
    });

    describe("when the receivable is pledged", function () {
      it("pays the pledgee what it is owed and the holder the rest", async function () {
        const sys = await loadFixture(pledgedPoolFixture);
        const u = sys.unit;
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        const tx = sys.vault.connect(sys.tier2).redeem(sys.pledgedId);
        await expect(tx)
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, 200_000n * u, 5_000n * u, sys.bankB.address, 195_000n * u, 200_000n * u, 0n, true);
        await expect(tx).to.changeTokenBalances(sys.cash, [sys.bankB, sys.tier2, sys.vault], [195_000n * u, 5_000n * u, -200_000n * u]);
      });

      it("lets the pledgee redeem", async function () {
        const sys = await loadFixture(pledgedPoolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        await expect(sys.vault.connect(sys.bankB).redeem(sys.pledgedId)).to.changeTokenBalances(sys.cash, [sys.bankB, sys.tier2], [sys.owed, 5_000n * sys.unit]);
      });

      it("pays the pledgee first from a shortfall, and releases the pledge once it is paid", async function () {
        const sys = await loadFixture(pledgedPoolFixture);
        const u = sys.unit;
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 500_000n * u); // 50%: 100,000 due
        await toMaturity(sys);
        await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId))
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, 200_000n * u, 0n, sys.bankB.address, 100_000n * u, 100_000n * u, 95_000n * u, false);
        expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([100_000n * u, sys.bankB.address, 95_000n * u]);

        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 490_000n * u); // 99%: 198,000 due
        await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId))
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, 200_000n * u, 3_000n * u, sys.bankB.address, 95_000n * u, 198_000n * u, 0n, false)
          .and.to.emit(sys.ledger, "PledgeReleased")
          .withArgs(sys.pledgedId, sys.tier2.address, sys.bankB.address);
        expect((await sys.ledger.receivableOf(sys.pledgedId)).flags & FLAG_PLEDGED).to.equal(0n);

        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 10_000n * u); // 100%
        await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId))
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, 200_000n * u, 2_000n * u, ethers.ZeroAddress, 0n, 200_000n * u, 0n, true);
        expect(await sys.cash.balanceOf(sys.bankB.address)).to.equal(sys.float - 190_000n * u + 195_000n * u);
        expect(await sys.cash.balanceOf(sys.tier2.address)).to.equal(190_000n * u + 5_000n * u);
      });

      it("gives a pledgee without a recorded debt (a plain pledge) the whole claim", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.ledger.connect(sys.tier3).pledge(sys.id3, sys.bankC.address);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        const amount = 100_000n * sys.unit;
        const tx = sys.vault.connect(sys.tier3).redeem(sys.id3);
        await expect(tx)
          .to.emit(sys.vault, "ReceivableRedeemed")
          .withArgs(sys.id3, sys.rootId, sys.tier3.address, sys.poolId, amount, 0n, sys.bankC.address, amount, amount, 0n, true);
        await expect(tx).to.changeTokenBalances(sys.cash, [sys.bankC, sys.tier3], [amount, 0n]);
      });

      it("ignores a recorded debt the pledgee released, even if the holder pledges again", async function () {
        const sys = await loadFixture(pledgedPoolFixture);
        await sys.ledger.connect(sys.bankB).releasePledge(sys.pledgedId);
        await sys.ledger.connect(sys.tier2).pledge(sys.pledgedId, sys.bankC.address);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        // bank C's plain pledge covers the whole claim; bank B's forgiven debt is not paid.
        await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId)).to.changeTokenBalances(
          sys.cash,
          [sys.bankB, sys.bankC, sys.tier2],
          [0n, 200_000n * sys.unit, 0n],
        );
      });
    });

    describe("when it cannot redeem", function () {
      it("reverts before maturity", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        const now = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(now);
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3))
          .to.be.revertedWithCustomError(sys.vault, "VaultNotMatured")
          .withArgs(sys.id3, sys.maturity, now);
      });

      it("reverts for anyone but the holder or the pledgee", async function () {
        const sys = await loadFixture(pledgedPoolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await toMaturity(sys);
        await expect(sys.vault.connect(sys.bankA).redeem(sys.pledgedId))
          .to.be.revertedWithCustomError(sys.vault, "VaultUnauthorizedRedeemer")
          .withArgs(sys.bankA.address, sys.pledgedId);
      });

      it("reverts while the ledger is paused, whether the claim is final or partial", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n);
        await toMaturity(sys);
        await sys.ledger.pause();
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3)).to.be.revertedWithCustomError(sys.vault, "EnforcedPause");
        await sys.ledger.unpause();
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n);
        await sys.ledger.pause();
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3)).to.be.revertedWithCustomError(sys.ledger, "EnforcedPause");
      });

      it("reverts for a suspended holder, whether the claim is final or partial", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n);
        await toMaturity(sys);
        await sys.ledger.suspendOrganisation(sys.tier3.address);
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3))
          .to.be.revertedWithCustomError(sys.vault, "RegistryOrganisationSuspended")
          .withArgs(sys.tier3.address);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n);
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3))
          .to.be.revertedWithCustomError(sys.ledger, "RegistryOrganisationSuspended")
          .withArgs(sys.tier3.address);
      });

      it("reverts while the tree is frozen", async function () {
        const sys = await loadFixture(poolFixture);
        await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
        await sys.ledger.connect(sys.core).raiseDispute(sys.rootId, ethers.id("evidence"));
        await toMaturity(sys);
        await expect(sys.vault.connect(sys.tier3).redeem(sys.id3)).to.be.revertedWithCustomError(sys.vault, "VaultRootFrozen").withArgs(sys.rootId);
      });
    });
  });

  describe("repayPledge", function () {
    it("pays the pledgee what it is owed from the holder and releases the pledge", async function () {
      const sys = await loadFixture(pledgedPoolFixture);
      await sys.cash.mint(sys.tier2.address, 5_000n * sys.unit); // 190,000 advance + 5,000 to repay 195,000
      const tx = sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId);
      await expect(tx)
        .to.emit(sys.vault, "PledgeRepaid")
        .withArgs(sys.pledgedId, sys.tier2.address, sys.bankB.address, sys.owed)
        .and.to.emit(sys.ledger, "PledgeReleased")
        .withArgs(sys.pledgedId, sys.tier2.address, sys.bankB.address);
      await expect(tx).to.changeTokenBalances(sys.cash, [sys.tier2, sys.bankB], [-sys.owed, sys.owed]);
      expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([0n, ethers.ZeroAddress, 0n]);
    });

    it("leaves the whole redemption to the holder afterwards", async function () {
      const sys = await loadFixture(pledgedPoolFixture);
      await sys.cash.mint(sys.tier2.address, 5_000n * sys.unit); // 190,000 advance + 5,000 to repay 195,000
      await sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId)).to.changeTokenBalances(sys.cash, [sys.tier2, sys.bankB], [200_000n * sys.unit, 0n]);
    });

    it("reverts for anyone but the holder", async function () {
      const sys = await loadFixture(pledgedPoolFixture);
      await expect(sys.vault.connect(sys.bankB).repayPledge(sys.pledgedId))
        .to.be.revertedWithCustomError(sys.vault, "VaultUnauthorizedRepayer")
        .withArgs(sys.bankB.address, sys.tier2.address);
    });

    it("reverts on a receivable that is not pledged", async function () {
      const sys = await loadFixture(poolFixture);
      await expect(sys.vault.connect(sys.tier3).repayPledge(sys.id3)).to.be.revertedWithCustomError(sys.vault, "VaultNoPledgeDebt").withArgs(sys.id3);
    });

    it("reverts on a plain pledge with no recorded debt", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.ledger.connect(sys.tier3).pledge(sys.id3, sys.bankC.address);
      await expect(sys.vault.connect(sys.tier3).repayPledge(sys.id3)).to.be.revertedWithCustomError(sys.vault, "VaultNoPledgeDebt").withArgs(sys.id3);
    });

    it("reverts once the pledge was repaid", async function () {
      const sys = await loadFixture(pledgedPoolFixture);
      await sys.cash.mint(sys.tier2.address, 5_000n * sys.unit);
      await sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId);
      await expect(sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId)).to.be.revertedWithCustomError(sys.vault, "VaultNoPledgeDebt").withArgs(sys.pledgedId);
    });
  });

  describe("recordPledge", function () {
    it("reverts for anyone without FINANCING_ROLE on the ledger", async function () {
      const sys = await loadFixture(poolFixture);
      await expect(sys.vault.connect(sys.bankB).recordPledge(sys.id3, sys.tier3.address, sys.bankB.address, 1n))
        .to.be.revertedWithCustomError(sys.vault, "VaultUnauthorizedRecorder")
        .withArgs(sys.bankB.address);
    });
  });

  describe("markOverdue", function () {
    it("marks an unpaid tree overdue after maturity plus the grace period", async function () {
      const sys = await loadFixture(poolFixture);
      const u = sys.unit;
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 400_000n * u);
      const at = sys.maturity + sys.gracePeriod;
      await time.setNextBlockTimestamp(at);
      await expect(sys.vault.connect(sys.outsider).markOverdue(sys.rootId))
        .to.emit(sys.vault, "RootMarkedOverdue")
        .withArgs(sys.rootId, sys.poolId, sys.outsider.address, sys.core.address, sys.currency, sys.maturity, 400_000n * u, sys.face, at)
        .and.to.emit(sys.ledger, "RootOverdue")
        .withArgs(sys.rootId);
      expect((await sys.ledger.rootOf(sys.rootId)).overdue).to.equal(true);
    });

    it("makes the whole tree immovable for every holder", async function () {
      const sys = await loadFixture(poolFixture);
      await time.increaseTo(sys.maturity + sys.gracePeriod);
      await sys.vault.markOverdue(sys.rootId);
      await expect(sys.ledger.connect(sys.tier3).offerTransfer(sys.id3, sys.tier1.address, 1n, 0))
        .to.be.revertedWithCustomError(sys.ledger, "ReceivableOverdue")
        .withArgs(sys.rootId);
    });

    it("reverts during the grace period", async function () {
      const sys = await loadFixture(poolFixture);
      const at = sys.maturity + sys.gracePeriod - 1n;
      await time.setNextBlockTimestamp(at);
      await expect(sys.vault.markOverdue(sys.rootId))
        .to.be.revertedWithCustomError(sys.vault, "VaultNotOverdueYet")
        .withArgs(sys.rootId, sys.maturity + sys.gracePeriod, at);
    });

    it("reverts when the pool is fully funded", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await time.increaseTo(sys.maturity + sys.gracePeriod);
      await expect(sys.vault.markOverdue(sys.rootId)).to.be.revertedWithCustomError(sys.vault, "VaultPoolFullyFunded").withArgs(sys.rootId, sys.poolId);
    });

    it("reverts when already overdue", async function () {
      const sys = await loadFixture(poolFixture);
      await time.increaseTo(sys.maturity + sys.gracePeriod);
      await sys.vault.markOverdue(sys.rootId);
      await expect(sys.vault.markOverdue(sys.rootId)).to.be.revertedWithCustomError(sys.vault, "VaultAlreadyOverdue").withArgs(sys.rootId);
    });

    it("reverts on an id that is not a root", async function () {
      const sys = await loadFixture(poolFixture);
      await time.increaseTo(sys.maturity + sys.gracePeriod);
      await expect(sys.vault.markOverdue(sys.id3)).to.be.revertedWithCustomError(sys.ledger, "ReceivableNonexistent").withArgs(sys.id3);
    });
  });

  describe("views", function () {
    it("answer what redeem would pay", async function () {
      const sys = await loadFixture(pledgedPoolFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, 500_000n * sys.unit);
      expect(await sys.vault.redeemable(sys.pledgedId)).to.deep.equal([0n, 0n]); // not matured
      await toMaturity(sys);
      expect(await sys.vault.redeemable(sys.pledgedId)).to.deep.equal([0n, 100_000n * sys.unit]);
      expect(await sys.vault.redeemable(sys.id3)).to.deep.equal([50_000n * sys.unit, 0n]);
    });

    it("answer nothing for a frozen tree", async function () {
      const sys = await loadFixture(poolFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await sys.ledger.connect(sys.core).raiseDispute(sys.rootId, ethers.id("evidence"));
      await toMaturity(sys);
      expect(await sys.vault.redeemable(sys.id3)).to.deep.equal([0n, 0n]);
    });

    it("name the pool key, the grace period and the ledger", async function () {
      const sys = await loadFixture(poolFixture);
      const key = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "address", "uint64"], [sys.core.address, sys.currency, sys.maturity]));
      expect(sys.poolId).to.equal(key);
      expect(await sys.vault.gracePeriod()).to.equal(sys.gracePeriod);
      expect(await sys.vault.ledger()).to.equal(await sys.ledger.getAddress());
      expect(await sys.ledger.hasRole(await sys.ledger.SETTLEMENT_ROLE(), await sys.vault.getAddress())).to.equal(true);
    });
  });
});
