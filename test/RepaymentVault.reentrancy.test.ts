import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { financedIdFrom, FinancingMode, signQuote } from "../scripts/financingStory";
import { offeredIdFromReceipt } from "../scripts/ledgerStory";
import { asLedgerAdmin, confirm, deploySystemFixture, makeQuote, OrganisationRole, toMaturity } from "./fixtures/settlement";
import { ReentrantSettlementToken__factory, TestOrganisationWallet__factory } from "../typechain-types";

// A hostile settlement token re-enters the vault in the middle of its own transfer, through a holder
// that is a contract wallet (so the re-entrant call comes from an authorised caller). The guard refuses
// it, and because the vault wrote its books before paying, even a refused-by-guard-less path would find
// nothing left to pay.

async function hostileWorldFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const evil = await new ReentrantSettlementToken__factory(sys.operator).deploy(6);
  const evilAddress = await evil.getAddress();
  await asLedgerAdmin(sys, "setCurrencyAllowed", [evilAddress, true]);
  const wallet = await new TestOrganisationWallet__factory(sys.operator).deploy();
  const walletAddress = await wallet.getAddress();
  await sys.ledger.registerOrganisation(walletAddress, OrganisationRole.Supplier, ethers.id("kyc:wallet-holder"));
  const rootId = await confirm(sys, sys.tier1, 1_000_000n, { currency: evilAddress });
  // tier 1 sends 400,000 to the wallet, which accepts through exec.
  const offer = await (await sys.ledger.connect(sys.tier1).offerTransfer(rootId, walletAddress, 400_000n, 0)).wait();
  const offeredId = offeredIdFromReceipt(sys.ledger, offer!.logs);
  await wallet.exec(await sys.ledger.getAddress(), sys.ledger.interface.encodeFunctionData("acceptOffer", [offeredId]));
  await evil.mint(sys.core.address, 1_000_000n);
  await evil.connect(sys.core).approve(await sys.vault.getAddress(), ethers.MaxUint256);
  return { ...sys, evil, evilAddress, wallet, walletAddress, rootId, walletId: offeredId };
}

const guardError = () => ethers.id("ReentrancyGuardReentrantCall()").slice(0, 10);

describe("RepaymentVault against a re-entrant settlement token", function () {
  describe("redeem", function () {
    it("refuses a second redeem from inside the payout of a partial claim", async function () {
      const sys = await loadFixture(hostileWorldFixture);
      const vault = await sys.vault.getAddress();
      await sys.vault.connect(sys.core).deposit(sys.evilAddress, sys.maturity, 500_000n);
      await toMaturity(sys);
      const redeemCall = sys.vault.interface.encodeFunctionData("redeem", [sys.walletId]);
      await sys.evil.arm(sys.walletAddress, sys.wallet.interface.encodeFunctionData("exec", [vault, redeemCall]), 1);

      await sys.wallet.exec(vault, redeemCall);

      expect(await sys.evil.attacksMade()).to.equal(1n);
      expect(await sys.evil.lastAttackSucceeded()).to.equal(false);
      expect((await sys.evil.lastAttackResult()).slice(0, 10)).to.equal(guardError());
      expect(await sys.evil.balanceOf(sys.walletAddress)).to.equal(200_000n);
      expect(await sys.evil.balanceOf(vault)).to.equal(300_000n);
      expect((await sys.vault.claimOf(sys.walletId))[0]).to.equal(200_000n);
    });

    it("refuses a second redeem from inside the final payout, which burnt the token first", async function () {
      const sys = await loadFixture(hostileWorldFixture);
      const vault = await sys.vault.getAddress();
      await sys.vault.connect(sys.core).deposit(sys.evilAddress, sys.maturity, 1_000_000n);
      await toMaturity(sys);
      const redeemCall = sys.vault.interface.encodeFunctionData("redeem", [sys.walletId]);
      await sys.evil.arm(sys.walletAddress, sys.wallet.interface.encodeFunctionData("exec", [vault, redeemCall]), 1);

      await sys.wallet.exec(vault, redeemCall);

      expect((await sys.evil.lastAttackResult()).slice(0, 10)).to.equal(guardError());
      expect(await sys.evil.balanceOf(sys.walletAddress)).to.equal(400_000n);
      expect(await sys.evil.balanceOf(vault)).to.equal(600_000n);
      await expect(sys.wallet.exec(vault, redeemCall)).to.be.revertedWithCustomError(sys.ledger, "ReceivableNonexistent").withArgs(sys.walletId);
    });
  });

  describe("deposit", function () {
    it("refuses a redeem from inside the deposit's pull and counts the deposit once", async function () {
      const sys = await loadFixture(hostileWorldFixture);
      const vault = await sys.vault.getAddress();
      await sys.vault.connect(sys.core).deposit(sys.evilAddress, sys.maturity, 100_000n);
      await toMaturity(sys);
      const redeemCall = sys.vault.interface.encodeFunctionData("redeem", [sys.walletId]);
      await sys.evil.arm(sys.walletAddress, sys.wallet.interface.encodeFunctionData("exec", [vault, redeemCall]), 1);

      await sys.vault.connect(sys.core).deposit(sys.evilAddress, sys.maturity, 100_000n);

      expect((await sys.evil.lastAttackResult()).slice(0, 10)).to.equal(guardError());
      expect((await sys.vault.poolOf(sys.core.address, sys.evilAddress, sys.maturity))[1]).to.equal(200_000n);
      expect(await sys.evil.balanceOf(vault)).to.equal(200_000n);
    });
  });

  describe("repayPledge", function () {
    it("refuses a second repayment from inside the first and charges the holder once", async function () {
      const sys = await loadFixture(hostileWorldFixture);
      const vault = await sys.vault.getAddress();
      // The wallet pledges 100,000 of its receivable to bank A for an advance of 90,000, owing 95,000.
      await sys.evil.mint(sys.bankA.address, 1_000_000n);
      await sys.evil.connect(sys.bankA).approve(await sys.financing.getAddress(), ethers.MaxUint256);
      const quote = await makeQuote(sys, { receivableId: sys.walletId, holder: sys.tier1, financier: sys.bankA, amount: 100_000n, mode: FinancingMode.Pledge, advance: 90_000n, repayment: 95_000n, currency: sys.evilAddress });
      quote.holder = sys.walletAddress;
      const signature = await signQuote(sys.financing, sys.bankA, quote);
      const receipt = await (await sys.wallet.exec(await sys.financing.getAddress(), sys.financing.interface.encodeFunctionData("acceptQuote", [quote, signature]))).wait();
      const pledgedId = financedIdFrom(sys.financing, receipt);
      await sys.evil.mint(sys.walletAddress, 5_000n);
      await sys.wallet.exec(sys.evilAddress, sys.evil.interface.encodeFunctionData("approve", [vault, ethers.MaxUint256]));
      const repayCall = sys.vault.interface.encodeFunctionData("repayPledge", [pledgedId]);
      await sys.evil.arm(sys.walletAddress, sys.wallet.interface.encodeFunctionData("exec", [vault, repayCall]), 1);
      const bankBefore = await sys.evil.balanceOf(sys.bankA.address);

      await sys.wallet.exec(vault, repayCall);

      expect((await sys.evil.lastAttackResult()).slice(0, 10)).to.equal(guardError());
      expect((await sys.evil.balanceOf(sys.bankA.address)) - bankBefore).to.equal(95_000n);
      expect(await sys.evil.balanceOf(sys.walletAddress)).to.equal(0n);
      expect(await sys.vault.claimOf(pledgedId)).to.deep.equal([0n, ethers.ZeroAddress, 0n]);
    });
  });
});
