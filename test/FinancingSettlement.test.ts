import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { FinancingMode, signQuote } from "../scripts/financingStory";
import { quoteDigest } from "../server/lib/typedData";
import {
  confirm,
  deploySystemFixture,
  finance,
  makeQuote,
  OrganisationRole,
  signedQuote,
  transfer,
  type System,
  asLedgerAdmin,
} from "./fixtures/settlement";
import { TestOrganisationWallet__factory, ReentrantSettlementToken__factory } from "../typechain-types";

const FLAG_PLEDGED = 2n;
const FLAG_FINANCED = 4n;
const QuoteStatus = { Open: 0n, Accepted: 1n, Cancelled: 2n };

/** Tier 2 holds 400,000.00 of a 1,000,000.00 root confirmed to tier 1. */
async function tier2HoldsFixture() {
  const sys = await loadFixture(deploySystemFixture);
  const rootId = await confirm(sys, sys.tier1, 1_000_000n * sys.unit);
  const id = await transfer(sys, sys.tier1, sys.tier2, rootId, 400_000n * sys.unit);
  return { ...sys, rootId, id, face: 400_000n * sys.unit };
}

async function nextChildId(sys: System, rootId: bigint) {
  return rootId | ((await sys.ledger.childCountOf(rootId)) + 1n);
}

