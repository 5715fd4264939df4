// The organisation registry, as the receivable token inherits it: membership, suspension and issuance limits.
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { ISSUANCE_LIMIT, deployLedgerFixture, OrganisationRole } from "./fixtures/system";

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

  describe("setIssuanceLimit", () => {
    it("lets the operator set a core enterprise's issuance limit and emits IssuanceLimitSet with what is issued", async () => {
      const { ledger, operator, core } = await loadFixture(deployLedgerFixture);
      await expect(ledger.connect(operator).setIssuanceLimit(core.address, 5_000n))
        .to.emit(ledger, "IssuanceLimitSet")
        .withArgs(core.address, 5_000n, 0n);
      expect(await ledger.issuanceLimitOf(core.address)).to.deep.equal([5_000n, 0n]);
    });

    it("reads back the seeded limit", async () => {
      const { ledger, core } = await loadFixture(deployLedgerFixture);
      expect(await ledger.issuanceLimitOf(core.address)).to.deep.equal([ISSUANCE_LIMIT, 0n]);
    });

    it("still lets the operator set a limit while the ledger is paused (it moves no receivable)", async () => {
      const { ledger, operator, core } = await loadFixture(deployLedgerFixture);
      await ledger.connect(operator).pause();
      await expect(ledger.connect(operator).setIssuanceLimit(core.address, 1n)).to.emit(ledger, "IssuanceLimitSet").withArgs(core.address, 1n, 0n);
    });

    describe("when a financier tries to set it (audit item 1: limits belong to whoever grants them)", () => {
      it("fails bank C raising another core enterprise's limit to the maximum with AccessControlUnauthorizedAccount", async () => {
        const { ledger, operator, bankB, extra } = await loadFixture(deployLedgerFixture);
        // A second core enterprise bank B has no relationship with.
        await ledger.connect(operator).registerOrganisation(extra.address, OrganisationRole.CoreEnterprise, KYC);
        await expect(ledger.connect(bankB).setIssuanceLimit(extra.address, ethers.MaxUint256))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(bankB.address, await ledger.OPERATOR_ROLE());
        expect(await ledger.issuanceLimitOf(extra.address)).to.deep.equal([0n, 0n]);
      });

      it("fails bank A cutting the core enterprise's limit to zero with AccessControlUnauthorizedAccount", async () => {
        const { ledger, bankA, core } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(bankA).setIssuanceLimit(core.address, 0n))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(bankA.address, await ledger.OPERATOR_ROLE());
        expect(await ledger.issuanceLimitOf(core.address)).to.deep.equal([ISSUANCE_LIMIT, 0n]);
      });

      it("rejects the core enterprise setting its own limit", async () => {
        const { ledger, core } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(core).setIssuanceLimit(core.address, ethers.MaxUint256))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(core.address, await ledger.OPERATOR_ROLE());
      });
    });

    describe("when the beneficiary is not an active core enterprise", () => {
      it("rejects a supplier with RegistryWrongRole", async () => {
        const { ledger, operator, tier1 } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).setIssuanceLimit(tier1.address, 1n))
          .to.be.revertedWithCustomError(ledger, "RegistryWrongRole")
          .withArgs(tier1.address, OrganisationRole.CoreEnterprise, OrganisationRole.Supplier);
      });

      it("rejects an unregistered address", async () => {
        const { ledger, operator, outsider } = await loadFixture(deployLedgerFixture);
        await expect(ledger.connect(operator).setIssuanceLimit(outsider.address, 1n))
          .to.be.revertedWithCustomError(ledger, "RegistryOrganisationNotRegistered")
          .withArgs(outsider.address);
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
