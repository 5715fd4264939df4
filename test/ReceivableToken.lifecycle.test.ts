// Pledge lock, pause, parameters, ERC-165 and the hooks the financing and settlement
// contracts call (a test signer holds FINANCING_ROLE / SETTLEMENT_ROLE here).
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { childId, ISSUANCE_LIMIT, deployRootFixture, FLAG, bindStandIns, makeInvoice, offer, OrganisationRole, transfer, type RootFixture } from "./fixtures/system";

async function financingFixture() {
  const f = await deployRootFixture();
  await bindStandIns(f, f.relayer, f.extra);
  return { ...f, financing: f.relayer, settlement: f.extra };
}

describe("ReceivableToken: lifecycle", () => {
  describe("pledge", () => {
    it("locks the receivable for a financier; the holder keeps it", async () => {
      const { ledger, tier1, bankA, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(tier1).pledge(rootId, bankA.address))
        .to.emit(ledger, "ReceivablePledged")
        .withArgs(rootId, tier1.address, bankA.address);
      const r = await ledger.receivableOf(rootId);
      expect([r.holder, r.flags, r.counterparty]).to.deep.equal([tier1.address, BigInt(FLAG.PLEDGED), bankA.address]);
      expect(await ledger.ownerOf(rootId)).to.equal(tier1.address);
    });

    it("stops every move by the holder: a pledged token never moves", async () => {
      const { ledger, tier1, tier2, bankA, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(tier1).pledge(rootId, bankA.address);
      // Thunks, not promises: each attempt is sent only when awaited, so no rejection goes unhandled.
      for (const attempt of [
        () => ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0),
        () => ledger.connect(tier1).offerTransfer(rootId, tier2.address, 1_000n, 0),
        () => ledger.connect(tier1).split(rootId, 1_000n),
        () => ledger.connect(tier1).pledge(rootId, bankA.address),
      ]) {
        await expect(attempt()).to.be.revertedWithCustomError(ledger, "ReceivableIsPledged").withArgs(rootId, bankA.address);
      }
    });

    describe("when the pledgee is not an active financier", () => {
      it("rejects a supplier", async () => {
        const { ledger, tier1, tier2, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).pledge(rootId, tier2.address))
          .to.be.revertedWithCustomError(ledger, "RegistryWrongRole")
          .withArgs(tier2.address, OrganisationRole.Financier, OrganisationRole.Supplier);
      });

      it("rejects a suspended financier", async () => {
        const { ledger, operator, tier1, bankA, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(operator).suspendOrganisation(bankA.address);
        await expect(ledger.connect(tier1).pledge(rootId, bankA.address))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(bankA.address);
      });
    });

    describe("when the caller is neither holder nor approved", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const { ledger, bankA, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(bankA).pledge(rootId, bankA.address))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(bankA.address, rootId);
      });
    });

    describe("when the receivable is offered", () => {
      it("reverts with ReceivableIsOffered", async () => {
        const { ledger, tier1, tier2, bankA, rootId } = await loadFixture(deployRootFixture);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await expect(ledger.connect(tier1).pledge(rootId, bankA.address))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsOffered")
          .withArgs(rootId, tier2.address);
      });
    });

    describe("when the tree is frozen", () => {
      it("reverts with ReceivableFrozen", async () => {
        const { ledger, core, tier1, bankA, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
        await expect(ledger.connect(tier1).pledge(rootId, bankA.address)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      });
    });
  });

  describe("releasePledge", () => {
    it("lets the pledgee unlock the receivable", async () => {
      const { ledger, tier1, tier2, bankA, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(tier1).pledge(rootId, bankA.address);
      await expect(ledger.connect(bankA).releasePledge(rootId))
        .to.emit(ledger, "PledgeReleased")
        .withArgs(rootId, tier1.address, bankA.address);
      const r = await ledger.receivableOf(rootId);
      expect([r.flags, r.counterparty]).to.deep.equal([0n, ethers.ZeroAddress]);
      await expect(ledger.connect(tier1).offerTransfer(rootId, tier2.address, 10_000n, 0))
        .to.emit(ledger, "TransferOffered")
        .withArgs(rootId, tier1.address, tier2.address, anyValue);
    });

    it("lets the financing and settlement contracts unlock it", async () => {
      const f = await loadFixture(financingFixture);
      for (const caller of [f.financing, f.settlement]) {
        await f.ledger.connect(f.tier1).pledge(f.rootId, f.bankA.address);
        await expect(f.ledger.connect(caller).releasePledge(f.rootId))
          .to.emit(f.ledger, "PledgeReleased")
          .withArgs(f.rootId, f.tier1.address, f.bankA.address);
      }
    });

    describe("when the caller is someone else", () => {
      it("rejects the holder itself", async () => {
        const { ledger, tier1, bankA, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).pledge(rootId, bankA.address);
        await expect(ledger.connect(tier1).releasePledge(rootId))
          .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
          .withArgs(tier1.address, rootId);
      });
    });

    describe("when the receivable is not pledged", () => {
      it("reverts with ReceivableNotPledged", async () => {
        const { ledger, bankA, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(bankA).releasePledge(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableNotPledged").withArgs(rootId);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, operator, tier1, bankA, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(tier1).pledge(rootId, bankA.address);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(bankA).releasePledge(rootId)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });
  });

  describe("pause and unpause", () => {
    it("halts state changes until unpaused", async () => {
      const { ledger, operator, tier1, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(operator).pause()).to.emit(ledger, "Paused").withArgs(operator.address);
      expect(await ledger.paused()).to.equal(true);
      await expect(ledger.connect(tier1).split(rootId, 1_000n)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      await expect(ledger.connect(tier1).setApprovalForAll(operator.address, true)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      await expect(ledger.connect(operator).unpause()).to.emit(ledger, "Unpaused").withArgs(operator.address);
      await expect(ledger.connect(tier1).split(rootId, 1_000n))
        .to.emit(ledger, "ReceivableSplit")
        .withArgs(rootId, childId(rootId, 1), tier1.address, 1_000n, 9_000n);
    });

    it("still lets the operator manage membership while paused", async () => {
      const { ledger, operator, tier2 } = await loadFixture(deployRootFixture);
      await ledger.connect(operator).pause();
      await expect(ledger.connect(operator).suspendOrganisation(tier2.address)).to.emit(ledger, "OrganisationSuspended").withArgs(tier2.address);
    });

    describe("when already in that state", () => {
      it("rejects pausing twice and unpausing when running", async () => {
        const { ledger, operator } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(operator).unpause()).to.be.revertedWithCustomError(ledger, "ExpectedPause");
        await ledger.connect(operator).pause();
        await expect(ledger.connect(operator).pause()).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });

    describe("when the caller is not the operator", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, core } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(core).pause())
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(core.address, await ledger.OPERATOR_ROLE());
      });
    });
  });

  describe("setLedgerParameters", () => {
    it("sets the limits and emits LedgerParametersSet", async () => {
      const { ledger, admin } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(admin).setLedgerParameters(50n, 6, 3600)).to.emit(ledger, "LedgerParametersSet").withArgs(50n, 6, 3600);
      expect(await ledger.ledgerParameters()).to.deep.equal([50n, 6n, 3600n]);
    });

    it("rejects zero limits and a minimum part above uint96", async () => {
      const { ledger, admin } = await loadFixture(deployRootFixture);
      for (const [minPart, depth, window] of [
        [0n, 4, 60],
        [1n, 0, 60],
        [1n, 4, 0],
        [2n ** 96n, 4, 60],
      ] as const) {
        await expect(ledger.connect(admin).setLedgerParameters(minPart, depth, window)).to.be.revertedWithCustomError(
          ledger,
          "ReceivableInvalidParameters",
        );
      }
    });

    describe("when the caller is not the default admin", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, tier1 } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(tier1).setLedgerParameters(1n, 1, 1))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(tier1.address, ethers.ZeroHash);
      });
    });
  });

  describe("supportsInterface", () => {
    it("answers ERC-165, ERC-721, ERC-3525 and AccessControl, and nothing else", async () => {
      const { ledger } = await loadFixture(deployRootFixture);
      for (const id of ["0x01ffc9a7", "0x80ac58cd", "0xd5358140", "0x7965db0b"]) {
        expect(await ledger.supportsInterface(id), id).to.equal(true);
      }
      expect(await ledger.supportsInterface("0xffffffff")).to.equal(false);
      expect(await ledger.supportsInterface("0x5b5e139f")).to.equal(false); // no ERC-721 metadata
    });
  });

  describe("views", () => {
    it("answers ReceivableNonexistent from the ledger's views, ERC721NonexistentToken from the ERC-721/3525 ones", async () => {
      const { ledger, rootId } = await loadFixture(deployRootFixture);
      const unknown = childId(rootId, 7);
      await expect(ledger.receivableOf(unknown)).to.be.revertedWithCustomError(ledger, "ReceivableNonexistent").withArgs(unknown);
      await expect(ledger["balanceOf(uint256)"](unknown)).to.be.revertedWithCustomError(ledger, "ERC721NonexistentToken").withArgs(unknown);
      await expect(ledger.slotOf(unknown)).to.be.revertedWithCustomError(ledger, "ERC721NonexistentToken").withArgs(unknown);
      await expect(ledger.getApproved(unknown)).to.be.revertedWithCustomError(ledger, "ERC721NonexistentToken").withArgs(unknown);
      for (const id of [unknown, rootId + (1n << 32n)]) {
        await expect(ledger.rootOf(id)).to.be.revertedWithCustomError(ledger, "ReceivableNonexistent").withArgs(id);
        await expect(ledger.childCountOf(id)).to.be.revertedWithCustomError(ledger, "ReceivableNonexistent").withArgs(id);
      }
    });

    it("answers zero for unknown invoices and pools", async () => {
      const { ledger, core, invoice } = await loadFixture(deployRootFixture);
      expect(await ledger.rootIdOfInvoice(ethers.id("never confirmed"))).to.equal(0n);
      expect(await ledger.issuedFace(core.address, invoice.currency, invoice.maturity + 1n)).to.equal(0n);
    });
  });

  describe("financePurchase", () => {
    it("buys a part at once: the financier holds a new FINANCED child", async () => {
      const { ledger, financing, tier1, bankA, rootId } = await loadFixture(financingFixture);
      const child = childId(rootId, 1);
      const tx = ledger.connect(financing).financePurchase(rootId, 3_000n, bankA.address);
      await expect(tx).to.emit(ledger, "ReceivableSplit").withArgs(rootId, child, tier1.address, 3_000n, 7_000n);
      await expect(tx).to.emit(ledger, "Transfer").withArgs(ethers.ZeroAddress, bankA.address, child);
      await expect(tx).to.emit(ledger, "ReceivableMoved").withArgs(child, tier1.address, bankA.address);
      await expect(tx).to.emit(ledger, "ReceivableFinanced").withArgs(child, bankA.address);
      const r = await ledger.receivableOf(child);
      expect([r.holder, r.amount, r.flags]).to.deep.equal([bankA.address, 3_000n, BigInt(FLAG.FINANCED)]);
      expect((await ledger.receivableOf(rootId)).flags).to.equal(0n);
      expect(await ledger["balanceOf(address)"](bankA.address)).to.equal(1n);
    });

    it("buys the whole receivable: the token itself moves", async () => {
      const { ledger, financing, tier1, bankA, rootId } = await loadFixture(financingFixture);
      const tx = ledger.connect(financing).financePurchase(rootId, 10_000n, bankA.address);
      await expect(tx).to.emit(ledger, "Transfer").withArgs(tier1.address, bankA.address, rootId);
      await expect(tx).to.emit(ledger, "ReceivableMoved").withArgs(rootId, tier1.address, bankA.address);
      await expect(tx).to.emit(ledger, "ReceivableFinanced").withArgs(rootId, bankA.address);
      expect(await ledger.ownerOf(rootId)).to.equal(bankA.address);
      expect((await ledger.receivableOf(rootId)).flags).to.equal(BigInt(FLAG.FINANCED));
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(0n);
    });

    it("passes FINANCED down to the children of a financed receivable, which cannot be financed again", async () => {
      const { ledger, financing, bankA, bankB, rootId } = await loadFixture(financingFixture);
      await ledger.connect(financing).financePurchase(rootId, 10_000n, bankA.address);
      const child = await transfer(ledger, rootId, bankA, bankB, 2_000n);
      expect((await ledger.receivableOf(child)).flags).to.equal(BigInt(FLAG.FINANCED));
      await expect(ledger.connect(financing).financePurchase(child, 2_000n, bankA.address))
        .to.be.revertedWithCustomError(ledger, "ReceivableAlreadyFinanced")
        .withArgs(child);
    });

    it("clears the seller's approvals when the whole token is sold", async () => {
      const { ledger, financing, tier1, bankA, outsider, rootId } = await loadFixture(financingFixture);
      await ledger.connect(tier1)["approve(address,uint256)"](outsider.address, rootId);
      await ledger.connect(tier1)["approve(uint256,address,uint256)"](rootId, outsider.address, 1_000n);
      await ledger.connect(financing).financePurchase(rootId, 10_000n, bankA.address);
      expect(await ledger.getApproved(rootId)).to.equal(ethers.ZeroAddress);
      expect(await ledger.allowance(rootId, outsider.address)).to.equal(0n);
    });

    describe("when the caller lacks FINANCING_ROLE", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, tier1, bankA, rootId } = await loadFixture(financingFixture);
        await expect(ledger.connect(tier1).financePurchase(rootId, 1_000n, bankA.address))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(tier1.address, await ledger.FINANCING_ROLE());
      });
    });

    describe("when a holder's move would fail", () => {
      it("rejects a non-financier buyer, a pledged or offered token, a frozen tree and a matured one", async () => {
        const f: RootFixture & { financing: typeof f.relayer } = await loadFixture(financingFixture);
        const { ledger, financing, operator, core, tier1, tier2, bankA, bankB, rootId, invoice } = f;
        await expect(ledger.connect(financing).financePurchase(rootId, 1_000n, tier2.address))
          .to.be.revertedWithCustomError(ledger, "RegistryWrongRole")
          .withArgs(tier2.address, OrganisationRole.Financier, OrganisationRole.Supplier);
        await ledger.connect(tier1).pledge(rootId, bankB.address);
        await expect(ledger.connect(financing).financePurchase(rootId, 1_000n, bankA.address))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsPledged")
          .withArgs(rootId, bankB.address);
        await ledger.connect(bankB).releasePledge(rootId);
        await offer(ledger, rootId, tier1, tier2.address, 10_000n);
        await expect(ledger.connect(financing).financePurchase(rootId, 1_000n, bankA.address))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsOffered")
          .withArgs(rootId, tier2.address);
        await ledger.connect(tier1).cancelOffer(rootId);
        await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
        await expect(ledger.connect(financing).financePurchase(rootId, 1_000n, bankA.address))
          .to.be.revertedWithCustomError(ledger, "ReceivableFrozen")
          .withArgs(rootId);
        await ledger.connect(operator).resolveDispute(rootId, false);
        await time.increaseTo(invoice.maturity);
        await expect(ledger.connect(financing).financePurchase(rootId, 1_000n, bankA.address))
          .to.be.revertedWithCustomError(ledger, "ReceivableMatured")
          .withArgs(rootId, invoice.maturity);
      });
    });
  });

  describe("financePledge", () => {
    it("pledges a new FINANCED part to the financier; the holder keeps it", async () => {
      const { ledger, financing, tier1, bankA, rootId } = await loadFixture(financingFixture);
      const child = childId(rootId, 1);
      const tx = ledger.connect(financing).financePledge(rootId, 4_000n, bankA.address);
      await expect(tx).to.emit(ledger, "ReceivableSplit").withArgs(rootId, child, tier1.address, 4_000n, 6_000n);
      await expect(tx).to.emit(ledger, "ReceivablePledged").withArgs(child, tier1.address, bankA.address);
      await expect(tx).to.emit(ledger, "ReceivableFinanced").withArgs(child, tier1.address);
      const r = await ledger.receivableOf(child);
      expect([r.holder, r.flags, r.counterparty]).to.deep.equal([tier1.address, BigInt(FLAG.PLEDGED | FLAG.FINANCED | FLAG.PLEDGE_DEBT), bankA.address]);
    });

    it("pledges the whole receivable; after release it stays FINANCED", async () => {
      const { ledger, financing, tier1, bankA, rootId } = await loadFixture(financingFixture);
      await expect(ledger.connect(financing).financePledge(rootId, 10_000n, bankA.address))
        .to.emit(ledger, "ReceivablePledged")
        .withArgs(rootId, tier1.address, bankA.address);
      await ledger.connect(bankA).releasePledge(rootId);
      expect((await ledger.receivableOf(rootId)).flags).to.equal(BigInt(FLAG.FINANCED));
      await expect(ledger.connect(financing).financePledge(rootId, 10_000n, bankA.address))
        .to.be.revertedWithCustomError(ledger, "ReceivableAlreadyFinanced")
        .withArgs(rootId);
    });

    describe("when the caller lacks FINANCING_ROLE", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, bankA, rootId } = await loadFixture(financingFixture);
        await expect(ledger.connect(bankA).financePledge(rootId, 1_000n, bankA.address))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(bankA.address, await ledger.FINANCING_ROLE());
      });
    });
  });

  describe("burn", () => {
    it("burns a matured receivable, pledged or not, and returns what it was", async () => {
      const { ledger, settlement, tier1, bankA, rootId, invoice } = await loadFixture(financingFixture);
      await ledger.connect(tier1).split(rootId, 4_000n);
      const child = childId(rootId, 1);
      await ledger.connect(tier1).pledge(child, bankA.address);
      await time.increaseTo(invoice.maturity + 1n);
      const burnt = await ledger.connect(settlement).burn.staticCall(child);
      expect([burnt.holder, burnt.amount, burnt.parentId, burnt.flags, burnt.counterparty]).to.deep.equal([
        tier1.address,
        4_000n,
        rootId,
        BigInt(FLAG.PLEDGED),
        bankA.address,
      ]);
      const tx = ledger.connect(settlement).burn(child);
      await expect(tx).to.emit(ledger, "ReceivableBurned").withArgs(child, tier1.address, 4_000n);
      await expect(tx).to.emit(ledger, "Transfer").withArgs(tier1.address, ethers.ZeroAddress, child);
      await expect(tx).to.emit(ledger, "TransferValue").withArgs(child, 0n, 4_000n);
      await expect(ledger.receivableOf(child)).to.be.revertedWithCustomError(ledger, "ReceivableNonexistent").withArgs(child);
      expect(await ledger["balanceOf(address)"](tier1.address)).to.equal(1n);
    });

    describe("when the holder is suspended", () => {
      it("reverts with RegistryOrganisationSuspended", async () => {
        const { ledger, settlement, operator, tier1, rootId } = await loadFixture(financingFixture);
        await ledger.connect(operator).suspendOrganisation(tier1.address);
        await expect(ledger.connect(settlement).burn(rootId))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(tier1.address);
      });
    });

    describe("when the receivable is offered or its tree frozen", () => {
      it("rejects both", async () => {
        const { ledger, settlement, core, tier1, tier2, rootId } = await loadFixture(financingFixture);
        const child = await offer(ledger, rootId, tier1, tier2.address, 1_000n);
        await expect(ledger.connect(settlement).burn(child))
          .to.be.revertedWithCustomError(ledger, "ReceivableIsOffered")
          .withArgs(child, tier2.address);
        await ledger.connect(core).raiseDispute(rootId, ethers.id("evidence"));
        await expect(ledger.connect(settlement).burn(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      });
    });

    describe("when the caller lacks SETTLEMENT_ROLE", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, financing, rootId } = await loadFixture(financingFixture);
        await expect(ledger.connect(financing).burn(rootId))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(financing.address, await ledger.SETTLEMENT_ROLE());
      });
    });
  });

  describe("markOverdue", () => {
    it("marks the whole tree overdue, visible to every holder; nothing moves any more", async () => {
      const { ledger, settlement, tier1, tier2, rootId } = await loadFixture(financingFixture);
      const part = await transfer(ledger, rootId, tier1, tier2, 2_000n);
      await expect(ledger.connect(settlement).markOverdue(rootId)).to.emit(ledger, "RootOverdue").withArgs(rootId);
      expect((await ledger.rootOf(rootId)).overdue).to.equal(true);
      await expect(ledger.connect(tier2).split(part, 500n)).to.be.revertedWithCustomError(ledger, "ReceivableOverdue").withArgs(rootId);
      await expect(ledger.connect(settlement).markOverdue(rootId)).to.be.revertedWithCustomError(ledger, "ReceivableOverdue").withArgs(rootId);
      await expect(ledger.connect(settlement).burn(part)).to.emit(ledger, "ReceivableBurned").withArgs(part, tier2.address, 2_000n);
    });

    describe("when the caller lacks SETTLEMENT_ROLE", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, core, rootId } = await loadFixture(financingFixture);
        await expect(ledger.connect(core).markOverdue(rootId))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(core.address, await ledger.SETTLEMENT_ROLE());
      });
    });
  });

  describe("restoreIssuance", () => {
    it("gives back issuance after repayment", async () => {
      const { ledger, settlement, core, invoice } = await loadFixture(financingFixture);
      await expect(ledger.connect(settlement).restoreIssuance(core.address, invoice.currency, invoice.maturity, 4_000n))
        .to.emit(ledger, "IssuanceRestored")
        .withArgs(core.address, 4_000n, 6_000n);
      expect(await ledger.issuanceLimitOf(core.address)).to.deep.equal([ISSUANCE_LIMIT, 6_000n]);
    });

    // Issue 8, item 6 (F9): money in a pool pays the receivables it was deposited for.
    describe("closes the repayment pool it was paid into", () => {
      it("refuses a later confirmation into that pool with ReceivablePoolClosed(issuer, currency, maturity)", async () => {
        const f = await loadFixture(financingFixture);
        await f.ledger.connect(f.settlement).restoreIssuance(f.core.address, f.invoice.currency, f.invoice.maturity, 1_000n);
        const later = await makeInvoice(f, { maturity: f.invoice.maturity });
        await expect(f.ledger.connect(f.core).confirmInvoice(later))
          .to.be.revertedWithCustomError(f.ledger, "ReceivablePoolClosed")
          .withArgs(f.core.address, f.invoice.currency, f.invoice.maturity);
        // Nothing changed: the pool's face and the issued amount are what they were.
        expect(await f.ledger.issuedFace(f.core.address, f.invoice.currency, f.invoice.maturity)).to.equal(f.invoice.amount);
        expect(await f.ledger.issuanceLimitOf(f.core.address)).to.deep.equal([ISSUANCE_LIMIT, f.invoice.amount - 1_000n]);
      });

      it("refuses a registration into that pool too (it could never be confirmed)", async () => {
        const f = await loadFixture(financingFixture);
        await f.ledger.connect(f.settlement).restoreIssuance(f.core.address, f.invoice.currency, f.invoice.maturity, 1_000n);
        const later = await makeInvoice(f, { maturity: f.invoice.maturity });
        await expect(f.ledger.connect(f.tier1).registerInvoice(later))
          .to.be.revertedWithCustomError(f.ledger, "ReceivablePoolClosed")
          .withArgs(f.core.address, f.invoice.currency, f.invoice.maturity);
      });

      it("leaves every other pool of the same core enterprise open (another maturity, one second later)", async () => {
        const f = await loadFixture(financingFixture);
        await f.ledger.connect(f.settlement).restoreIssuance(f.core.address, f.invoice.currency, f.invoice.maturity, 1_000n);
        const next = await makeInvoice(f, { maturity: f.invoice.maturity + 1n });
        await expect(f.ledger.connect(f.core).confirmInvoice(next)).to.emit(f.ledger, "InvoiceConfirmed");
        expect(await f.ledger.issuedFace(f.core.address, f.invoice.currency, next.maturity)).to.equal(next.amount);
      });
    });

    describe("when more is restored than is in use", () => {
      it("reverts with RegistryIssuanceRestoreExceeded", async () => {
        const { ledger, settlement, core, invoice } = await loadFixture(financingFixture);
        await expect(ledger.connect(settlement).restoreIssuance(core.address, invoice.currency, invoice.maturity, 10_001n))
          .to.be.revertedWithCustomError(ledger, "RegistryIssuanceRestoreExceeded")
          .withArgs(core.address, 10_000n, 10_001n);
      });
    });

    describe("when paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, settlement, operator, core, invoice } = await loadFixture(financingFixture);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(settlement).restoreIssuance(core.address, invoice.currency, invoice.maturity, 1n))
          .to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });

    describe("when the caller lacks SETTLEMENT_ROLE", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, core, invoice } = await loadFixture(financingFixture);
        await expect(ledger.connect(core).restoreIssuance(core.address, invoice.currency, invoice.maturity, 1n))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(core.address, await ledger.SETTLEMENT_ROLE());
      });
    });
  });
});