describe("FinancingSettlement", function () {
  describe("acceptQuote", function () {
    describe("when purchasing a part", function () {
      it("splits the part off to the financier, marked FINANCED, and the holder keeps the rest", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 150_000n * sys.unit });
        const childId = await nextChildId(sys, sys.rootId);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.emit(sys.ledger, "ReceivableSplit")
          .withArgs(sys.id, childId, sys.tier2.address, quote.amount, sys.face - quote.amount)
          .and.to.emit(sys.ledger, "ReceivableMoved")
          .withArgs(childId, sys.tier2.address, sys.bankA.address)
          .and.to.emit(sys.ledger, "ReceivableFinanced")
          .withArgs(childId, sys.bankA.address);
        const part = await sys.ledger.receivableOf(childId);
        expect(part.holder).to.equal(sys.bankA.address);
        expect(part.amount).to.equal(quote.amount);
        expect(part.parentId).to.equal(sys.id);
        expect(part.flags & FLAG_FINANCED).to.equal(FLAG_FINANCED);
        const rest = await sys.ledger.receivableOf(sys.id);
        expect(rest.holder).to.equal(sys.tier2.address);
        expect(rest.amount).to.equal(sys.face - quote.amount);
        expect(rest.flags & FLAG_FINANCED).to.equal(0n);
      });

      it("moves the advance from the financier to the holder", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 150_000n * sys.unit });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature)).to.changeTokenBalances(
          sys.cash,
          [sys.bankA, sys.tier2, sys.financing],
          [-quote.advance, quote.advance, 0n],
        );
      });

      it("emits QuoteAccepted with every term and marks the quote accepted", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const evidenceHash = ethers.id("due-diligence record of quote 7");
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 150_000n * sys.unit, nonce: 7n, evidenceHash });
        const hash = await sys.financing.hashQuote(quote);
        const childId = await nextChildId(sys, sys.rootId);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.emit(sys.financing, "QuoteAccepted")
          .withArgs(hash, sys.id, sys.bankA.address, childId, sys.tier2.address, FinancingMode.Purchase, sys.currency, quote.amount, quote.advance, 0n, 7n, evidenceHash);
        expect(await sys.financing.quoteStatus(hash)).to.equal(QuoteStatus.Accepted);
      });
    });

    describe("when purchasing the whole receivable", function () {
      it("moves the token itself to the financier", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        const hash = await sys.financing.hashQuote(quote);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.emit(sys.financing, "QuoteAccepted")
          .withArgs(hash, sys.id, sys.bankA.address, sys.id, sys.tier2.address, FinancingMode.Purchase, sys.currency, sys.face, quote.advance, 0n, 0n, ethers.ZeroHash)
          .and.to.emit(sys.ledger, "Transfer")
          .withArgs(sys.tier2.address, sys.bankA.address, sys.id);
        expect(await sys.ledger.ownerOf(sys.id)).to.equal(sys.bankA.address);
        expect((await sys.ledger.receivableOf(sys.id)).flags & FLAG_FINANCED).to.equal(FLAG_FINANCED);
      });
    });

    describe("when pledging", function () {
      it("locks the part for the financier while the holder keeps it, and records the debt", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const amount = 200_000n * sys.unit;
        const { quote, signature } = await signedQuote(sys, {
          receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount, mode: FinancingMode.Pledge,
          advance: 190_000n * sys.unit, repayment: 195_000n * sys.unit,
        });
        const hash = await sys.financing.hashQuote(quote);
        const childId = await nextChildId(sys, sys.rootId);
        const tx = sys.financing.connect(sys.tier2).acceptQuote(quote, signature);
        await expect(tx)
          .to.emit(sys.financing, "QuoteAccepted")
          .withArgs(hash, sys.id, sys.bankB.address, childId, sys.tier2.address, FinancingMode.Pledge, sys.currency, amount, quote.advance, quote.repayment, 0n, ethers.ZeroHash)
          .and.to.emit(sys.ledger, "ReceivablePledged")
          .withArgs(childId, sys.tier2.address, sys.bankB.address)
          .and.to.emit(sys.vault, "PledgeRecorded")
          .withArgs(childId, sys.tier2.address, sys.bankB.address, quote.repayment);
        await expect(tx).to.changeTokenBalances(sys.cash, [sys.bankB, sys.tier2], [-quote.advance, quote.advance]);
        const part = await sys.ledger.receivableOf(childId);
        expect(part.holder).to.equal(sys.tier2.address);
        expect(part.counterparty).to.equal(sys.bankB.address);
        expect(part.flags & (FLAG_PLEDGED | FLAG_FINANCED)).to.equal(FLAG_PLEDGED | FLAG_FINANCED);
        expect(await sys.vault.claimOf(childId)).to.deep.equal([0n, sys.bankB.address, quote.repayment]);
      });

      it("pledges the whole receivable in place", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: sys.face, mode: FinancingMode.Pledge });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.emit(sys.vault, "PledgeRecorded")
          .withArgs(sys.id, sys.tier2.address, sys.bankB.address, quote.repayment);
        const r = await sys.ledger.receivableOf(sys.id);
        expect(r.holder).to.equal(sys.tier2.address);
        expect(r.flags & (FLAG_PLEDGED | FLAG_FINANCED)).to.equal(FLAG_PLEDGED | FLAG_FINANCED);
      });
    });

    describe("when the financier is a contract wallet", function () {
      it("accepts its ERC-1271 approval as the signature", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const wallet = await new TestOrganisationWallet__factory(sys.operator).deploy();
        const walletAddress = await wallet.getAddress();
        await sys.ledger.registerOrganisation(walletAddress, OrganisationRole.Financier, ethers.id("kyc:wallet"));
        await sys.cash.mint(walletAddress, 1_000_000n * sys.unit);
        await wallet.exec(await sys.cash.getAddress(), sys.cash.interface.encodeFunctionData("approve", [await sys.financing.getAddress(), ethers.MaxUint256]));
        await wallet.exec(await sys.financing.getAddress(), sys.financing.interface.encodeFunctionData("setExposureLimit", [sys.core.address, sys.face]));
        const quote = await makeQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        quote.financier = walletAddress;
        const hash = await sys.financing.hashQuote(quote);
        await wallet.approveHash(hash);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, "0x"))
          .to.emit(sys.financing, "QuoteAccepted")
          .withArgs(hash, sys.id, walletAddress, sys.id, sys.tier2.address, FinancingMode.Purchase, sys.currency, sys.face, quote.advance, 0n, 0n, ethers.ZeroHash);
        expect(await sys.ledger.ownerOf(sys.id)).to.equal(walletAddress);
      });
    });

    describe("when the quote itself is not acceptable", function () {
      it("reverts for anyone but the quoted holder", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await expect(sys.financing.connect(sys.tier3).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingNotQuotedHolder")
          .withArgs(sys.tier3.address, sys.tier2.address);
      });

      it("reverts on a replay", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 100_000n * sys.unit });
        await sys.financing.connect(sys.tier2).acceptQuote(quote, signature);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingQuoteAlreadyAccepted")
          .withArgs(await sys.financing.hashQuote(quote));
      });

      it("reverts once the financier cancelled it", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await sys.financing.connect(sys.bankA).cancelQuote(quote);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingQuoteCancelled")
          .withArgs(await sys.financing.hashQuote(quote));
      });

      it("reverts after its expiry", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await time.increaseTo(quote.expiry + 1n);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingQuoteExpired")
          .withArgs(await sys.financing.hashQuote(quote), quote.expiry, quote.expiry + 2n);
      });

      it("accepts it in the very second of its expiry", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await time.setNextBlockTimestamp(quote.expiry);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature)).to.emit(sys.financing, "QuoteAccepted");
      });

      it("reverts when its nonce was invalidated", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, nonce: 4n });
        await sys.financing.connect(sys.bankA).invalidateNonces(5n);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingNonceInvalidated")
          .withArgs(sys.bankA.address, 4n, 5n);
      });

      it("reverts on a zero advance", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, advance: 0n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidAdvance")
          .withArgs(0n, sys.face);
      });

      it("reverts on an advance above the face amount financed", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, advance: sys.face + 1n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidAdvance")
          .withArgs(sys.face + 1n, sys.face);
      });

      it("reverts on a purchase quote that asks for repayment", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, advance: 100n, repayment: 100n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidRepayment")
          .withArgs(FinancingMode.Purchase, 100n, 100n, sys.face);
      });

      it("reverts on a pledge whose repayment is below the advance", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: sys.face, mode: FinancingMode.Pledge, advance: 100n, repayment: 99n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidRepayment")
          .withArgs(FinancingMode.Pledge, 99n, 100n, sys.face);
      });

      it("reverts on a pledge whose repayment is above the face amount", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: sys.face, mode: FinancingMode.Pledge, advance: 100n, repayment: sys.face + 1n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidRepayment")
          .withArgs(FinancingMode.Pledge, sys.face + 1n, 100n, sys.face);
      });

      it("reverts when the signer is not a registered financier", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.supplier4, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingNotFinancier")
          .withArgs(sys.supplier4.address, OrganisationRole.Supplier);
      });

      it("reverts when the signer is unregistered", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.outsider, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingNotFinancier")
          .withArgs(sys.outsider.address, OrganisationRole.None);
      });

      it("reverts when the financier is suspended", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await sys.ledger.suspendOrganisation(sys.bankA.address);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingFinancierSuspended")
          .withArgs(sys.bankA.address);
      });

      it("reverts when someone else signed for the financier", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face }, sys.bankB);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidSignature")
          .withArgs(await sys.financing.hashQuote(quote), sys.bankA.address);
      });

      it("reverts when a signed term was changed", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        const tampered = { ...quote, advance: quote.advance + 1n };
        await expect(sys.financing.connect(sys.tier2).acceptQuote(tampered, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidSignature")
          .withArgs(await sys.financing.hashQuote(tampered), sys.bankA.address);
      });

      it("reverts when the due-diligence record's hash was swapped for another (the record is anchored by the signature)", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, evidenceHash: ethers.id("record as decided") });
        const rewritten = { ...quote, evidenceHash: ethers.id("record rewritten later") };
        await expect(sys.financing.connect(sys.tier2).acceptQuote(rewritten, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingInvalidSignature")
          .withArgs(await sys.financing.hashQuote(rewritten), sys.bankA.address);
      });

      it("reverts when the quote's currency is not the receivable's", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const other = await new ReentrantSettlementToken__factory(sys.operator).deploy(2);
        const otherAddress = await other.getAddress();
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, currency: otherAddress });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingCurrencyMismatch")
          .withArgs(otherAddress, sys.currency);
      });

      it("reverts when the ledger no longer allows the currency", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await asLedgerAdmin(sys, "setCurrencyAllowed", [sys.currency, false]);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingCurrencyNotAllowed")
          .withArgs(sys.currency);
      });

      it("reverts and moves nothing when the financier's allowance is short", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await sys.cash.connect(sys.bankA).approve(await sys.financing.getAddress(), 5n);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.cash, "ERC20InsufficientAllowance")
          .withArgs(await sys.financing.getAddress(), 5n, quote.advance);
        expect(await sys.ledger.ownerOf(sys.id)).to.equal(sys.tier2.address);
        expect(await sys.financing.quoteStatus(await sys.financing.hashQuote(quote))).to.equal(QuoteStatus.Open);
      });
    });

    describe("when the receivable cannot be financed", function () {
      it("reverts once the receivable moved away from the quoted holder", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await transfer(sys, sys.tier2, sys.tier3, sys.id, sys.face);
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.financing, "FinancingHolderMismatch")
          .withArgs(sys.id, sys.tier2.address, sys.tier3.address);
      });

      it("reverts when the receivable was financed already", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: sys.face, mode: FinancingMode.Pledge });
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 1_000n, nonce: 1n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableAlreadyFinanced")
          .withArgs(sys.id);
      });

      it("reverts on a part split off a financed receivable (children inherit FINANCED)", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { financedId } = await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: sys.face, mode: FinancingMode.Pledge });
        await sys.cash.mint(sys.tier2.address, sys.face); // enough to repay the pledge early
        await sys.vault.connect(sys.tier2).repayPledge(financedId);
        const childId = await transfer(sys, sys.tier2, sys.tier3, sys.id, 1_000n);
        const { quote, signature } = await signedQuote(sys, { receivableId: childId, holder: sys.tier3, financier: sys.bankA, amount: 1_000n });
        await expect(sys.financing.connect(sys.tier3).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableAlreadyFinanced")
          .withArgs(childId);
      });

      it("reverts when the receivable is pledged", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await sys.ledger.connect(sys.tier2).pledge(sys.id, sys.bankC.address);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 1_000n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableIsPledged")
          .withArgs(sys.id, sys.bankC.address);
      });

      it("reverts while the receivable is offered to someone", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await sys.ledger.connect(sys.tier2).offerTransfer(sys.id, sys.tier3.address, sys.face, 0);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableIsOffered")
          .withArgs(sys.id, sys.tier3.address);
      });

      it("reverts while its tree is frozen", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await sys.ledger.connect(sys.core).raiseDispute(sys.rootId, ethers.id("evidence"));
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableFrozen")
          .withArgs(sys.rootId);
      });

      it("reverts once its tree is overdue", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await time.increaseTo(sys.maturity + sys.gracePeriod);
        await sys.vault.markOverdue(sys.rootId);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableOverdue")
          .withArgs(sys.rootId);
      });

      it("reverts from maturity on", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await time.increaseTo(sys.maturity);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableMatured")
          .withArgs(sys.id, sys.maturity);
      });

      it("reverts when the quoted amount exceeds the receivable", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face + 1n });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature))
          .to.be.revertedWithCustomError(sys.ledger, "ReceivableInsufficientAmount")
          .withArgs(sys.id, sys.face, sys.face + 1n);
      });

      it("reverts while the ledger is paused", async function () {
        const sys = await loadFixture(tier2HoldsFixture);
        await sys.ledger.pause();
        const { quote, signature } = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
        await expect(sys.financing.connect(sys.tier2).acceptQuote(quote, signature)).to.be.revertedWithCustomError(sys.ledger, "EnforcedPause");
      });
    });

    describe("when the currency re-enters", function () {
      it("refuses the re-entrant call and settles the outer quote exactly once", async function () {
        const sys = await loadFixture(deploySystemFixture);
        const evil = await new ReentrantSettlementToken__factory(sys.operator).deploy(2);
        const evilAddress = await evil.getAddress();
        await asLedgerAdmin(sys, "setCurrencyAllowed", [evilAddress, true]);
        const rootId = await confirm(sys, sys.tier1, 1_000n, { currency: evilAddress });
        await evil.mint(sys.bankA.address, 10_000n);
        await evil.connect(sys.bankA).approve(await sys.financing.getAddress(), ethers.MaxUint256);
        const wallet = await new TestOrganisationWallet__factory(sys.operator).deploy();
        await sys.ledger.registerOrganisation(await wallet.getAddress(), OrganisationRole.Supplier, ethers.id("kyc:evil-holder"));

        // The holder accepts quote 1 on half of the receivable (in the evil currency); during the advance
        // transfer the token re-enters acceptQuote with quote 2 on the other half, through the holder.
        const { quote: q1, signature: s1 } = await signedQuote(sys, { receivableId: rootId, holder: sys.tier1, financier: sys.bankA, amount: 500n, currency: evilAddress });
        const { quote: q2, signature: s2 } = await signedQuote(sys, { receivableId: rootId, holder: sys.tier1, financier: sys.bankA, amount: 500n, currency: evilAddress, nonce: 1n });
        const reenter = sys.financing.interface.encodeFunctionData("acceptQuote", [q2, s2]);
        await evil.arm(await sys.financing.getAddress(), reenter, 1);

        await expect(sys.financing.connect(sys.tier1).acceptQuote(q1, s1)).to.changeTokenBalances(evil, [sys.bankA, sys.tier1], [-q1.advance, q1.advance]);
        expect(await evil.attacksMade()).to.equal(1n);
        expect(await evil.lastAttackSucceeded()).to.equal(false);
        expect((await evil.lastAttackResult()).slice(0, 10)).to.equal(sys.financing.interface.getError("ReentrancyGuardReentrantCall")!.selector);
        expect(await sys.financing.quoteStatus(await sys.financing.hashQuote(q2))).to.equal(QuoteStatus.Open);
        expect((await sys.ledger.receivableOf(rootId)).amount).to.equal(500n);
      });
    });
  });

  describe("no double financing", function () {
    // Two competing quotes on the same receivable, accepted one after the other in both orders: the first
    // wins, the second reverts, whichever banks and modes they come from and however their parts overlap.
    type Scope = "whole" | "part";
    const banks = ["same bank", "two banks"] as const;
    const modes = [FinancingMode.Purchase, FinancingMode.Pledge] as const;
    const scopes: [Scope, Scope][] = [["whole", "whole"], ["part", "whole"], ["whole", "part"], ["part", "part"]];
    const modeName = (m: number) => (m === FinancingMode.Purchase ? "purchase" : "pledge");

    for (const bankCase of banks) {
      for (const modeX of modes) {
        for (const modeY of modes) {
          for (const [scopeX, scopeY] of scopes) {
            for (const order of ["X then Y", "Y then X"] as const) {
              const title = `${bankCase}: ${modeName(modeX)} of the ${scopeX} vs ${modeName(modeY)} of the ${scopeY}, ${order}`;
              it(title, async function () {
                const sys = await loadFixture(tier2HoldsFixture);
                const part = (sys.face * 60n) / 100n; // two 60% parts cannot both fit
                const bankX = sys.bankA;
                const bankY = bankCase === "same bank" ? sys.bankA : sys.bankB;
                const x = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: bankX, amount: scopeX === "whole" ? sys.face : part, mode: modeX, nonce: 1n });
                const y = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: bankY, amount: scopeY === "whole" ? sys.face : part, mode: modeY, nonce: 2n });
                const [first, second] = order === "X then Y" ? [x, y] : [y, x];
                const firstBank = order === "X then Y" ? bankX : bankY;

                const receipt = await (await sys.financing.connect(sys.tier2).acceptQuote(first.quote, first.signature)).wait();
                const attempt = sys.financing.connect(sys.tier2).acceptQuote(second.quote, second.signature);
                const firstWhole = first.quote.amount === sys.face;
                if (firstWhole && first.quote.mode === FinancingMode.Purchase) {
                  await expect(attempt).to.be.revertedWithCustomError(sys.financing, "FinancingHolderMismatch").withArgs(sys.id, sys.tier2.address, firstBank.address);
                } else if (firstWhole) {
                  await expect(attempt).to.be.revertedWithCustomError(sys.ledger, "ReceivableAlreadyFinanced").withArgs(sys.id);
                } else {
                  await expect(attempt).to.be.revertedWithCustomError(sys.ledger, "ReceivableInsufficientAmount").withArgs(sys.id, sys.face - part, second.quote.amount);
                }

                // Exactly one financing happened, for exactly the first quote's face amount.
                const accepted = receipt!.logs.map((l) => sys.financing.interface.parseLog(l)).filter((p) => p?.name === "QuoteAccepted");
                expect(accepted).to.have.length(1);
                expect(await sys.financing.quoteStatus(await sys.financing.hashQuote(second.quote))).to.equal(QuoteStatus.Open);
                expect(await sys.cash.balanceOf(sys.tier2.address)).to.equal(first.quote.advance);
              });
            }
          }
        }
      }
    }

    it("lets only one of two quotes mined in the same block finance the receivable", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      const x = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, nonce: 1n });
      const y = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: sys.face, mode: FinancingMode.Pledge, nonce: 1n });
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const txX = await sys.financing.connect(sys.tier2).acceptQuote(x.quote, x.signature, { gasLimit: 1_000_000 });
        const txY = await sys.financing.connect(sys.tier2).acceptQuote(y.quote, y.signature, { gasLimit: 1_000_000 });
        await ethers.provider.send("evm_mine", []);
        const rX = await ethers.provider.getTransactionReceipt(txX.hash);
        const rY = await ethers.provider.getTransactionReceipt(txY.hash);
        expect(rX!.blockNumber).to.equal(rY!.blockNumber);
        expect([rX!.status, rY!.status]).to.deep.equal([1, 0]);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      expect(await sys.ledger.ownerOf(sys.id)).to.equal(sys.bankA.address);
      expect(await sys.cash.balanceOf(sys.tier2.address)).to.equal(x.quote.advance);
    });
  });

  describe("cancelQuote", function () {
    it("lets the financier withdraw an open quote", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      const quote = await makeQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face, nonce: 3n });
      const hash = await sys.financing.hashQuote(quote);
      await expect(sys.financing.connect(sys.bankA).cancelQuote(quote)).to.emit(sys.financing, "QuoteCancelled").withArgs(hash, sys.bankA.address, 3n);
      expect(await sys.financing.quoteStatus(hash)).to.equal(QuoteStatus.Cancelled);
    });

    it("reverts for anyone but the quote's financier", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      const quote = await makeQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
      await expect(sys.financing.connect(sys.tier2).cancelQuote(quote))
        .to.be.revertedWithCustomError(sys.financing, "FinancingUnauthorizedCanceller")
        .withArgs(sys.tier2.address, sys.bankA.address);
    });

    it("reverts on an accepted quote", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      const { quote } = await finance(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
      await expect(sys.financing.connect(sys.bankA).cancelQuote(quote))
        .to.be.revertedWithCustomError(sys.financing, "FinancingQuoteAlreadyAccepted")
        .withArgs(await sys.financing.hashQuote(quote));
    });

    it("reverts on a quote cancelled already", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      const quote = await makeQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: sys.face });
      await sys.financing.connect(sys.bankA).cancelQuote(quote);
      await expect(sys.financing.connect(sys.bankA).cancelQuote(quote))
        .to.be.revertedWithCustomError(sys.financing, "FinancingQuoteCancelled")
        .withArgs(await sys.financing.hashQuote(quote));
    });
  });

  describe("invalidateNonces", function () {
    it("voids every quote below the new minimum and keeps the rest", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      await expect(sys.financing.connect(sys.bankA).invalidateNonces(10n)).to.emit(sys.financing, "NoncesInvalidated").withArgs(sys.bankA.address, 10n);
      expect(await sys.financing.minNonceOf(sys.bankA.address)).to.equal(10n);
      const old = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 1_000n, nonce: 9n });
      await expect(sys.financing.connect(sys.tier2).acceptQuote(old.quote, old.signature))
        .to.be.revertedWithCustomError(sys.financing, "FinancingNonceInvalidated")
        .withArgs(sys.bankA.address, 9n, 10n);
      const fresh = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankA, amount: 1_000n, nonce: 10n });
      await expect(sys.financing.connect(sys.tier2).acceptQuote(fresh.quote, fresh.signature)).to.emit(sys.financing, "QuoteAccepted");
    });

    it("leaves other financiers' quotes alone", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      await sys.financing.connect(sys.bankA).invalidateNonces(10n);
      expect(await sys.financing.minNonceOf(sys.bankB.address)).to.equal(0n);
      const q = await signedQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: 1_000n, nonce: 0n });
      await expect(sys.financing.connect(sys.tier2).acceptQuote(q.quote, q.signature)).to.emit(sys.financing, "QuoteAccepted");
    });

    it("reverts unless the minimum rises", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      await sys.financing.connect(sys.bankA).invalidateNonces(10n);
      await expect(sys.financing.connect(sys.bankA).invalidateNonces(10n))
        .to.be.revertedWithCustomError(sys.financing, "FinancingNonceNotIncreasing")
        .withArgs(sys.bankA.address, 10n, 10n);
    });
  });

  describe("hashQuote", function () {
    it("is the EIP-712 digest a wallet signs, in the domain the server signs for", async function () {
      const sys = await loadFixture(tier2HoldsFixture);
      const quote = await makeQuote(sys, { receivableId: sys.id, holder: sys.tier2, financier: sys.bankB, amount: sys.face, mode: FinancingMode.Pledge, nonce: 99n });
      const { chainId } = await ethers.provider.getNetwork();
      const digest = quoteDigest(chainId, await sys.financing.getAddress(), quote);
      expect(await sys.financing.hashQuote(quote)).to.equal(digest);
      const signature = await signQuote(sys.financing, sys.bankB, quote);
      expect(ethers.recoverAddress(digest, signature)).to.equal(sys.bankB.address);
    });
  });

  describe("views", function () {
    it("name the ledger and the vault", async function () {
      const sys = await loadFixture(deploySystemFixture);
      expect(await sys.financing.ledger()).to.equal(await sys.ledger.getAddress());
      expect(await sys.financing.vault()).to.equal(await sys.vault.getAddress());
      expect(await sys.ledger.hasRole(await sys.ledger.FINANCING_ROLE(), await sys.financing.getAddress())).to.equal(true);
    });
  });
});
