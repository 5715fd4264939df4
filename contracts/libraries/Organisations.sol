// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOrganisationRegistry} from "../interfaces/IOrganisationRegistry.sol";

/// @title An organisation's packed record and the membership checks on it
/// @notice Shared by the registry, the token and the token's linked library, so that "registered and
/// active" means one thing everywhere.
library Organisations {
    /// @dev One slot per organisation (8 + 8 + 64 + 112 = 192 bits):
    /// role | active | receivableCount (ERC-721 balanceOf) | issued (confirmed, unpaid face of a core
    /// enterprise). Signer nonces are a bitmap of their own (`LedgerLayout.Ledger.nonceBitmaps`).
    /// Everything a hot path needs about a party sits here, so checking a receiver and bumping its
    /// balance is one cold read and one write of a slot that is already non-zero.
    struct Account {
        IOrganisationRegistry.OrganisationRole role;
        bool active;
        uint64 receivableCount;
        uint112 issued;
    }

    /// @dev Reverts unless `organisation` is registered and active.
    function requireActive(mapping(address => Account) storage accounts, address organisation) internal view {
        Account storage account = accounts[organisation];
        // Only registered organisations are ever active, so one field answers the common case.
        if (!account.active) {
            if (account.role == IOrganisationRegistry.OrganisationRole.None) {
                revert IOrganisationRegistry.RegistryOrganisationNotRegistered(organisation);
            }
            revert IOrganisationRegistry.RegistryOrganisationSuspended(organisation);
        }
    }

    /// @dev Reverts unless `organisation` is registered, has `role` and is active.
    function requireRole(
        mapping(address => Account) storage accounts,
        address organisation,
        IOrganisationRegistry.OrganisationRole role
    ) internal view {
        Account storage account = accounts[organisation];
        IOrganisationRegistry.OrganisationRole actual = account.role;
        if (actual == IOrganisationRegistry.OrganisationRole.None) {
            revert IOrganisationRegistry.RegistryOrganisationNotRegistered(organisation);
        }
        if (actual != role) revert IOrganisationRegistry.RegistryWrongRole(organisation, role, actual);
        if (!account.active) revert IOrganisationRegistry.RegistryOrganisationSuspended(organisation);
    }

    /// @dev Adds `amount` to `coreEnterprise`'s issued face, reverting beyond its issuance limit. The
    /// issued face is stored in 112 bits, so a limit is effectively capped at type(uint112).max.
    function consumeIssuance(
        mapping(address => Account) storage accounts,
        mapping(address => uint256) storage issuanceLimits,
        address coreEnterprise,
        uint256 amount
    ) internal {
        Account storage account = accounts[coreEnterprise];
        uint256 issued = account.issued;
        uint256 limit = issuanceLimits[coreEnterprise];
        if (limit > type(uint112).max) limit = type(uint112).max;
        // issued <= limit holds unless the limit was lowered below it; then nothing is available.
        uint256 available = limit > issued ? limit - issued : 0;
        if (amount > available) {
            revert IOrganisationRegistry.RegistryIssuanceLimitExceeded(coreEnterprise, available, amount);
        }
        // The cast is exact: issued + amount <= limit <= type(uint112).max.
        account.issued = uint112(issued + amount);
    }
}
