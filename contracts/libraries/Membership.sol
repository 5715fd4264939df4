// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOrganisationRegistry} from "../interfaces/IOrganisationRegistry.sol";
import {EnforcedPause, LedgerLayout} from "./LedgerLayout.sol";
import {Organisations} from "./Organisations.sol";

/// @title Membership: the operator's onboarding, suspension and issuance limits
/// @notice A linked library (run by DELEGATECALL in the receivable token's storage) holding the registry's
/// cold writes, so the token stays under the 24 KiB code limit. Its events and errors are the registry's
/// and appear at the token's address. It must never be called other than by the token: it trusts its
/// caller to have checked OPERATOR_ROLE.
library Membership {
    using Organisations for mapping(address => Organisations.Account);

    /// @dev `self` is the token's own address, which stands for "in escrow" and can never be a member.
    function register(
        mapping(address => Organisations.Account) storage accounts,
        address self,
        address organisation,
        IOrganisationRegistry.OrganisationRole role,
        bytes32 kycHash
    ) external {
        if (organisation == address(0) || organisation == self || role == IOrganisationRegistry.OrganisationRole.None) {
            revert IOrganisationRegistry.RegistryInvalidOrganisation(organisation, role);
        }
        Organisations.Account storage account = accounts[organisation];
        if (account.role != IOrganisationRegistry.OrganisationRole.None) {
            revert IOrganisationRegistry.RegistryOrganisationAlreadyRegistered(organisation);
        }
        account.role = role;
        account.active = true;
        emit IOrganisationRegistry.OrganisationRegistered(organisation, role, kycHash);
    }

    /// @dev Suspends (`active` false) or reactivates (`active` true) a registered organisation.
    function setActive(mapping(address => Organisations.Account) storage accounts, address organisation, bool active)
        external
    {
        Organisations.Account storage account = accounts[organisation];
        if (account.role == IOrganisationRegistry.OrganisationRole.None) {
            revert IOrganisationRegistry.RegistryOrganisationNotRegistered(organisation);
        }
        if (account.active == active) {
            if (active) revert IOrganisationRegistry.RegistryOrganisationAlreadyActive(organisation);
            revert IOrganisationRegistry.RegistryOrganisationSuspended(organisation);
        }
        account.active = active;
        if (active) emit IOrganisationRegistry.OrganisationReactivated(organisation);
        else emit IOrganisationRegistry.OrganisationSuspended(organisation);
    }

    function setIssuanceLimit(
        mapping(address => Organisations.Account) storage accounts,
        mapping(address => uint256) storage issuanceLimits,
        address coreEnterprise,
        uint256 limit
    ) external {
        accounts.requireRole(coreEnterprise, IOrganisationRegistry.OrganisationRole.CoreEnterprise);
        issuanceLimits[coreEnterprise] = limit;
        emit IOrganisationRegistry.IssuanceLimitSet(coreEnterprise, limit, accounts[coreEnterprise].issued);
    }

    /// @dev Gives back `amount` of `coreEnterprise`'s issued, unpaid face (repayment into its pool
    /// `currency`/`maturity`) and closes that pool to new confirmations. Restoring more than was issued is
    /// a settlement bug: it reverts.
    function restoreIssuance(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        address coreEnterprise,
        address currency,
        uint64 maturity,
        uint256 amount
    ) external {
        if (ledger.params.paused) revert EnforcedPause();
        ledger.issuedPools[LedgerLayout.poolKey(coreEnterprise, currency, maturity)].closed = true;
        Organisations.Account storage account = accounts[coreEnterprise];
        uint256 issued = account.issued;
        if (amount > issued) revert IOrganisationRegistry.RegistryIssuanceRestoreExceeded(coreEnterprise, issued, amount);
        // Cannot underflow: checked just above.
        unchecked {
            issued -= amount;
        }
        account.issued = uint112(issued);
        emit IOrganisationRegistry.IssuanceRestored(coreEnterprise, amount, issued);
    }
}
