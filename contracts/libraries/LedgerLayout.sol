// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev OpenZeppelin `Pausable`'s error shapes: the ledger keeps its pause flag in `Parameters` instead
/// of `Pausable`'s own slot (a cold read saved on every call), but speaks the same language.
error EnforcedPause();
error ExpectedPause();

/// @title The receivable token's storage layout
/// @notice Types only. The token keeps one `Ledger` and hands pointers into it to `ReceivableAdmin`, the
/// linked library that carries the token's cold paths so the token stays under the 24 KiB code limit.
/// @dev Each struct says what its slots hold; the packing is what the gas budgets rest on (see
/// docs/contracts.md). Never reorder fields: the library and the token must agree on the layout.
library LedgerLayout {
    uint8 internal constant FLAG_OFFERED = 1;
    uint8 internal constant FLAG_PLEDGED = 2;
    uint8 internal constant FLAG_FINANCED = 4;

    uint8 internal constant ROOT_FROZEN = 1;
    uint8 internal constant ROOT_OVERDUE = 2;

    /// @dev The low 32 bits of an id are its sequence number inside its tree (0 = the root).
    uint256 internal constant SEQ_MASK = 0xffffffff;

    /// @dev A receivable, two slots.
    /// slot 0: holder (160) | amount (96). Written by every mint, split and change of holder.
    /// slot 1: counterparty (160) | offerDeadline (32) | parentSeq (32) | depth (8) | flags (8) | epoch (16).
    ///   counterparty is the offer's receiver while OFFERED, the pledgee while PLEDGED and otherwise the
    ///   ERC-721 approved address, so offering, pledging and every change of holder clear the approval
    ///   without touching another slot. A root's slot 1 stays all zero until it is first offered,
    ///   pledged or approved, so confirmation writes one slot less. epoch counts changes of holder and
    ///   keys the ERC-3525 value allowances, so a change of holder voids them without a loop.
    struct StoredReceivable {
        address holder;
        uint96 amount;
        address counterparty;
        uint32 offerDeadline;
        uint32 parentSeq;
        uint8 depth;
        uint8 flags;
        uint16 epoch;
    }

    /// @dev What a lineage tree shares, one slot:
    /// issuer (160) | maturity (40) | childCount (32) | flags (8: frozen, overdue) | currencyId (16).
    /// Every move reads it (frozen, overdue, maturity) and every split bumps childCount in it.
    struct StoredRoot {
        address issuer;
        uint40 maturity;
        uint32 childCount;
        uint8 flags;
        uint16 currencyId;
    }

    /// @dev The ledger's parameters, pause flag and counters, one slot read once by most calls:
    /// minPartAmount (96) | maxDepth (8) | defaultOfferWindow (32) | paused (8) | rootCount (64) |
    /// currencyCount (16).
    struct Parameters {
        uint96 minPartAmount;
        uint8 maxDepth;
        uint32 defaultOfferWindow;
        bool paused;
        uint64 rootCount;
        uint16 currencyCount;
    }

    /// @dev A currency's compact id (stored in each root) and whether new confirmations may use it.
    struct CurrencyEntry {
        uint16 id;
        bool allowed;
    }

    /// @dev Terms a supplier registered for its debtor to confirm; deleted on confirmation or rejection.
    struct RegisteredInvoice {
        bytes32 termsHash;
        address debtor;
    }

    /// @dev Everything the token stores besides the registry's accounts and AccessControl's roles.
    struct Ledger {
        Parameters params;
        mapping(uint256 id => StoredReceivable) receivables;
        mapping(uint256 rootSeq => StoredRoot) roots;
        mapping(bytes32 invoiceHash => uint256 rootId) invoiceRoots;
        mapping(bytes32 invoiceHash => RegisteredInvoice) registeredInvoices;
        /// @dev keccak256(abi.encode(issuer, currency, maturity)) => face confirmed for that repayment pool.
        mapping(bytes32 poolKey => uint256 face) issuedFace;
        mapping(address currency => CurrencyEntry) currencyEntries;
        mapping(uint16 currencyId => address currency) currencies;
        mapping(address holder => mapping(address operator => bool)) operatorApprovals;
        mapping(uint256 id => mapping(uint16 epoch => mapping(address operator => uint256 value))) valueAllowances;
    }

    function poolKey(address issuer, address currency, uint64 maturity) internal pure returns (bytes32) {
        return keccak256(abi.encode(issuer, currency, maturity));
    }
}
