// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IOrganisationRegistry} from "./interfaces/IOrganisationRegistry.sol";
import {Organisations} from "./libraries/Organisations.sol";

/// @title Ledgerline organisation registry (abstract base of the receivable token)
/// @notice The permissioned membership list and the core enterprises' credit lines.
/// @dev It is a base contract rather than a separate deployment so that everything the ledger needs to
/// know about an organisation on a hot path — its role, whether it is active, its ERC-721 balance, its
/// EIP-712 nonce and its credit usage — sits in ONE storage slot: a transfer to an organisation checks
/// its registration and bumps its balance with one cold read and one write of the same slot, and
/// because every holder is registered, that write changes a non-zero slot (5,000 gas) instead of
/// creating one (22,100). This contract must never hand out a receivable itself; it only keeps the
/// records the token reads and writes.
abstract contract OrganisationRegistry is AccessControl, IOrganisationRegistry {
    /// @notice Onboards, suspends and reactivates organisations, pauses the ledger, sets its parameters.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev The packed record of each organisation; see `Organisations.Account` for its slot.
    using Organisations for mapping(address => Organisations.Account);

    mapping(address organisation => Organisations.Account) internal _accounts;
    /// @dev Read only by confirmation, written only by grantors: kept out of the hot account slot.
    mapping(address coreEnterprise => uint256 limit) internal _creditLimits;

    // ─── operator ──────────────────────────────────────────────────────────────

    /// @inheritdoc IOrganisationRegistry
    function registerOrganisation(address organisation, OrganisationRole role, bytes32 kycHash)
        external
        onlyRole(OPERATOR_ROLE)
    {
        // The ledger's own address stands for "in escrow"; it can never be a member.
        if (organisation == address(0) || organisation == address(this) || role == OrganisationRole.None) {
            revert RegistryInvalidOrganisation(organisation, role);
        }
        Organisations.Account storage account = _accounts[organisation];
        if (account.role != OrganisationRole.None) revert RegistryOrganisationAlreadyRegistered(organisation);
        account.role = role;
        account.active = true;
        emit OrganisationRegistered(organisation, role, kycHash);
    }

    /// @inheritdoc IOrganisationRegistry
    function suspendOrganisation(address organisation) external onlyRole(OPERATOR_ROLE) {
        Organisations.Account storage account = _accounts[organisation];
        if (account.role == OrganisationRole.None) revert RegistryOrganisationNotRegistered(organisation);
        if (!account.active) revert RegistryOrganisationSuspended(organisation);
        account.active = false;
        emit OrganisationSuspended(organisation);
    }

    /// @inheritdoc IOrganisationRegistry
    function reactivateOrganisation(address organisation) external onlyRole(OPERATOR_ROLE) {
        Organisations.Account storage account = _accounts[organisation];
        if (account.role == OrganisationRole.None) revert RegistryOrganisationNotRegistered(organisation);
        if (account.active) revert RegistryOrganisationAlreadyActive(organisation);
        account.active = true;
        emit OrganisationReactivated(organisation);
    }

    /// @inheritdoc IOrganisationRegistry
    function setCreditLine(address coreEnterprise, uint256 limit) external {
        _requireNotPaused();
        if (!hasRole(OPERATOR_ROLE, msg.sender)) {
            Organisations.Account storage grantor = _accounts[msg.sender];
            if (grantor.role != OrganisationRole.Financier || !grantor.active) {
                revert RegistryUnauthorizedCreditGrantor(msg.sender);
            }
        }
        _requireRole(coreEnterprise, OrganisationRole.CoreEnterprise);
        _creditLimits[coreEnterprise] = limit;
        emit CreditLineSet(coreEnterprise, msg.sender, limit);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IOrganisationRegistry
    function organisationOf(address organisation) external view returns (Organisation memory) {
        Organisations.Account memory account = _accounts[organisation];
        return Organisation({
            role: account.role,
            active: account.active,
            receivableCount: account.receivableCount,
            nonce: account.nonce
        });
    }

    /// @inheritdoc IOrganisationRegistry
    function creditLineOf(address coreEnterprise) external view returns (uint256 limit, uint256 used) {
        return (_creditLimits[coreEnterprise], _accounts[coreEnterprise].creditUsed);
    }

    // ─── internal ──────────────────────────────────────────────────────────────

    /// @dev Reverts when the ledger is paused. The token keeps the flag in its parameter slot.
    function _requireNotPaused() internal view virtual;

    /// @dev Reverts unless `organisation` is registered and active.
    function _requireActive(address organisation) internal view {
        _accounts.requireActive(organisation);
    }

    /// @dev Reverts unless `organisation` is registered, active and has `role`.
    function _requireRole(address organisation, OrganisationRole role) internal view {
        _accounts.requireRole(organisation, role);
    }

    /// @dev Gives back `amount` of `coreEnterprise`'s credit usage (repayment). Returns false, changing
    /// nothing, when `amount` exceeds the usage: restoring more than is in use is a settlement bug that
    /// the caller turns into its own error.
    function _releaseCredit(address coreEnterprise, uint256 amount) internal returns (bool) {
        Organisations.Account storage account = _accounts[coreEnterprise];
        uint256 used = account.creditUsed;
        if (amount > used) return false;
        // Cannot underflow: checked just above.
        unchecked {
            used -= amount;
        }
        account.creditUsed = uint112(used);
        emit CreditRestored(coreEnterprise, amount, used);
        return true;
    }
}
