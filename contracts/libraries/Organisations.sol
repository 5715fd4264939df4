// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOrganisationRegistry} from "../interfaces/IOrganisationRegistry.sol";

/// @title An organisation's packed record and the membership checks on it
/// @notice Shared by the registry, the token and the token's linked library, so that "registered and
/// active" means one thing everywhere.
library Organisations {
    /// @dev One slot per organisation (8 + 8 + 64 + 64 + 112 = 256 bits):
    /// role | active | receivableCount (ERC-721 balanceOf) | nonce (EIP-712 signer nonce) | creditUsed.
    /// Everything a hot path needs about a party sits here, so checking a receiver and bumping its
    /// balance is one cold read and one write of a slot that is already non-zero.
    struct Account {
        IOrganisationRegistry.OrganisationRole role;
        bool active;
        uint64 receivableCount;
        uint64 nonce;
        uint112 creditUsed;
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

    /// @dev Adds `amount` to `coreEnterprise`'s credit usage, reverting beyond its line. The usage is
    /// stored in 112 bits, so a line is effectively capped at type(uint112).max.
    function consumeCredit(
        mapping(address => Account) storage accounts,
        mapping(address => uint256) storage creditLimits,
        address coreEnterprise,
        uint256 amount
    ) internal {
        Account storage account = accounts[coreEnterprise];
        uint256 used = account.creditUsed;
        uint256 limit = creditLimits[coreEnterprise];
        if (limit > type(uint112).max) limit = type(uint112).max;
        // used <= limit holds unless the line was lowered below usage; then nothing is available.
        uint256 available = limit > used ? limit - used : 0;
        if (amount > available) {
            revert IOrganisationRegistry.RegistryCreditLineExceeded(coreEnterprise, available, amount);
        }
        // The cast is exact: used + amount <= limit <= type(uint112).max.
        account.creditUsed = uint112(used + amount);
    }
}
