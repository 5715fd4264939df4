// Admin powers are bounded and slow (contract audit, issue 8 item 8 / F8): the movement roles belong only to
// the system contracts bound at deployment; DEFAULT_ADMIN_ROLE sits behind AccessControlDefaultAdminRules (a
// delay on its transfer) and, once deployed, a TimelockController that schedules every parameter change.
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { deployLedger } from "../scripts/deploy";
import { deploySystem } from "../scripts/deploySystem";
import { completeAdminHandover, executeThroughTimelock } from "../scripts/governance";
import { bindStandIns, deployRootFixture } from "./fixtures/system";

describe("ReceivableToken: admin powers", () => {
  describe("movement roles (FINANCING_ROLE, SETTLEMENT_ROLE)", () => {
    it("fails the admin granting itself FINANCING_ROLE to move a receivable without paying, with ReceivableRoleFixed", async () => {
      const f = await loadFixture(deployRootFixture);
      await bindStandIns(f, f.relayer, f.extra);
      for (const role of [await f.ledger.FINANCING_ROLE(), await f.ledger.SETTLEMENT_ROLE()]) {
        await expect(f.ledger.connect(f.admin).grantRole(role, f.admin.address)).to.be.revertedWithCustomError(f.ledger, "ReceivableRoleFixed").withArgs(role);
      }
      await expect(f.ledger.connect(f.admin).financePurchase(f.rootId, 1_000n, f.bankA.address))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, await f.ledger.FINANCING_ROLE());
      await expect(f.ledger.connect(f.admin).burn(f.rootId))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, await f.ledger.SETTLEMENT_ROLE());
    });

    it("cannot be granted before binding either, nor revoked or renounced after", async () => {
      const f = await loadFixture(deployRootFixture);
      const financingRole = await f.ledger.FINANCING_ROLE();
      await expect(f.ledger.connect(f.admin).grantRole(financingRole, f.relayer.address)).to.be.revertedWithCustomError(f.ledger, "ReceivableRoleFixed").withArgs(financingRole);
      await bindStandIns(f, f.relayer, f.extra);
      await expect(f.ledger.connect(f.admin).revokeRole(financingRole, f.relayer.address)).to.be.revertedWithCustomError(f.ledger, "ReceivableRoleFixed").withArgs(financingRole);
      await expect(f.ledger.connect(f.relayer).renounceRole(financingRole, f.relayer.address)).to.be.revertedWithCustomError(f.ledger, "ReceivableRoleFixed").withArgs(financingRole);
      expect(await f.ledger.hasRole(financingRole, f.relayer.address)).to.equal(true);
    });

    it("binds once: a second bindSystemContracts reverts ReceivableSystemAlreadyBound", async () => {
      const f = await loadFixture(deployRootFixture);
      await expect(f.ledger.connect(f.admin).bindSystemContracts(f.relayer.address, f.extra.address))
        .to.emit(f.ledger, "RoleGranted")
        .withArgs(await f.ledger.FINANCING_ROLE(), f.relayer.address, f.admin.address);
      await expect(f.ledger.connect(f.admin).bindSystemContracts(f.admin.address, f.admin.address)).to.be.revertedWithCustomError(f.ledger, "ReceivableSystemAlreadyBound");
    });

    it("lets only the default admin bind", async () => {
      const f = await loadFixture(deployRootFixture);
      await expect(f.ledger.connect(f.operator).bindSystemContracts(f.operator.address, f.operator.address))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.operator.address, ethers.ZeroHash);
    });
  });

  describe("DEFAULT_ADMIN_ROLE (AccessControlDefaultAdminRules)", () => {
    it("cannot be granted directly", async () => {
      const f = await loadFixture(deployRootFixture);
      await expect(f.ledger.connect(f.admin).grantRole(ethers.ZeroHash, f.operator.address)).to.be.revertedWithCustomError(f.ledger, "AccessControlEnforcedDefaultAdminRules");
    });

    it("moves only after the deployment's admin delay", async () => {
      const [admin, operator, successor] = await ethers.getSigners();
      const delay = 3 * 24 * 60 * 60;
      const { ledger } = await deployLedger({ admin: admin!, operator: operator!, adminDelay: delay });
      expect(await ledger.defaultAdminDelay()).to.equal(BigInt(delay));
      await ledger.connect(admin).beginDefaultAdminTransfer(successor!.address);
      const [, schedule] = await ledger.pendingDefaultAdmin();
      await expect(ledger.connect(successor).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(ledger, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      await time.increaseTo(schedule + 1n);
      await ledger.connect(successor).acceptDefaultAdminTransfer();
      expect(await ledger.defaultAdmin()).to.equal(successor!.address);
    });

    it("does not let the operator change parameters: AccessControlUnauthorizedAccount(DEFAULT_ADMIN_ROLE)", async () => {
      const f = await loadFixture(deployRootFixture);
      await expect(f.ledger.connect(f.operator).setLedgerParameters(1n, 1, 1))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.operator.address, ethers.ZeroHash);
    });
  });

  describe("deploySystem", () => {
    it("works with an admin different from the operator (issue 14 item 1) and ends with the timelock as admin", async () => {
      const [admin, operator] = await ethers.getSigners();
      const system = await deploySystem({ admin: admin!, operator: operator! });
      const ledger = system.ledger.ledger;
      expect(system.adminHandedOver).to.equal(true);
      expect(await ledger.defaultAdmin()).to.equal(await system.timelock.getAddress());
      expect(await ledger.hasRole(ethers.ZeroHash, admin!.address)).to.equal(false);
      expect(await ledger.hasRole(await ledger.OPERATOR_ROLE(), operator!.address)).to.equal(true);
      expect(await ledger.hasRole(await ledger.OPERATOR_ROLE(), admin!.address)).to.equal(false);
      expect(await ledger.isCurrencyAllowed(system.settlement.currency)).to.equal(true);
      expect(await ledger.hasRole(await ledger.FINANCING_ROLE(), await system.settlement.financing.getAddress())).to.equal(true);
      expect(await ledger.hasRole(await ledger.SETTLEMENT_ROLE(), await system.settlement.vault.getAddress())).to.equal(true);
      expect(system.record.contracts.LedgerTimelock).to.equal(await system.timelock.getAddress());
    });

    it("schedules parameter changes through the timelock: nothing executes before its delay", async () => {
      const [admin] = await ethers.getSigners();
      const delay = 2n * 24n * 60n * 60n;
      const system = await deploySystem({ admin: admin!, timelockDelay: delay });
      const ledger = system.ledger.ledger;
      // Even the handover waits the timelock's delay (its acceptance is a scheduled operation).
      expect(system.adminHandedOver).to.equal(false);
      await time.increase(delay);
      expect(await completeAdminHandover(ledger, admin!, system.timelock)).to.equal(true);
      // The deployer is no longer the ledger's admin: a direct change fails.
      await expect(ledger.connect(admin).setLedgerParameters(7n, 3, 3600))
        .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
        .withArgs(admin!.address, ethers.ZeroHash);
      const data = ledger.interface.encodeFunctionData("setLedgerParameters", [7n, 3, 3600]);
      const target = await ledger.getAddress();
      const { executed } = await executeThroughTimelock(system.timelock, admin!, target, data);
      expect(executed).to.equal(false);
      await expect(system.timelock.connect(admin).execute(target, 0n, data, ethers.ZeroHash, ethers.ZeroHash)).to.be.revertedWithCustomError(
        system.timelock,
        "TimelockUnexpectedOperationState",
      );
      await time.increase(delay);
      await expect(system.timelock.connect(admin).execute(target, 0n, data, ethers.ZeroHash, ethers.ZeroHash))
        .to.emit(ledger, "LedgerParametersSet")
        .withArgs(7n, 3, 3600);
    });

    it("leaves the handover pending while an admin delay runs, and completes it after", async () => {
      const [admin] = await ethers.getSigners();
      const system = await deploySystem({ admin: admin!, adminDelay: 3600 });
      const ledger = system.ledger.ledger;
      expect(system.adminHandedOver).to.equal(false);
      expect(await ledger.defaultAdmin()).to.equal(admin!.address);
      await time.increase(3601);
      expect(await completeAdminHandover(ledger, admin!, system.timelock)).to.equal(true);
      expect(await ledger.defaultAdmin()).to.equal(await system.timelock.getAddress());
    });
  });
});
