import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { FinancingMode } from "../scripts/financingStory";
import { BlocklistSettlementToken__factory } from "../typechain-types";
import { asLedgerAdmin, confirm, deploySystemFixture, finance, toMaturity, transfer, type System } from "./fixtures/settlement";

// Issue 8, items 4 (F4), 5 (F7) and 9d: who is paid when one payee cannot be. A suspended holder does not
// lock out its pledgee; a currency that refuses one payee (a USDC-style blocklist) does not stop the
// other's payment, which it credits to a withdrawable balance instead; an operator the holder approved
// may redeem for it, and the money still goes to the holder.

/** Tier 2 pledge-finances 200,000 of its 400,000 with bank B (advance 190,000, owing 195,000), in
 * `currency` (the world's settlement token unless a test passes its own). */
async function pledge(sys: System, currency: string) {
  const u = sys.unit;
  const rootId = await confirm(sys, sys.tier1, 1_000_000n * u, { currency });
  const id2 = await transfer(sys, sys.tier1, sys.tier2, rootId, 400_000n * u);
  const { financedId } = await finance(sys, {
    receivableId: id2, holder: sys.tier2, financier: sys.bankB, amount: 200_000n * u,
    mode: FinancingMode.Pledge, advance: 190_000n * u, repayment: 195_000n * u, currency,
  });
  const poolId = await sys.vault.poolId(sys.core.address, currency, sys.maturity);
  return { rootId, id2, pledgedId: financedId, poolId, face: 1_000_000n * u, owed: 195_000n * u, part: 200_000n * u };
}

async function pledgedFixture() {
  const sys = await loadFixture(deploySystemFixture);
  return { ...sys, ...(await pledge(sys, sys.currency)) };
}

/** The same story in a currency with a blocklist; every party holds and has approved it. */
async function blocklistFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const busd = await new BlocklistSettlementToken__factory(sys.operator).deploy(2);
  const busdAddress = await busd.getAddress();
  await asLedgerAdmin(sys, "setCurrencyAllowed", [busdAddress, true]);
  for (const s of [sys.core, sys.bankB]) await busd.mint(s.address, sys.float);
  await busd.connect(sys.bankB).approve(await sys.financing.getAddress(), ethers.MaxUint256);
  for (const s of [sys.core, sys.tier2]) await busd.connect(s).approve(await sys.vault.getAddress(), ethers.MaxUint256);
  const story = await pledge(sys, busdAddress);
  await sys.vault.connect(sys.core).deposit(busdAddress, sys.maturity, story.face);
  await toMaturity(sys);
  return { ...sys, ...story, busd, busdAddress };
}

