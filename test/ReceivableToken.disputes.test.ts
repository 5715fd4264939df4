// A freeze is a dispute with an owner and an end (contract audit, issue 8 item 7 / F6): raised by the tree's
// debtor (active, once per tree) or the operator, with an evidence hash; a debtor's dispute lapses after the
// deployment's dispute period unless the operator upholds it; the operator resolves it.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { DEFAULT_DISPUTE_PERIOD } from "../scripts/deploy";
import { childId, deployRootFixture, transfer } from "./fixtures/system";
import { confirm, deploySystemFixture, type System } from "./fixtures/settlement";

const EVIDENCE = ethers.id("evidence: goods returned, delivery note 42");
const PERIOD = BigInt(DEFAULT_DISPUTE_PERIOD);

describe("ReceivableToken: disputes", () => {
  describe("raiseDispute", () => {
    it("records who raised it, on what evidence, when and until when, and freezes every descendant at once", async () => {
      const { ledger, core, tier1, tier2, tier3, rootId } = await loadFixture(deployRootFixture);
      const tier2Part = await transfer(ledger, rootId, tier1, tier2, 4_000n);
      const tier3Part = await transfer(ledger, tier2Part, tier2, tier3, 1_000n);
      const raisedAt = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(raisedAt);
      await expect(ledger.connect(core).raiseDispute(rootId, EVIDENCE))
        .to.emit(ledger, "DisputeRaised")
        .withArgs(rootId, core.address, EVIDENCE, raisedAt + PERIOD);
      const dispute = await ledger.disputeOf(rootId);
      expect([dispute.raiser, dispute.evidenceHash, dispute.raisedAt, dispute.expiresAt, dispute.upheld, dispute.live]).to.deep.equal([
        core.address,
        EVIDENCE,
        raisedAt,
        raisedAt + PERIOD,
        false,
        true,
      ]);
      expect((await ledger.rootOf(rootId)).frozen).to.equal(true);
      for (const [holder, id] of [
        [tier1, rootId],
        [tier2, tier2Part],
        [tier3, tier3Part],
      ] as const) {
        await expect(ledger.connect(holder).split(id, 100n)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      }
    });

    it("lets the operator raise one that has no end", async () => {
      const { ledger, operator, rootId } = await loadFixture(deployRootFixture);
      await expect(ledger.connect(operator).raiseDispute(rootId, EVIDENCE)).to.emit(ledger, "DisputeRaised").withArgs(rootId, operator.address, EVIDENCE, 0n);
      await time.increase(PERIOD * 2n);
      expect((await ledger.disputeOf(rootId)).live).to.equal(true);
    });

    describe("when the caller is neither the tree's debtor nor the operator", () => {
      it("reverts with ReceivableUnauthorized", async () => {
        const { ledger, tier1, bankA, rootId } = await loadFixture(deployRootFixture);
        for (const caller of [tier1, bankA]) {
          await expect(ledger.connect(caller).raiseDispute(rootId, EVIDENCE))
            .to.be.revertedWithCustomError(ledger, "ReceivableUnauthorized")
            .withArgs(caller.address, rootId);
        }
      });
    });

    describe("when the debtor is suspended (F6: it could freeze its tree even while suspended)", () => {
      it("fails the suspended debtor's dispute with RegistryOrganisationSuspended", async () => {
        const { ledger, operator, core, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(operator).suspendOrganisation(core.address);
        await expect(ledger.connect(core).raiseDispute(rootId, EVIDENCE))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(core.address);
        expect((await ledger.rootOf(rootId)).frozen).to.equal(false);
      });
    });

    describe("when the debtor already used its dispute on the tree (F6: a freeze forever by re-raising)", () => {
      it("fails a second debtor's dispute after the first lapsed with ReceivableDisputeAlreadyRaised", async () => {
        const { ledger, core, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
        await time.increase(PERIOD + 1n);
        await expect(ledger.connect(core).raiseDispute(rootId, EVIDENCE))
          .to.be.revertedWithCustomError(ledger, "ReceivableDisputeAlreadyRaised")
          .withArgs(rootId, core.address);
      });

      it("still lets the operator raise one after the debtor's lapsed", async () => {
        const { ledger, operator, core, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
        await time.increase(PERIOD + 1n);
        await expect(ledger.connect(operator).raiseDispute(rootId, EVIDENCE)).to.emit(ledger, "DisputeRaised").withArgs(rootId, operator.address, EVIDENCE, 0n);
      });
    });

    describe("when a dispute is live already", () => {
      it("reverts with ReceivableFrozen", async () => {
        const { ledger, operator, core, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
        await expect(ledger.connect(operator).raiseDispute(rootId, EVIDENCE)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      });
    });

    describe("when the id is not a live root", () => {
      it("rejects a child id and an unknown root", async () => {
        const { ledger, core, rootId } = await loadFixture(deployRootFixture);
        for (const id of [childId(rootId, 1), rootId + (1n << 32n)]) {
          await expect(ledger.connect(core).raiseDispute(id, EVIDENCE)).to.be.revertedWithCustomError(ledger, "ReceivableNonexistent").withArgs(id);
        }
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, operator, core, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(core).raiseDispute(rootId, EVIDENCE)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });
  });

  describe("lapse", () => {
    it("ends a debtor's dispute after the dispute period: the tree moves again with no transaction", async () => {
      const { ledger, core, tier1, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
      const { expiresAt } = await ledger.disputeOf(rootId);
      // Still frozen in the block at its end, lapsed in the next.
      await time.setNextBlockTimestamp(expiresAt);
      await expect(ledger.connect(tier1).split(rootId, 100n)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      await time.increaseTo(expiresAt + 1n);
      expect((await ledger.disputeOf(rootId)).live).to.equal(false);
      expect((await ledger.rootOf(rootId)).frozen).to.equal(false);
      await expect(ledger.connect(tier1).split(rootId, 100n)).to.emit(ledger, "ReceivableSplit");
    });
  });

  describe("resolveDispute", () => {
    it("uphold: the tree stays frozen past the period until the operator releases it", async () => {
      const { ledger, operator, core, tier1, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
      await expect(ledger.connect(operator).resolveDispute(rootId, true)).to.emit(ledger, "DisputeUpheld").withArgs(rootId, operator.address);
      await time.increase(PERIOD * 2n);
      const dispute = await ledger.disputeOf(rootId);
      expect([dispute.upheld, dispute.expiresAt, dispute.live]).to.deep.equal([true, 0n, true]);
      await expect(ledger.connect(tier1).split(rootId, 100n)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      await expect(ledger.connect(operator).resolveDispute(rootId, false)).to.emit(ledger, "DisputeReleased").withArgs(rootId, operator.address);
      await expect(ledger.connect(tier1).split(rootId, 100n)).to.emit(ledger, "ReceivableSplit");
    });

    it("release: the tree moves at once", async () => {
      const { ledger, operator, core, tier1, rootId } = await loadFixture(deployRootFixture);
      await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
      await expect(ledger.connect(operator).resolveDispute(rootId, false)).to.emit(ledger, "DisputeReleased").withArgs(rootId, operator.address);
      expect((await ledger.disputeOf(rootId)).live).to.equal(false);
      await expect(ledger.connect(tier1).split(rootId, 100n)).to.emit(ledger, "ReceivableSplit");
    });

    describe("when the caller is not the operator (the debtor cannot lift or prolong it itself)", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, core, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
        for (const uphold of [true, false]) {
          await expect(ledger.connect(core).resolveDispute(rootId, uphold))
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(core.address, await ledger.OPERATOR_ROLE());
        }
      });
    });

    describe("when no dispute is live", () => {
      it("reverts with ReceivableNotFrozen, also once a debtor's dispute lapsed (it can no longer be upheld)", async () => {
        const { ledger, operator, core, rootId } = await loadFixture(deployRootFixture);
        await expect(ledger.connect(operator).resolveDispute(rootId, false)).to.be.revertedWithCustomError(ledger, "ReceivableNotFrozen").withArgs(rootId);
        await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
        await time.increase(PERIOD + 1n);
        await expect(ledger.connect(operator).resolveDispute(rootId, true)).to.be.revertedWithCustomError(ledger, "ReceivableNotFrozen").withArgs(rootId);
      });
    });

    describe("when upheld already", () => {
      it("reverts with ReceivableFrozen", async () => {
        const { ledger, operator, core, rootId } = await loadFixture(deployRootFixture);
        await ledger.connect(core).raiseDispute(rootId, EVIDENCE);
        await ledger.connect(operator).resolveDispute(rootId, true);
        await expect(ledger.connect(operator).resolveDispute(rootId, true)).to.be.revertedWithCustomError(ledger, "ReceivableFrozen").withArgs(rootId);
      });
    });
  });

  describe("redemption of money already deposited (F6)", () => {
    async function depositedWorld(): Promise<System & { rootId: bigint }> {
      const w = await deploySystemFixture();
      const rootId = await confirm(w, w.tier1, 1_000_000n * w.unit);
      await w.vault.connect(w.core).deposit(w.currency, w.maturity, 1_000_000n * w.unit);
      return { ...w, rootId };
    }

    it("is held only while the debtor's dispute lasts: once it lapses the holder redeems", async () => {
      const w = await loadFixture(depositedWorld);
      await w.ledger.connect(w.core).raiseDispute(w.rootId, EVIDENCE);
      await time.increaseTo(w.maturity);
      await expect(w.vault.connect(w.tier1).redeem(w.rootId)).to.be.revertedWithCustomError(w.vault, "VaultRootFrozen").withArgs(w.rootId);
      await time.increase(PERIOD + 1n);
      await expect(w.vault.connect(w.tier1).redeem(w.rootId)).to.emit(w.ledger, "ReceivableBurned");
    });

    it("never blocks another tree of the same pool, and a suspended debtor cannot block any", async () => {
      const w = await loadFixture(deploySystemFixture);
      // Two trees in one pool, both confirmed before its money arrives (a deposit closes the pool).
      const rootId = await confirm(w, w.tier1, 1_000_000n * w.unit);
      const other = await confirm(w, w.tier2, 500_000n * w.unit);
      await w.vault.connect(w.core).deposit(w.currency, w.maturity, 1_500_000n * w.unit);
      await w.ledger.connect(w.core).raiseDispute(rootId, EVIDENCE);
      await w.ledger.connect(w.operator).suspendOrganisation(w.core.address);
      await expect(w.ledger.connect(w.core).raiseDispute(other, EVIDENCE))
        .to.be.revertedWithCustomError(w.ledger, "RegistryOrganisationSuspended")
        .withArgs(w.core.address);
      await time.increaseTo(w.maturity);
      await expect(w.vault.connect(w.tier2).redeem(other)).to.emit(w.ledger, "ReceivableBurned");
    });
  });
});
