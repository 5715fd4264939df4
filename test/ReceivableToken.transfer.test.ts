// Split, offers (signing for receipt), acceptance, rejection, cancellation and expiry, and the ERC-721 /
// ERC-3525 entry points that make offers.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  childId,
  DAY,
  deployRootFixture,
  FLAG,
  bindStandIns,
  offer,
  OfferEnd,
  TEST_PARAMETERS,
  transfer,
} from "./fixtures/system";

const WINDOW = BigInt(TEST_PARAMETERS.defaultOfferWindow);
const MIN = TEST_PARAMETERS.minPartAmount;

describe("ReceivableToken: split and transfer", () => {
  describe("split", () => {
    it("cuts a child off the receivable, kept by the holder, with its lineage", async () => {
      const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
      const child = childId(rootId, 1);
      const tx = ledger.connect(tier1).split(rootId, 4_000n);
      await expect(tx).to.emit(ledger, "ReceivableSplit").withArgs(rootId, child, tier1.address, 4_000n, 6_000n);
      await expect(tx).to.emit(ledger, "Transfer").withArgs(ethers.ZeroAddress, tier1.address, child);
      await expect(tx).to.emit(ledger, "SlotChanged").withArgs(child, 0n, rootId);
      await expect(tx).to.emit(ledger, "TransferValue").withArgs(rootId, child, 4_000n);
      const r = await ledger.receivableOf(child);
      expect([r.holder, r.amount, r.rootId, r.parentId, r.depth, r.flags]).to.deep.equal([tier1.address, 4_000n, rootId, rootId, 1n, 0n]);
      expect((await ledger.receivableOf(rootId)).amount).to.equal(6_000n);
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(2n);
      expect(await ledger.childCountOf(rootId)).to.equal(1n);
      expect(await ledger.slotOf(child)).to.equal(rootId);
    });

    it("lets an operator approved for all split", async () => {
      const { ledger, tier1, relayer, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(tier1).setApprovalForAll(relayer.address, true);
      await expect(ledger.connect(relayer).split(rootId, 1_000n))
        .to.emit(ledger, "ReceivableSplit")
        .withArgs(rootId, childId(rootId, 1), tier1.address, 1_000n, 9_000n);
    });

    describe("when the receivable does not exist", () => {
      it("reverts with ReceivableNonexistent", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).split(rootId + 5n, 1_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivableNonexistent")
          .withArgs(rootId + 5n);
      });
    });

    describe("when the caller is neither holder nor approved", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const { ledger, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier2).split(rootId, 1_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(tier2.address, rootId);
      });
    });

    describe("when the amount is wrong", () => {
      it("rejects zero", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).split(rootId, 0n)).to.be.revertedWithCustomError(ledger, "ReceivableZeroAmount");
      });

      it("rejects more than the receivable holds", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).split(rootId, 10_001n))
          .to.be.revertedWithCustomError(ledger, "ReceivableInsufficientAmount")
          .withArgs(rootId, 10_000n, 10_001n);
      });

      it("rejects the whole amount: the parent would be left empty", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).split(rootId, 10_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivablePartTooSmall")
          .withArgs(0n, MIN);
      });
    });

    describe("when a part would be dust", () => {
      it("rejects a part below the minimum", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).split(rootId, MIN - 1n))
          .to.be.revertedWithCustomError(ledger, "ReceivablePartTooSmall")
          .withArgs(MIN - 1n, MIN);
      });

      it("rejects a remainder below the minimum", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).split(rootId, 10_000n - MIN + 1n))
          .to.be.revertedWithCustomError(ledger, "ReceivablePartTooSmall")
          .withArgs(MIN - 1n, MIN);
      });

      it("accepts parts of exactly the minimum", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).split(rootId, MIN))
          .to.emit(ledger, "ReceivableSplit")
          .withArgs(rootId, childId(rootId, 1), tier1.address, MIN, 10_000n - MIN);
      });
    });

    describe("when the lineage would be too deep", () => {
      it("splits down to the maximum depth and no further", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        let id = rootId;
        let amount = 10_000n;
        for (let depth = 1; depth <= TEST_PARAMETERS.maxDepth; depth++) {
          amount /= 2n;
          await ledger.connect(tier1).split(id, amount);
          id = childId(rootId, depth);
          expect((await ledger.receivableOf(id)).depth).to.equal(BigInt(depth));
        }
        await expect(ledger.connect(tier1).split(id, amount / 2n))
          .to.be.revertedWithCustomError(ledger, "ReceivableTooDeep")
          .withArgs(id, TEST_PARAMETERS.maxDepth);
      });
    });

    describe("when the holder is suspended", () => {
      it("reverts with RegistryOrganisationSuspended", async () => {
        const { ledger, operator, tier1, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(operator).suspendOrganisation(tier1.address);
        await expect(ledger.connect(tier1).split(rootId, 1_000n))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(tier1.address);
      });
    });

    describe("when the receivable is locked", () => {
      it("rejects a pledged receivable", async () => {
        const { ledger, tier1, bankA, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).pledge(rootId, bankA.address);
        await expect(ledger.connect(tier1).split(rootId, 1_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsPledged")
          .withArgs(rootId, bankA.address);
      });

      it("rejects an offered receivable", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0);
        await expect(ledger.connect(tier1).split(rootId, 1_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsOffered")
          .withArgs(rootId, tier2.address);
      });
    });

    describe("when the tree is frozen, overdue or matured", () => {
      it("rejects a frozen tree", async () => {
        const { ledger, core, tier1, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
        await expect(ledger.connect(tier1).split(rootId, 1_000n)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      });

      it("rejects an overdue tree", async () => {
        const f = await loadFixture(deployRootFixture);
        await bindStandIns(f, f.relayer, f.admin);
        await f.ledger.connect(f.admin).markOverdue(f.rootId);
        await expect(f.ledger.connect(f.tier1).split(f.rootId, 1_000n))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableOverdue")
          .withArgs(f.rootId);
      });

      it("rejects a matured receivable", async () => {
        const { ledger, tier1, rootId, invoice } = await loadFixture(deployRootFixture);
        await time.increaseTo(invoice.maturity);
        await expect(ledger.connect(tier1).split(rootId, 1_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivableMatured")
          .withArgs(rootId, invoice.maturity);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, operator, tier1, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(tier1).split(rootId, 1_000n)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });
  });

  describe("offerTransfer", () => {
    describe("when offering the whole receivable", () => {
      it("puts the token itself in escrow for the receiver until the default deadline", async () => {
        const { ledger, tier1, tier2, rootId, ledgerAddress } = await loadFixture(deployRootFixture);
        const now = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(now);
        const tx = ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0);
        await expect(tx).to.emit(ledger, "TransferOffered").withArgs(rootId, tier1.address, tier2.address, now + WINDOW);
        await expect(tx).to.emit(ledger, "Transfer").withArgs(tier1.address, ledgerAddress, rootId);
        expect(await ledger.ownerOf(rootId)).to.equal(ledgerAddress);
        const r = await ledger.receivableOf(rootId);
        expect([r.holder, r.flags, r.counterparty, r.offerDeadline]).to.deep.equal([tier1.address, BigInt(FLAG.OFFERED), tier2.address, now + WINDOW]);
        expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(0n);
        expect(await ledger["balanceOf(address)"](ledgerAddress)).to.equal(0n);
      });

      it("uses an explicit deadline", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        const deadline = BigInt(await time.latest()) + 3n * DAY;
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, deadline))
          .to.emit(ledger, "TransferOffered")
          .withArgs(rootId, tier1.address, tier2.address, deadline);
      });

      it("leaves the receiver's standing to the acceptance: an unregistered receiver can never accept", async () => {
        const { ledger, tier1, outsider, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).offerTransfer(rootId, outsider.address, 10_000n, 0))
          .to.emit(ledger, "TransferOffered")
          .withArgs(rootId, tier1.address, outsider.address, anyDeadline());
        await expect(ledger.connect(outsider).acceptOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationNotRegistered")
          .withArgs(outsider.address);
      });

      it("leaves the tree's state to the acceptance: a frozen tree's offer cannot be accepted", async () => {
        const { ledger, core, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0)).to.emit(ledger, "TransferOffered");
        await expect(ledger.connect(tier2).acceptOffer(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      });
    });

    describe("when offering a part", () => {
      it("splits a child off and puts the child in escrow", async () => {
        const { ledger, tier1, tier2, rootId, ledgerAddress } = await loadFixture(deployRootFixture);
        const child = childId(rootId, 1);
        const tx = ledger.connect(tier1).offerTransfer(rootId, tier2.address, 3_000n, 0);
        await expect(tx).to.emit(ledger, "ReceivableSplit").withArgs(rootId, child, tier1.address, 3_000n, 7_000n);
        await expect(tx).to.emit(ledger, "Transfer").withArgs(ethers.ZeroAddress, ledgerAddress, child);
        await expect(tx).to.emit(ledger, "TransferOffered").withArgs(child, tier1.address, tier2.address, anyDeadline());
        expect(await ledger.ownerOf(child)).to.equal(ledgerAddress);
        expect(await ledger.ownerOf(rootId)).to.equal(tier1.address);
        expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(1n);
        const r = await ledger.receivableOf(child);
        expect([r.holder, r.amount, r.parentId, r.depth, r.flags, r.counterparty]).to.deep.equal([
          tier1.address,
          3_000n,
          rootId,
          1n,
          BigInt(FLAG.OFFERED),
          tier2.address,
        ]);
      });

      it("checks the tree at once", async () => {
        const { ledger, core, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 3_000n, 0))
          .to.be.revertedWithCustomError(ledger, "ReceivableFrozen")
          .withArgs(rootId);
      });
    });

    describe("when the receiver is the sender, nobody or the ledger", () => {
      it("rejects an offer to oneself", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier1.address, 10_000n, 0))
          .to.be.revertedWithCustomError(ledger, "ReceivableSelfTransfer")
          .withArgs(rootId, tier1.address);
      });

      it("rejects the zero address and the ledger", async () => {
        const { ledger, tier1, rootId, ledgerAddress } = await loadFixture(deployRootFixture);
        for (const to of [ethers.ZeroAddress, ledgerAddress]) {
          await expect(ledger.connect(tier1).offerTransfer(rootId, to, 10_000n, 0))
            .to.be.revertedWithCustomError(ledger, "RegistryOrganisationNotRegistered")
            .withArgs(to);
        }
      });
    });

    describe("when the caller is neither holder nor approved", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const { ledger, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier2).offerTransfer(rootId, tier2.address, 10_000n, 0))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(tier2.address, rootId);
      });
    });

    describe("when the deadline is invalid", () => {
      it("rejects a deadline that has passed", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        const now = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(now);
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, now))
          .to.be.revertedWithCustomError(ledger, "ReceivableInvalidDeadline")
          .withArgs(now);
      });

      it("rejects a deadline beyond 32 bits", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 2n ** 32n))
          .to.be.revertedWithCustomError(ledger, "ReceivableInvalidDeadline")
          .withArgs(2n ** 32n);
      });
    });

    describe("when the receivable is already offered or pledged", () => {
      it("rejects a second offer", async () => {
        const { ledger, tier1, tier2, tier3, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0);
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier3.address, 10_000n, 0))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsOffered")
          .withArgs(rootId, tier2.address);
      });

      it("rejects a pledged receivable", async () => {
        const { ledger, tier1, tier2, bankA, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).pledge(rootId, bankA.address);
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsPledged")
          .withArgs(rootId, bankA.address);
      });
    });

    describe("when the sender is suspended", () => {
      it("reverts with RegistryOrganisationSuspended", async () => {
        const { ledger, operator, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(operator).suspendOrganisation(tier1.address);
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(tier1.address);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, operator, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0)).to.be.revertedWithCustomError(
          ledger,
          "EnforcedPause",
        );
      });
    });
  });

  describe("acceptOffer", () => {
    it("moves a whole receivable to the receiver", async () => {
      const { ledger, tier1, tier2, rootId, ledgerAddress } = await loadFixture(deployRootFixture);
      await offer(ledger, rootId, tier1, tier2.address, 10_000n);
      const tx = ledger.connect(tier2).acceptOffer(rootId);
      await expect(tx).to.emit(ledger, "OfferAccepted").withArgs(rootId, tier1.address, tier2.address);
      await expect(tx).to.emit(ledger, "Transfer").withArgs(ledgerAddress, tier2.address, rootId);
      expect(await ledger.ownerOf(rootId)).to.equal(tier2.address);
      const r = await ledger.receivableOf(rootId);
      expect([r.holder, r.amount, r.flags, r.counterparty]).to.deep.equal([tier2.address, 10_000n, 0n, ethers.ZeroAddress]);
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(0n);
      expect(await ledger["balanceOf(address)"](tier2.address)).to.equal(1n);
    });

    it("moves an offered part to the receiver; the sender keeps the rest", async () => {
      const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
      const child = await offer(ledger, rootId, tier1, tier2.address, 2_500n);
      await expect(ledger.connect(tier2).acceptOffer(child)).to.emit(ledger, "OfferAccepted").withArgs(child, tier1.address, tier2.address);
      expect((await ledger.receivableOf(child)).holder).to.equal(tier2.address);
      expect((await ledger.receivableOf(rootId)).amount).to.equal(7_500n);
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(1n);
      expect(await ledger["balanceOf(address)"](tier2.address)).to.equal(1n);
    });

    it("leaves the sender unable to move what it gave away", async () => {
      const { ledger, tier1, tier2, tier3, rootId } = await loadFixture(deployRootFixture);
      await transfer(ledger, rootId, tier1, tier2, 10_000n);
      await expect(ledger.connect(tier1).offerTransfer(rootId, tier3.address, 10_000n, 0))
        .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
        .withArgs(tier1.address, rootId);
      await expect(ledger.connect(tier2).acceptOffer(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableNotOffered").withArgs(rootId);
    });

    it("lets the new holder pass the receivable on", async () => {
      const { ledger, tier1, tier2, tier3, rootId } = await loadFixture(deployRootFixture);
      await transfer(ledger, rootId, tier1, tier2, 10_000n);
      await transfer(ledger, rootId, tier2, tier3, 10_000n);
      expect(await ledger.ownerOf(rootId)).to.equal(tier3.address);
      await transfer(ledger, rootId, tier3, tier1, 10_000n);
      expect(await ledger.ownerOf(rootId)).to.equal(tier1.address);
    });

    describe("when nothing is offered", () => {
      it("reverts with ReceivableNotOffered", async () => {
        const { ledger, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier2).acceptOffer(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableNotOffered").withArgs(rootId);
      });
    });

    describe("when the caller is not the receiver", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const { ledger, tier1, tier2, tier3, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await expect(ledger.connect(tier3).acceptOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(tier3.address, rootId);
      });
    });

    describe("when the offer has expired", () => {
      it("reverts with ReceivableOfferExpired", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        const deadline = BigInt(await time.latest()) + DAY;
        await offer(ledger, rootId, tier1, tier2.address, 10_000n, deadline);
        await time.increaseTo(deadline + 1n);
        await expect(ledger.connect(tier2).acceptOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableOfferExpired")
          .withArgs(rootId, deadline);
      });

      it("still accepts at the deadline itself", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        const deadline = BigInt(await time.latest()) + DAY;
        await offer(ledger, rootId, tier1, tier2.address, 10_000n, deadline);
        await time.setNextBlockTimestamp(deadline);
        await expect(ledger.connect(tier2).acceptOffer(rootId)).to.emit(ledger, "OfferAccepted").withArgs(rootId, tier1.address, tier2.address);
      });
    });

    describe("when a party is suspended", () => {
      it("rejects a suspended receiver", async () => {
        const { ledger, operator, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await ledger.connect(operator).suspendOrganisation(tier2.address);
        await expect(ledger.connect(tier2).acceptOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(tier2.address);
      });

      it("rejects an offer from a sender suspended since", async () => {
        const { ledger, operator, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await ledger.connect(operator).suspendOrganisation(tier1.address);
        await expect(ledger.connect(tier2).acceptOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(tier1.address);
      });
    });

    describe("when the tree is frozen, overdue or matured since the offer", () => {
      it("rejects a frozen tree", async () => {
        const { ledger, core, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        const child = await offer(ledger, rootId, tier1, tier2.address, 1_000n);
        await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
        await expect(ledger.connect(tier2).acceptOffer(child)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      });

      it("rejects an overdue tree", async () => {
        const f = await loadFixture(deployRootFixture);
        await offer(f.ledger, f.rootId, f.tier1, f.tier2.address, 10_000n);
        await bindStandIns(f, f.relayer, f.admin);
        await f.ledger.connect(f.admin).markOverdue(f.rootId);
        await expect(f.ledger.connect(f.tier2).acceptOffer(f.rootId))
          .to.be.revertedWithCustomError(f.ledger, "ReceivableOverdue")
          .withArgs(f.rootId);
      });

      it("rejects acceptance after maturity: the offer can only go back", async () => {
        const { ledger, tier1, tier2, rootId, invoice } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n, invoice.maturity + DAY);
        await time.increaseTo(invoice.maturity);
        await expect(ledger.connect(tier2).acceptOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableMatured")
          .withArgs(rootId, invoice.maturity);
        await expect(ledger.connect(tier2).rejectOffer(rootId))
          .to.emit(ledger, "OfferEnded")
          .withArgs(rootId, tier1.address, tier2.address, OfferEnd.Rejected);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, operator, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(tier2).acceptOffer(rootId)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });
  });

  describe("rejectOffer", () => {
    it("returns the receivable to its sender", async () => {
      const { ledger, tier1, tier2, rootId, ledgerAddress } = await loadFixture(deployRootFixture);
      await offer(ledger, rootId, tier1, tier2.address, 10_000n);
      const tx = ledger.connect(tier2).rejectOffer(rootId);
      await expect(tx).to.emit(ledger, "OfferEnded").withArgs(rootId, tier1.address, tier2.address, OfferEnd.Rejected);
      await expect(tx).to.emit(ledger, "Transfer").withArgs(ledgerAddress, tier1.address, rootId);
      expect(await ledger.ownerOf(rootId)).to.equal(tier1.address);
      const r = await ledger.receivableOf(rootId);
      expect([r.holder, r.flags, r.counterparty, r.offerDeadline]).to.deep.equal([tier1.address, 0n, ethers.ZeroAddress, 0n]);
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(1n);
      expect(await ledger["balanceOf(address)"](tier2.address)).to.equal(0n);
    });

    it("leaves a rejected part as the sender's own child (parts are not merged back)", async () => {
      const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
      const child = await offer(ledger, rootId, tier1, tier2.address, 4_000n);
      await ledger.connect(tier2).rejectOffer(child);
      expect(await ledger.ownerOf(child)).to.equal(tier1.address);
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(2n);
      await expect(ledger.connect(tier1).split(child, 1_000n))
        .to.emit(ledger, "ReceivableSplit")
        .withArgs(child, childId(rootId, 2), tier1.address, 1_000n, 3_000n);
    });

    describe("when the caller is not the receiver", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await expect(ledger.connect(tier1).rejectOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(tier1.address, rootId);
      });
    });

    describe("when nothing is offered", () => {
      it("reverts with ReceivableNotOffered, also once accepted", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier2).rejectOffer(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableNotOffered").withArgs(rootId);
        await transfer(ledger, rootId, tier1, tier2, 10_000n);
        await expect(ledger.connect(tier2).rejectOffer(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableNotOffered").withArgs(rootId);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, operator, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(tier2).rejectOffer(rootId)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });
  });

  describe("cancelOffer", () => {
    it("returns the receivable to its sender", async () => {
      const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
      await offer(ledger, rootId, tier1, tier2.address, 10_000n);
      await expect(ledger.connect(tier1).cancelOffer(rootId))
        .to.emit(ledger, "OfferEnded")
        .withArgs(rootId, tier1.address, tier2.address, OfferEnd.Cancelled);
      expect(await ledger.ownerOf(rootId)).to.equal(tier1.address);
    });

    it("works on a frozen tree: returning moves no claim", async () => {
      const { ledger, core, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
      const child = await offer(ledger, rootId, tier1, tier2.address, 1_000n);
      await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
      await expect(ledger.connect(tier1).cancelOffer(child))
        .to.emit(ledger, "OfferEnded")
        .withArgs(child, tier1.address, tier2.address, OfferEnd.Cancelled);
    });

    describe("when the caller is not the sender", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await expect(ledger.connect(tier2).cancelOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(tier2.address, rootId);
      });
    });

    describe("when nothing is offered", () => {
      it("reverts with ReceivableNotOffered", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).cancelOffer(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableNotOffered").withArgs(rootId);
      });
    });
  });

  describe("reclaimExpiredOffer", () => {
    it("lets anyone return an expired offer to its sender", async () => {
      const { ledger, tier1, tier2, outsider, rootId } = await loadFixture(deployRootFixture);
      const deadline = BigInt(await time.latest()) + DAY;
      await offer(ledger, rootId, tier1, tier2.address, 10_000n, deadline);
      await time.increaseTo(deadline + 1n);
      await expect(ledger.connect(outsider).reclaimExpiredOffer(rootId))
        .to.emit(ledger, "OfferEnded")
        .withArgs(rootId, tier1.address, tier2.address, OfferEnd.Expired);
      expect(await ledger.ownerOf(rootId)).to.equal(tier1.address);
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(1n);
    });

    describe("when the offer is still open", () => {
      it("reverts with ReceivableOfferNotExpired", async () => {
        const { ledger, tier1, tier2, outsider, rootId } = await loadFixture(deployRootFixture);
        const deadline = BigInt(await time.latest()) + DAY;
        await offer(ledger, rootId, tier1, tier2.address, 10_000n, deadline);
        await time.setNextBlockTimestamp(deadline);
        await expect(ledger.connect(outsider).reclaimExpiredOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableOfferNotExpired")
          .withArgs(rootId, deadline);
      });
    });

    describe("when nothing is offered", () => {
      it("reverts with ReceivableNotOffered", async () => {
        const { ledger, outsider, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(outsider).reclaimExpiredOffer(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableNotOffered")
          .withArgs(rootId);
      });
    });
  });

  describe("ERC-721 transferFrom and safeTransferFrom", () => {
    it("offers the whole receivable with the default window", async () => {
      const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(tier1)["transferFrom(address,address,uint256)"](tier1.address, tier2.address, rootId))
        .to.emit(ledger, "TransferOffered")
        .withArgs(rootId, tier1.address, tier2.address, anyDeadline());
      expect((await ledger.receivableOf(rootId)).counterparty).to.equal(tier2.address);
    });

    it("offers through both safeTransferFrom overloads", async () => {
      const { ledger, tier1, tier2, tier3, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(tier1).split(rootId, 1_000n);
      await expect(ledger.connect(tier1)["safeTransferFrom(address,address,uint256)"](tier1.address, tier2.address, rootId))
        .to.emit(ledger, "TransferOffered")
        .withArgs(rootId, tier1.address, tier2.address, anyDeadline());
      const child = childId(rootId, 1);
      await expect(ledger.connect(tier1)["safeTransferFrom(address,address,uint256,bytes)"](tier1.address, tier3.address, child, "0x"))
        .to.emit(ledger, "TransferOffered")
        .withArgs(child, tier1.address, tier3.address, anyDeadline());
    });

    describe("when `from` is not the holder", () => {
      it("reverts with ERC721IncorrectOwner", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1)["transferFrom(address,address,uint256)"](tier2.address, tier2.address, rootId))
          .to.be.revertedWithCustomError(ledger, "ERC721IncorrectOwner")
          .withArgs(tier2.address, rootId, tier1.address);
      });
    });

    describe("when the token does not exist", () => {
      it("reverts with ERC721NonexistentToken", async () => {
        const { ledger, tier1, tier2 } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1)["transferFrom(address,address,uint256)"](tier1.address, tier2.address, 42n))
          .to.be.revertedWithCustomError(ledger, "ERC721NonexistentToken")
          .withArgs(42n);
        await expect(ledger.ownerOf(42n)).to.be.revertedWithCustomError(ledger, "ERC721NonexistentToken").withArgs(42n);
      });
    });
  });

  describe("ERC-721 approve, getApproved, setApprovalForAll", () => {
    it("lets the approved address offer the token, and the offer clears the approval", async () => {
      const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(tier1)["approve(address,uint256)"](relayer.address, rootId)).to.emit(ledger, "Approval").withArgs(tier1.address, relayer.address, rootId);
      expect(await ledger.getApproved(rootId)).to.equal(relayer.address);
      await expect(ledger.connect(relayer)["transferFrom(address,address,uint256)"](tier1.address, tier2.address, rootId))
        .to.emit(ledger, "TransferOffered")
        .withArgs(rootId, tier1.address, tier2.address, anyDeadline());
      expect(await ledger.getApproved(rootId)).to.equal(ethers.ZeroAddress);
      await ledger.connect(tier2).rejectOffer(rootId);
      expect(await ledger.getApproved(rootId)).to.equal(ethers.ZeroAddress);
      await expect(ledger.connect(relayer).split(rootId, 1_000n))
        .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
        .withArgs(relayer.address, rootId);
    });

    it("clears the approval when the token changes holder", async () => {
      const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(tier1)["approve(address,uint256)"](relayer.address, rootId);
      await transfer(ledger, rootId, tier1, tier2, 10_000n);
      expect(await ledger.getApproved(rootId)).to.equal(ethers.ZeroAddress);
    });

    it("lets an operator approved for all approve and act; revoking stops it", async () => {
      const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(tier1).setApprovalForAll(relayer.address, true))
        .to.emit(ledger, "ApprovalForAll")
        .withArgs(tier1.address, relayer.address, true);
      expect(await ledger.isApprovedForAll(tier1.address, relayer.address)).to.equal(true);
      await expect(ledger.connect(relayer)["approve(address,uint256)"](tier2.address, rootId)).to.emit(ledger, "Approval").withArgs(tier1.address, tier2.address, rootId);
      await ledger.connect(tier1).setApprovalForAll(relayer.address, false);
      await expect(ledger.connect(relayer).split(rootId, 1_000n))
        .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
        .withArgs(relayer.address, rootId);
    });

    describe("when the caller may not approve", () => {
      it("reverts with ERC721InvalidApprover", async () => {
        const { ledger, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier2)["approve(address,uint256)"](tier2.address, rootId))
          .to.be.revertedWithCustomError(ledger, "ERC721InvalidApprover")
          .withArgs(tier2.address);
      });
    });

    describe("when the token is offered or pledged", () => {
      it("rejects approving an offered token", async () => {
        const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await expect(ledger.connect(tier1)["approve(address,uint256)"](relayer.address, rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsOffered")
          .withArgs(rootId, tier2.address);
      });

      it("rejects approving a pledged token", async () => {
        const { ledger, tier1, bankA, relayer, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).pledge(rootId, bankA.address);
        await expect(ledger.connect(tier1)["approve(address,uint256)"](relayer.address, rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsPledged")
          .withArgs(rootId, bankA.address);
        expect(await ledger.getApproved(rootId)).to.equal(ethers.ZeroAddress);
      });
    });

    describe("when the operator is the zero address", () => {
      it("reverts with ERC721InvalidOperator", async () => {
        const { ledger, tier1 } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).setApprovalForAll(ethers.ZeroAddress, true))
          .to.be.revertedWithCustomError(ledger, "ERC721InvalidOperator")
          .withArgs(ethers.ZeroAddress);
      });
    });

    describe("balanceOf(address)", () => {
      it("rejects the zero address", async () => {
        const { ledger } = await loadFixture(deployRootFixture);
        await expect(ledger["balanceOf(address)"](ethers.ZeroAddress))
          .to.be.revertedWithCustomError(ledger, "ERC721InvalidOwner")
          .withArgs(ethers.ZeroAddress);
      });
    });
  });

  describe("ERC-3525 value approvals and transfers", () => {
    it("lets an operator offer up to its value allowance, spending it", async () => {
      const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, relayer.address, 3_000n))
        .to.emit(ledger, "ApprovalValue")
        .withArgs(rootId, relayer.address, 3_000n);
      expect(await ledger.allowance(rootId, relayer.address)).to.equal(3_000n);
      const child = childId(rootId, 1);
      await expect(ledger.connect(relayer)["transferFrom(uint256,address,uint256)"](rootId, tier2.address, 2_000n))
        .to.emit(ledger, "TransferOffered")
        .withArgs(child, tier1.address, tier2.address, anyDeadline());
      expect(await ledger.allowance(rootId, relayer.address)).to.equal(1_000n);
      await expect(ledger.connect(relayer)["transferFrom(uint256,address,uint256)"](rootId, tier2.address, 1_001n))
        .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
        .withArgs(relayer.address, rootId);
    });

    it("voids value allowances once the whole token is offered", async () => {
      const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, relayer.address, 3_000n);
      await offer(ledger, rootId, tier1, tier2.address, 10_000n);
      expect(await ledger.allowance(rootId, relayer.address)).to.equal(0n);
      await ledger.connect(tier2).rejectOffer(rootId);
      expect(await ledger.allowance(rootId, relayer.address)).to.equal(0n);
    });

    it("refuses value approvals during an open offer, so none can bind the receiver after acceptance", async () => {
      const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
      await offer(ledger, rootId, tier1, tier2.address, 10_000n);
      await expect(ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, relayer.address, 3_000n))
        .to.be.revertedWithCustomError(ledger, "ReceivableIsOffered")
        .withArgs(rootId, tier2.address);
      await ledger.connect(tier2).acceptOffer(rootId);
      expect(await ledger.allowance(rootId, relayer.address)).to.equal(0n);
      await expect(ledger.connect(relayer)["transferFrom(uint256,address,uint256)"](rootId, tier1.address, 1_000n))
        .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
        .withArgs(relayer.address, rootId);
    });

    it("keeps an unlimited allowance", async () => {
      const { ledger, tier1, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, relayer.address, ethers.MaxUint256);
      await ledger.connect(relayer)["transferFrom(uint256,address,uint256)"](rootId, tier2.address, 2_000n);
      expect(await ledger.allowance(rootId, relayer.address)).to.equal(ethers.MaxUint256);
    });

    describe("when the approval that let its grantor act is revoked (audit item 9a / F5)", () => {
      it("fails the spender of an allowance granted by a revoked ERC-721 approved address with ReceivableUnauthorized", async () => {
        const { ledger, tier1, tier2, bankA, relayer, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1)["approve(address,uint256)"](bankA.address, rootId);
        await ledger.connect(bankA)["approve(uint256,address,uint256)"](rootId, relayer.address, 3_000n);
        expect(await ledger.allowance(rootId, relayer.address)).to.equal(3_000n);
        // The wallet user revokes bank A's approval: what bank A granted goes with it.
        await ledger.connect(tier1)["approve(address,uint256)"](ethers.ZeroAddress, rootId);
        expect(await ledger.allowance(rootId, relayer.address)).to.equal(0n);
        await expect(ledger.connect(relayer)["transferFrom(uint256,address,uint256)"](rootId, tier2.address, 1_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(relayer.address, rootId);
      });

      it("lapses an allowance granted by an operator whose setApprovalForAll was revoked", async () => {
        const { ledger, tier1, tier2, bankA, relayer, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).setApprovalForAll(bankA.address, true);
        await ledger.connect(bankA)["approve(uint256,address,uint256)"](rootId, relayer.address, 3_000n);
        await ledger.connect(tier1).setApprovalForAll(bankA.address, false);
        expect(await ledger.allowance(rootId, relayer.address)).to.equal(0n);
        await expect(ledger.connect(relayer)["transferFrom(uint256,address,uint256)"](rootId, tier2.address, 1_000n))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(relayer.address, rootId);
        // Granting the approval back brings back what was granted under it (the grant names its grantor).
        await ledger.connect(tier1).setApprovalForAll(bankA.address, true);
        expect(await ledger.allowance(rootId, relayer.address)).to.equal(3_000n);
      });

      it("keeps an allowance the holder granted itself", async () => {
        const { ledger, tier1, bankA, relayer, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, relayer.address, 3_000n);
        await ledger.connect(tier1)["approve(address,uint256)"](bankA.address, rootId);
        await ledger.connect(tier1)["approve(address,uint256)"](ethers.ZeroAddress, rootId);
        expect(await ledger.allowance(rootId, relayer.address)).to.equal(3_000n);
      });
    });

    it("refuses to merge into another token", async () => {
      const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(tier1)["transferFrom(uint256,uint256,uint256)"](rootId, rootId + 1n, 1n))
        .to.be.revertedWithCustomError(ledger, "ReceivableMergeUnsupported")
        .withArgs(rootId, rootId + 1n);
    });

    it("reports values without decimals", async () => {
      const { ledger } = await loadFixture(deployRootFixture);
      expect(await ledger.valueDecimals()).to.equal(0n);
    });

    describe("when the approval is invalid", () => {
      it("rejects the holder as its own operator", async () => {
        const { ledger, tier1, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, tier1.address, 1n))
          .to.be.revertedWithCustomError(ledger, "ERC721InvalidOperator")
          .withArgs(tier1.address);
      });

      it("rejects an approver without rights", async () => {
        const { ledger, tier2, relayer, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier2)["approve(uint256,address,uint256)"](rootId, relayer.address, 1n))
          .to.be.revertedWithCustomError(ledger, "ERC721InvalidApprover")
          .withArgs(tier2.address);
      });

      it("rejects ether", async () => {
        const { ledger, tier1, relayer, rootId } = await loadFixture(deployRootFixture);
        await expect(
          ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, relayer.address, 1n, { value: 1n }),
        ).to.be.revertedWithCustomError(ledger, "ReceivableInvalidParameters");
      });
    });
  });
});

/** Matches any deadline argument (the default window is checked where the block time is pinned). */
function anyDeadline() {
  return (value: bigint) => value > 0n;
}
