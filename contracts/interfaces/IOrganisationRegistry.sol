// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Ledgerline organisation registry
/// @notice The permissioned membership list of the ledger (in the spirit of ERC-3643): only a registered,
/// active organisation can hold or receive receivables. KYC happens off chain; only its record's hash is
/// kept. The registry also holds each core enterprise's issuance limit, set by the platform operator alone:
/// how much face it may have confirmed and unpaid. Confirmation consumes it and repayment restores it.
/// (A financier's own exposure limit on an obligor lives in the financing settlement.)
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
    }

    // ─── events ────────────────────────────────────────────────────────────────

    /// @notice `organisation` joined the ledger with `role`; `kycHash` identifies its off-chain KYC record.
    event OrganisationRegistered(address indexed organisation, OrganisationRole role, bytes32 kycHash);
    /// @notice `organisation` can no longer move, receive or confirm anything until reactivated.
    event OrganisationSuspended(address indexed organisation);
    /// @notice A suspended `organisation` may act again.
    event OrganisationReactivated(address indexed organisation);
    /// @notice The operator set the issuance limit of `coreEnterprise` to `limit`; `issued` is its confirmed,
    /// unpaid face at that moment.
    event IssuanceLimitSet(address indexed coreEnterprise, uint256 limit, uint256 issued);
    /// @notice Repayment restored `amount` of `coreEnterprise`'s issuance; `issued` is what remains unpaid.
    event IssuanceRestored(address indexed coreEnterprise, uint256 amount, uint256 issued);

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
    /// @notice Confirming `needed` more would take `coreEnterprise` over its issuance limit.
    error RegistryIssuanceLimitExceeded(address coreEnterprise, uint256 available, uint256 needed);
    /// @notice Repayment tried to restore `amount` of `coreEnterprise`'s issuance, more than its `issued`.
    error RegistryIssuanceRestoreExceeded(address coreEnterprise, uint256 issued, uint256 amount);

    // ─── operator ──────────────────────────────────────────────────────────────

    /// @notice Registers `organisation` with `role`. Operator only.
    function registerOrganisation(address organisation, OrganisationRole role, bytes32 kycHash) external;

    /// @notice Suspends `organisation`. Operator only.
    function suspendOrganisation(address organisation) external;

    /// @notice Reactivates a suspended `organisation`. Operator only.
    function reactivateOrganisation(address organisation) external;

    /// @notice Sets the issuance limit of `coreEnterprise`: how much face it may have confirmed and unpaid.
    /// Operator only (financiers set their own exposure limits in the financing settlement).
    /// @dev A limit below what is issued is allowed: it only blocks further confirmations.
    function setIssuanceLimit(address coreEnterprise, uint256 limit) external;

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @notice The registration record of `organisation` (role `None` when unregistered).
    function organisationOf(address organisation) external view returns (Organisation memory);

    /// @notice `coreEnterprise`'s issuance `limit` and the face it has `issued` (confirmed and unpaid).
    function issuanceLimitOf(address coreEnterprise) external view returns (uint256 limit, uint256 issued);
}