describe("RepaymentVault: payouts when a payee cannot be paid", function () {
  describe("a suspended holder does not lock out its pledgee (F4)", function () {
    it("pays the pledgee from a fully funded pool and keeps the holder's share until it is reactivated", async function () {
      const sys = await loadFixture(pledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      await sys.ledger.suspendOrganisation(sys.tier2.address);

      const tx = sys.vault.connect(sys.bankB).redeem(sys.pledgedId);
      await expect(tx)
        .to.emit(sys.vault, "ReceivableRedeemed")
        .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, sys.part, 0n, sys.bankB.address, sys.owed, sys.owed, 0n, false)
        .and.to.emit(sys.ledger, "PledgeReleased")
        .withArgs(sys.pledgedId, sys.tier2.address, sys.bankB.address);
      await expect(tx).to.changeTokenBalances(sys.cash, [sys.bankB, sys.tier2, sys.vault], [sys.owed, 0n, -sys.owed]);
      // Nothing burnt: the holder's 5,000 waits in the pool, recorded as the claim's remainder.
      expect(await sys.ledger.ownerOf(sys.pledgedId)).to.equal(sys.tier2.address);
      expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([sys.owed, ethers.ZeroAddress, 0n]);
      expect(await sys.vault.redeemable(sys.pledgedId)).to.deep.equal([5_000n * sys.unit, 0n]);

      // The suspended holder itself gets nothing, with the registry's own error.
      await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId))
        .to.be.revertedWithCustomError(sys.vault, "RegistryOrganisationSuspended")
        .withArgs(sys.tier2.address);

      await sys.ledger.reactivateOrganisation(sys.tier2.address);
      await expect(sys.vault.connect(sys.tier2).redeem(sys.pledgedId))
        .to.emit(sys.vault, "ReceivableRedeemed")
        .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, sys.part, 5_000n * sys.unit, ethers.ZeroAddress, 0n, sys.part, 0n, true);
      expect(await sys.cash.balanceOf(sys.tier2.address)).to.equal(190_000n * sys.unit + 5_000n * sys.unit);
    });

    it("pays the pledgee its share of a shortfall while the holder is suspended", async function () {
      const sys = await loadFixture(pledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n); // 100,000 due
      await toMaturity(sys);
      await sys.ledger.suspendOrganisation(sys.tier2.address);
      const due = sys.part / 2n;
      await expect(sys.vault.connect(sys.bankB).redeem(sys.pledgedId))
        .to.emit(sys.vault, "ReceivableRedeemed")
        .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, sys.part, 0n, sys.bankB.address, due, due, sys.owed - due, false);
      expect(await sys.vault.claimOf(sys.pledgedId)).to.deep.equal([due, sys.bankB.address, sys.owed - due]);
    });

    it("still reverts for a suspended holder whose receivable is not pledged", async function () {
      const sys = await loadFixture(pledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      await sys.ledger.suspendOrganisation(sys.tier1.address);
      await expect(sys.vault.connect(sys.tier1).redeem(sys.rootId))
        .to.be.revertedWithCustomError(sys.vault, "RegistryOrganisationSuspended")
        .withArgs(sys.tier1.address);
    });

    it("re-raises any other refusal of the burn unchanged", async function () {
      const sys = await loadFixture(pledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      await sys.ledger.pause();
      await expect(sys.vault.connect(sys.bankB).redeem(sys.pledgedId)).to.be.revertedWithCustomError(sys.ledger, "EnforcedPause");
    });
  });

  describe("one blocked address cannot block another's money (F7)", function () {
    it("pays the pledgee and credits the blocklisted holder's share for withdrawal", async function () {
      const sys = await loadFixture(blocklistFixture);
      await sys.busd.setBlocklisted(sys.tier2.address, true);
      const share = 5_000n * sys.unit;
      const tx = sys.vault.connect(sys.bankB).redeem(sys.pledgedId);
      await expect(tx)
        .to.emit(sys.vault, "PaymentCredited")
        .withArgs(sys.pledgedId, sys.tier2.address, sys.busdAddress, share, share)
        .and.to.emit(sys.vault, "ReceivableRedeemed")
        .withArgs(sys.pledgedId, sys.rootId, sys.tier2.address, sys.poolId, sys.part, share, sys.bankB.address, sys.owed, sys.part, 0n, true);
      await expect(tx).to.changeTokenBalances(sys.busd, [sys.bankB, sys.vault], [sys.owed, -sys.owed]);
      expect(await sys.vault.creditOf(sys.tier2.address, sys.busdAddress)).to.equal(share);

      // Still blocked: the withdrawal reverts with the currency's own error and the credit stays.
      await expect(sys.vault.connect(sys.tier2).withdraw(sys.busdAddress))
        .to.be.revertedWithCustomError(sys.busd, "BlocklistedAccount")
        .withArgs(sys.tier2.address);
      expect(await sys.vault.creditOf(sys.tier2.address, sys.busdAddress)).to.equal(share);

      await sys.busd.setBlocklisted(sys.tier2.address, false);
      const withdrawal = sys.vault.connect(sys.tier2).withdraw(sys.busdAddress);
      await expect(withdrawal).to.emit(sys.vault, "PaymentWithdrawn").withArgs(sys.tier2.address, sys.busdAddress, share);
      await expect(withdrawal).to.changeTokenBalances(sys.busd, [sys.tier2, sys.vault], [share, -share]);
      expect(await sys.vault.creditOf(sys.tier2.address, sys.busdAddress)).to.equal(0n);
    });

    it("pays the holder and credits the blocklisted pledgee's share", async function () {
      const sys = await loadFixture(blocklistFixture);
      await sys.busd.setBlocklisted(sys.bankB.address, true);
      const tx = sys.vault.connect(sys.tier2).redeem(sys.pledgedId);
      await expect(tx).to.emit(sys.vault, "PaymentCredited").withArgs(sys.pledgedId, sys.bankB.address, sys.busdAddress, sys.owed, sys.owed);
      await expect(tx).to.changeTokenBalances(sys.busd, [sys.tier2, sys.bankB], [5_000n * sys.unit, 0n]);
      expect(await sys.vault.creditOf(sys.bankB.address, sys.busdAddress)).to.equal(sys.owed);
    });

    it("lets the holder repay its pledge to a blocklisted pledgee, crediting the pledgee", async function () {
      const sys = await loadFixture(blocklistFixture);
      await sys.busd.mint(sys.tier2.address, 5_000n * sys.unit);
      await sys.busd.setBlocklisted(sys.bankB.address, true);
      const tx = sys.vault.connect(sys.tier2).repayPledge(sys.pledgedId);
      await expect(tx)
        .to.emit(sys.vault, "PledgeRepaid")
        .withArgs(sys.pledgedId, sys.tier2.address, sys.bankB.address, sys.owed)
        .and.to.emit(sys.vault, "PaymentCredited")
        .withArgs(sys.pledgedId, sys.bankB.address, sys.busdAddress, sys.owed, sys.owed);
      await expect(tx).to.changeTokenBalances(sys.busd, [sys.tier2, sys.vault], [-sys.owed, sys.owed]);
      expect((await sys.ledger.receivableOf(sys.pledgedId)).counterparty).to.equal(ethers.ZeroAddress);
    });

    it("adds up several credits of one payee", async function () {
      const sys = await loadFixture(blocklistFixture);
      await sys.busd.setBlocklisted(sys.tier2.address, true);
      await sys.vault.connect(sys.bankB).redeem(sys.pledgedId);
      await sys.vault.connect(sys.tier2).redeem(sys.id2);
      const total = 5_000n * sys.unit + 200_000n * sys.unit;
      expect(await sys.vault.creditOf(sys.tier2.address, sys.busdAddress)).to.equal(total);
    });

    it("reverts a withdrawal of nothing", async function () {
      const sys = await loadFixture(blocklistFixture);
      await expect(sys.vault.connect(sys.tier2).withdraw(sys.busdAddress))
        .to.be.revertedWithCustomError(sys.vault, "VaultNothingToWithdraw")
        .withArgs(sys.tier2.address, sys.busdAddress);
    });

    it("reverts a withdrawal while the ledger is paused", async function () {
      const sys = await loadFixture(blocklistFixture);
      await sys.busd.setBlocklisted(sys.tier2.address, true);
      await sys.vault.connect(sys.bankB).redeem(sys.pledgedId);
      await sys.busd.setBlocklisted(sys.tier2.address, false);
      await sys.ledger.pause();
      await expect(sys.vault.connect(sys.tier2).withdraw(sys.busdAddress)).to.be.revertedWithCustomError(sys.vault, "EnforcedPause");
    });
  });

  describe("an approved operator redeems for the holder (9d)", function () {
    it("pays the holder, not the operator", async function () {
      const sys = await loadFixture(pledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      await sys.ledger.connect(sys.tier1).setApprovalForAll(sys.outsider.address, true);
      const amount = 600_000n * sys.unit;
      const tx = sys.vault.connect(sys.outsider).redeem(sys.rootId);
      await expect(tx)
        .to.emit(sys.vault, "ReceivableRedeemed")
        .withArgs(sys.rootId, sys.rootId, sys.tier1.address, sys.poolId, amount, amount, ethers.ZeroAddress, 0n, amount, 0n, true);
      await expect(tx).to.changeTokenBalances(sys.cash, [sys.tier1, sys.outsider], [amount, 0n]);
    });

    it("reverts for an operator whose approval was revoked", async function () {
      const sys = await loadFixture(pledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face);
      await toMaturity(sys);
      await sys.ledger.connect(sys.tier1).setApprovalForAll(sys.outsider.address, true);
      await sys.ledger.connect(sys.tier1).setApprovalForAll(sys.outsider.address, false);
      await expect(sys.vault.connect(sys.outsider).redeem(sys.rootId))
        .to.be.revertedWithCustomError(sys.vault, "VaultUnauthorizedRedeemer")
        .withArgs(sys.outsider.address, sys.rootId);
    });

    it("reverts for an operator of someone else", async function () {
      const sys = await loadFixture(pledgedFixture);
      await sys.vault.connect(sys.core).deposit(sys.currency, sys.maturity, sys.face / 2n);
      await toMaturity(sys);
      await sys.ledger.connect(sys.tier2).setApprovalForAll(sys.outsider.address, true);
      await expect(sys.vault.connect(sys.outsider).redeem(sys.rootId))
        .to.be.revertedWithCustomError(sys.vault, "VaultUnauthorizedRedeemer")
        .withArgs(sys.outsider.address, sys.rootId);
    });
  });
});
