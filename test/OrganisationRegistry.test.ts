// The organisation registry, as the receivable token inherits it: membership, suspension and credit lines.
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { CREDIT_LINE, deployLedgerFixture, OrganisationRole } from "./fixtures/system";

const KYC = ethers.id("kyc:newcomer");

describe("OrganisationRegistry", () => {
  describe("registerOrganisation", () => {
    it("registers an active organisation with its role and emits OrganisationRegistered", async () => {
      const { ledger, operator, extra } = await loadFixture(deployLedgerFixture);
      await expect(ledger.connect(operator).registerOrganisation(extra.address, OrganisationRole.Supplier, KYC))
        .to.emit(ledger, "OrganisationRegistered")
        .withArgs(extra.address, OrganisationRole.Supplier, KYC);
      const organisation = await ledger.organisationOf(extra.address);
      expect(organisation.role).to.equal(OrganisationRole.Supplier);
      expect(organisation.active).to.equal(true);
      expect(organisation.receivableCount).to.equal(0n);
      expect(organisation.nonce).to.equal(0n);
    });

    describe("when the caller is not the operator", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, admin, extra } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(admin).registerOrganisation(extra.address, OrganisationRole.Supplier, KYC))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(admin.address, await ledger.OPERATOR_ROLE());
      });
    });

    describe("when the organisation is already registered", () => {
      it("reverts with RegistryOrganisationAlreadyRegistered", async () => {
        const { ledger, operator, tier1 } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).registerOrganisation(tier1.address, OrganisationRole.Financier, KYC))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationAlreadyRegistered")
          .withArgs(tier1.address);
      });
    });

    describe("when the address or role is invalid", () => {
      it("rejects the zero address", async () => {
        const { ledger, operator } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).registerOrganisation(ethers.ZeroAddress, OrganisationRole.Supplier, KYC))
          .to.be.revertedWithCustomError(ledger, "RegistryInvalidOrganisation")
          .withArgs(ethers.ZeroAddress, OrganisationRole.Supplier);
      });

      it("rejects the ledger's own (escrow) address", async () => {
        const { ledger, operator, ledgerAddress } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).registerOrganisation(ledgerAddress, OrganisationRole.Supplier, KYC))
          .to.be.revertedWithCustomError(ledger, "RegistryInvalidOrganisation")
          .withArgs(ledgerAddress, OrganisationRole.Supplier);
      });

      it("rejects role None", async () => {
        const { ledger, operator, extra } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).registerOrganisation(extra.address, OrganisationRole.None, KYC))
          .to.be.revertedWithCustomError(ledger, "RegistryInvalidOrganisation")
          .withArgs(extra.address, OrganisationRole.None);
      });
    });
  });

  describe("suspendOrganisation", () => {
    it("deactivates the organisation and emits OrganisationSuspended", async () => {
      const { ledger, operator, tier2 } = await loadFixture(deployLedgerFixture);
      await expect(ledger.connect(operator).suspendOrganisation(tier2.address))
        .to.emit(ledger, "OrganisationSuspended")
        .withArgs(tier2.address);
      expect((await ledger.organisationOf(tier2.address)).active).to.equal(false);
    });

    describe("when the caller is not the operator", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, core, tier2 } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(core).suspendOrganisation(tier2.address))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(core.address, await ledger.OPERATOR_ROLE());
      });
    });

    describe("when the organisation is not registered", () => {
      it("reverts with RegistryOrganisationNotRegistered", async () => {
        const { ledger, operator, outsider } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).suspendOrganisation(outsider.address))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationNotRegistered")
          .withArgs(outsider.address);
      });
    });

    describe("when the organisation is already suspended", () => {
      it("reverts with RegistryOrganisationSuspended", async () => {
        const { ledger, operator, tier2 } = await loadFixture(deployLedgerFixture);
        await ledger.connect(operator).suspendOrganisation(tier2.address);
        await expect(ledger.connect(operator).suspendOrganisation(tier2.address))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationSuspended")
          .withArgs(tier2.address);
      });
    });
  });

  describe("reactivateOrganisation", () => {
    it("reactivates a suspended organisation and emits OrganisationReactivated", async () => {
      const { ledger, operator, tier2 } = await loadFixture(deployLedgerFixture);
      await ledger.connect(operator).suspendOrganisation(tier2.address);
      await expect(ledger.connect(operator).reactivateOrganisation(tier2.address))
        .to.emit(ledger, "OrganisationReactivated")
        .withArgs(tier2.address);
      expect((await ledger.organisationOf(tier2.address)).active).to.equal(true);
    });

    describe("when the caller is not the operator", () => {
      it("reverts with AccessControlUnauthorizedAccount", async () => {
        const { ledger, operator, tier2 } = await loadFixture(deployLedgerFixture);
        await ledger.connect(operator).suspendOrganisation(tier2.address);
        await expect(ledger.connect(tier2).reactivateOrganisation(tier2.address))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(tier2.address, await ledger.OPERATOR_ROLE());
      });
    });

    describe("when the organisation is not registered", () => {
      it("reverts with RegistryOrganisationNotRegistered", async () => {
        const { ledger, operator, outsider } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).reactivateOrganisation(outsider.address))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationNotRegistered")
          .withArgs(outsider.address);
      });
    });

    describe("when the organisation is active", () => {
      it("reverts with RegistryOrganisationAlreadyActive", async () => {
        const { ledger, operator, tier2 } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).reactivateOrganisation(tier2.address))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationAlreadyActive")
          .withArgs(tier2.address);
      });
    });
  });

  describe("setCreditLine", () => {
    it("lets an active financier set a core enterprise's line and emits CreditLineSet", async () => {
      const { ledger, bankB, core } = await loadFixture(deployLedgerFixture);
      await expect(ledger.connect(bankB).setCreditLine(core.address, 5_000n))
        .to.emit(ledger, "CreditLineSet")
        .withArgs(core.address, bankB.address, 5_000n);
      const [limit, used] = await ledger.creditLineOf(core.address);
      expect(limit).to.equal(5_000n);
      expect(used).to.equal(0n);
    });

    it("lets the operator set a line", async () => {
      const { ledger, operator, core } = await loadFixture(deployLedgerFixture);
      await expect(ledger.connect(operator).setCreditLine(core.address, 7n))
        .to.emit(ledger, "CreditLineSet")
        .withArgs(core.address, operator.address, 7n);
    });

    it("reads back the seeded line", async () => {
      const { ledger, core } = await loadFixture(deployLedgerFixture);
      expect(await ledger.creditLineOf(core.address)).to.deep.equal([CREDIT_LINE, 0n]);
    });

    describe("when the caller is neither the operator nor an active financier", () => {
      it("rejects a supplier", async () => {
        const { ledger, tier1, core } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(tier1).setCreditLine(core.address, 1n))
          .to.be.revertedWithCustomError(ledger, "RegistryUnauthorizedCreditGrantor")
          .withArgs(tier1.address);
      });

      it("rejects a suspended financier", async () => {
        const { ledger, operator, bankB, core } = await loadFixture(deployLedgerFixture);
        await ledger.connect(operator).suspendOrganisation(bankB.address);
        await expect(ledger.connect(bankB).setCreditLine(core.address, 1n))
          .to.be.revertedWithCustomError(ledger, "RegistryUnauthorizedCreditGrantor")
          .withArgs(bankB.address);
      });
    });

    describe("when the beneficiary is not an active core enterprise", () => {
      it("rejects a supplier with RegistryWrongRole", async () => {
        const { ledger, bankA, tier1 } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(bankA).setCreditLine(tier1.address, 1n))
          .to.be.revertedWithCustomError(ledger, "RegistryWrongRole")
          .withArgs(tier1.address, OrganisationRole.CoreEnterprise, OrganisationRole.Supplier);
      });

      it("rejects an unregistered address", async () => {
        const { ledger, bankA, outsider } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(bankA).setCreditLine(outsider.address, 1n))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationNotRegistered")
          .withArgs(outsider.address);
      });
    });

    describe("when the ledger is paused", () => {
      it("reverts with EnforcedPause", async () => {
        const { ledger, operator, bankA, core } = await loadFixture(deployLedgerFixture);
        await ledger.connect(operator).pause();
        await expect(ledger.connect(bankA).setCreditLine(core.address, 1n)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      });
    });
  });

  describe("organisationOf", () => {
    it("answers role None for an unregistered address", async () => {
      const { ledger, outsider } = await loadFixture(deployLedgerFixture);
      const organisation = await ledger.organisationOf(outsider.address);
      expect(organisation.role).to.equal(OrganisationRole.None);
      expect(organisation.active).to.equal(false);
    });
  });
});
