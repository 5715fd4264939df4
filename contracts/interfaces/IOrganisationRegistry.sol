// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Ledgerline organisation registry
/// @notice The permissioned membership list of the ledger (in the spirit of ERC-3643): only a registered,
/// active organisation can hold or receive receivables. KYC happens off chain; only its record's hash is
/// kept. The registry also holds the credit lines of core enterprises, which confirmation consumes and
/// repayment restores.
interface IOrganisationRegistry {
    /// @notice The single business role of an organisation. `None` means "not registered".
    enum OrganisationRole {
        None,
        CoreEnterprise,
        Supplier,
        Financier
    }

    /// @notice An organisation as the outside world sees it.
    struct Organisation {
        OrganisationRole role;
        bool active;
        /// @dev Number of receivables it holds (ERC-721 `balanceOf`).
        uint256 receivableCount;
        /// @dev Next EIP-712 nonce of this organisation as a signer.
        uint256 nonce;
    }

    // ─── events ────────────────────────────────────────────────────────────────

    /// @notice `organisation` joined the ledger with `role`; `kycHash` identifies its off-chain KYC record.
    event OrganisationRegistered(address indexed organisation, OrganisationRole role, bytes32 kycHash);
    /// @notice `organisation` can no longer move, receive or confirm anything until reactivated.
    event OrganisationSuspended(address indexed organisation);
    /// @notice A suspended `organisation` may act again.
    event OrganisationReactivated(address indexed organisation);
    /// @notice `grantor` (a financier or the operator) set the credit line of `coreEnterprise` to `limit`.
    event CreditLineSet(address indexed coreEnterprise, address indexed grantor, uint256 limit);
    /// @notice Repayment restored `amount` of `coreEnterprise`'s credit line; `used` is what remains in use.
    event CreditRestored(address indexed coreEnterprise, uint256 amount, uint256 used);

    // ─── errors ────────────────────────────────────────────────────────────────

    /// @notice `organisation` is already registered.
    error RegistryOrganisationAlreadyRegistered(address organisation);
    /// @notice `organisation` is not registered.
    error RegistryOrganisationNotRegistered(address organisation);
    /// @notice `organisation` is registered but suspended.
    error RegistryOrganisationSuspended(address organisation);
    /// @notice `organisation` is already active.
    error RegistryOrganisationAlreadyActive(address organisation);
    /// @notice `organisation` has `actual` role where `expected` is required.
    error RegistryWrongRole(address organisation, OrganisationRole expected, OrganisationRole actual);
    /// @notice The zero address or role `None` cannot be registered.
    error RegistryInvalidOrganisation(address organisation, OrganisationRole role);
    /// @notice Confirming `needed` more would take `coreEnterprise` over its credit line.
    error RegistryCreditLineExceeded(address coreEnterprise, uint256 available, uint256 needed);
    /// @notice `caller` may not set credit lines (only the operator or an active financier may).
    error RegistryUnauthorizedCreditGrantor(address caller);

    // ─── operator ──────────────────────────────────────────────────────────────

    /// @notice Registers `organisation` with `role`. Operator only.
    function registerOrganisation(address organisation, OrganisationRole role, bytes32 kycHash) external;

    /// @notice Suspends `organisation`. Operator only.
    function suspendOrganisation(address organisation) external;

    /// @notice Reactivates a suspended `organisation`. Operator only.
    function reactivateOrganisation(address organisation) external;

    /// @notice Sets the credit line of `coreEnterprise`. The operator or an active financier only.
    /// @dev A limit below current usage is allowed: it only blocks further confirmations.
    function setCreditLine(address coreEnterprise, uint256 limit) external;

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @notice The registration record of `organisation` (role `None` when unregistered).
    function organisationOf(address organisation) external view returns (Organisation memory);

    /// @notice `coreEnterprise`'s credit `limit` and the amount `used` by confirmed, unpaid receivables.
    function creditLineOf(address coreEnterprise) external view returns (uint256 limit, uint256 used);
}
