// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IOrganisationRegistry} from "./interfaces/IOrganisationRegistry.sol";
import {Membership} from "./libraries/Membership.sol";
import {Organisations} from "./libraries/Organisations.sol";

/// @title Ledgerline organisation registry (abstract base of the receivable token)
/// @notice The permissioned membership list and the core enterprises' issuance limits.
/// @dev It is a base contract rather than a separate deployment so that everything the ledger needs to
/// know about an organisation on a hot path — its role, whether it is active, its ERC-721 balance, its
/// issued, unpaid face — sits in ONE storage slot: a transfer to an organisation checks
/// its registration and bumps its balance with one cold read and one write of the same slot, and
/// because every holder is registered, that write changes a non-zero slot (5,000 gas) instead of
/// creating one (22,100). This contract must never hand out a receivable itself; it only keeps the
/// records the token reads and writes. Its cold writes run in the linked library `Membership`.
/// Admin power is bounded and slow: OpenZeppelin `AccessControlDefaultAdminRules` (one default admin, whose
/// transfer waits a delay), and the token refuses to grant the movement roles after deployment.
abstract contract OrganisationRegistry is AccessControlDefaultAdminRules, IOrganisationRegistry {
    /// @notice Onboards, suspends and reactivates organisations, sets issuance limits, pauses the ledger,
    /// resolves disputes.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev The packed record of each organisation; see `Organisations.Account` for its slot.
    using Organisations for mapping(address => Organisations.Account);

    mapping(address organisation => Organisations.Account) internal _accounts;
    /// @dev Read only by confirmation, written only by the operator: kept out of the hot account slot.
    mapping(address coreEnterprise => uint256 limit) internal _issuanceLimits;

    // ─── operator ──────────────────────────────────────────────────────────────

    /// @inheritdoc IOrganisationRegistry
    function registerOrganisation(address organisation, OrganisationRole role, bytes32 kycHash)
        external
        onlyRole(OPERATOR_ROLE)
    {
        Membership.register(_accounts, address(this), organisation, role, kycHash);
    }

    /// @inheritdoc IOrganisationRegistry
    function suspendOrganisation(address organisation) external onlyRole(OPERATOR_ROLE) {
        Membership.setActive(_accounts, organisation, false);
    }

    /// @inheritdoc IOrganisationRegistry
    function reactivateOrganisation(address organisation) external onlyRole(OPERATOR_ROLE) {
        Membership.setActive(_accounts, organisation, true);
    }

    /// @inheritdoc IOrganisationRegistry
    function setIssuanceLimit(address coreEnterprise, uint256 limit) external onlyRole(OPERATOR_ROLE) {
        Membership.setIssuanceLimit(_accounts, _issuanceLimits, coreEnterprise, limit);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IOrganisationRegistry
    function organisationOf(address organisation) external view returns (Organisation memory) {
        Organisations.Account memory account = _accounts[organisation];
        return Organisation({
            role: account.role,
            active: account.active,
            receivableCount: account.receivableCount
        });
    }

    /// @inheritdoc IOrganisationRegistry
    function issuanceLimitOf(address coreEnterprise) external view returns (uint256 limit, uint256 issued) {
        return (_issuanceLimits[coreEnterprise], _accounts[coreEnterprise].issued);
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
}
