// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev OpenZeppelin `Pausable`'s error shapes: the ledger keeps its pause flag in `Parameters` instead
/// of `Pausable`'s own slot (a cold read saved on every call), but speaks the same language.
error EnforcedPause();
error ExpectedPause();

/// @title The receivable token's storage layout
/// @notice Types only. The token keeps one `Ledger` and hands pointers into it to its linked
/// libraries (`Issuance`), which carry the token's cold paths so the token stays under the 24 KiB code limit.
/// @dev Each struct says what its slots hold; the packing is what the gas budgets rest on (see
/// docs/contracts.md). Never reorder fields: the library and the token must agree on the layout.
library LedgerLayout {
    uint8 internal constant FLAG_OFFERED = 1;
    uint8 internal constant FLAG_PLEDGED = 2;
    uint8 internal constant FLAG_FINANCED = 4;
    /// @dev Set with PLEDGED by a financing pledge (whose debt the vault records) and cleared with it: a
    /// financing happens once per id, ever, so "this id is under its financing pledge" names that one
    /// pledge, and a released pledge's debt can never come back with a later plain pledge.
    uint8 internal constant FLAG_PLEDGE_DEBT = 8;

    uint8 internal constant ROOT_FROZEN = 1;
    uint8 internal constant ROOT_OVERDUE = 2;

    /// @dev The low 32 bits of an id are its sequence number inside its tree (0 = the root).
    uint256 internal constant SEQ_MASK = 0xffffffff;

    /// @dev A receivable: two slots, packed by hand so that each is read once and written once.
    /// head  (slot 0): holder (bits 0-159) | amount (160-255). Written by every mint, split and change of holder.
    /// state (slot 1): counterparty (0-159) | offerDeadline (160-191) | parentSeq (192-223) | depth (224-231) |
    ///                 flags (232-239) | epoch (240-255).
    ///   counterparty names the offer's receiver while OFFERED, the pledgee while PLEDGED and otherwise the
    ///   ERC-721 approved address, so offering, pledging and every change of holder replace the approval
    ///   without touching another slot. A root's state stays all zero until it is first offered, pledged
    ///   or approved, so confirmation writes one slot less.
    ///   Acceptance writes only the head: the state keeps OFFERED with counterparty == the new holder,
    ///   which `live` reads as "no open offer" (an offer to oneself is impossible).
    ///   epoch counts whole-token offers and purchases and keys the ERC-3525 value allowances, so giving
    ///   the token away voids them without a loop.
    struct StoredReceivable {
        uint256 head;
        uint256 state;
    }

    uint256 internal constant ADDRESS_MASK = type(uint160).max;
    uint256 internal constant AMOUNT_SHIFT = 160;
    uint256 internal constant DEADLINE_SHIFT = 160;
    uint256 internal constant PARENT_SHIFT = 192;
    uint256 internal constant DEPTH_SHIFT = 224;
    uint256 internal constant FLAGS_SHIFT = 232;
    uint256 internal constant EPOCH_SHIFT = 240;
    /// @dev The bits of a state that outlive offers, pledges and approvals: parentSeq, depth and epoch.
    uint256 internal constant KEEP_MASK = (uint256(type(uint40).max) << PARENT_SHIFT) | (uint256(type(uint16).max) << EPOCH_SHIFT);
    uint256 internal constant EPOCH_MASK = uint256(type(uint16).max) << EPOCH_SHIFT;

    function head(address holder, uint256 amount) internal pure returns (uint256) {
        // Callers pass amount <= type(uint96).max, so the shift cannot lose bits.
        return uint256(uint160(holder)) | (amount << AMOUNT_SHIFT);
    }

    function holderOf(uint256 head_) internal pure returns (address) {
        return address(uint160(head_));
    }

    function amountOf(uint256 head_) internal pure returns (uint256) {
        return head_ >> AMOUNT_SHIFT;
    }

    function counterpartyOf(uint256 state) internal pure returns (address) {
        return address(uint160(state));
    }

    function offerDeadlineOf(uint256 state) internal pure returns (uint64) {
        return uint32(state >> DEADLINE_SHIFT);
    }

    function parentSeqOf(uint256 state) internal pure returns (uint32) {
        return uint32(state >> PARENT_SHIFT);
    }

    function depthOf(uint256 state) internal pure returns (uint8) {
        return uint8(state >> DEPTH_SHIFT);
    }

    function flagsOf(uint256 state) internal pure returns (uint8) {
        return uint8(state >> FLAGS_SHIFT);
    }

    function epochOf(uint256 state) internal pure returns (uint16) {
        return uint16(state >> EPOCH_SHIFT);
    }

    /// @dev `state` with a new counterparty, offer deadline and flags; lineage and epoch kept.
    function withTerms(uint256 state, address counterparty, uint256 offerDeadline, uint256 flags)
        internal
        pure
        returns (uint256)
    {
        // offerDeadline fits 32 bits and flags 8 (callers pass checked values), so nothing overlaps.
        return (state & KEEP_MASK) | uint256(uint160(counterparty)) | (offerDeadline << DEADLINE_SHIFT)
            | (flags << FLAGS_SHIFT);
    }

    /// @dev `state` with the next epoch. Wraps after 65,536 whole offers or sales of one token; a lapsed
    /// value allowance could then only come back for whoever holds the token at that time.
    function bumpEpoch(uint256 state) internal pure returns (uint256) {
        // Unchecked on purpose: the epoch is the top 16 bits, so carrying out of bit 255 is the wrap.
        unchecked {
            return (state & ~EPOCH_MASK) | ((state + (1 << EPOCH_SHIFT)) & EPOCH_MASK);
        }
    }

    /// @dev The state of a new child: its terms, its parent's sequence and its depth; epoch 0.
    function childState(address counterparty, uint256 offerDeadline, uint256 flags, uint256 parentSeq, uint256 depth)
        internal
        pure
        returns (uint256)
    {
        return uint256(uint160(counterparty)) | (offerDeadline << DEADLINE_SHIFT) | (parentSeq << PARENT_SHIFT)
            | (depth << DEPTH_SHIFT) | (flags << FLAGS_SHIFT);
    }

    /// @dev `state` as it stands: an accepted offer (OFFERED naming the holder itself) reads as settled,
    /// with no counterparty, no deadline and no OFFERED flag.
    function live(uint256 head_, uint256 state) internal pure returns (uint256) {
        if ((state >> FLAGS_SHIFT) & FLAG_OFFERED != 0 && uint160(state) == uint160(head_)) {
            return withTerms(state, address(0), 0, flagsOf(state) & ~FLAG_OFFERED);
        }
        return state;
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
    /// currencyCount (16) | systemBound (8: the movement roles were bound, once).
    struct Parameters {
        uint96 minPartAmount;
        uint8 maxDepth;
        uint32 defaultOfferWindow;
        bool paused;
        uint64 rootCount;
        uint16 currencyCount;
        bool systemBound;
    }

    /// @dev A currency's compact id (stored in each root) and whether new confirmations may use it.
    struct CurrencyEntry {
        uint16 id;
        bool allowed;
    }

    /// @dev Terms a supplier registered for its debtor to confirm, two slots: the terms hash; the debtor
    /// (160) | the invoice's maturity (64), at which the registration lapses. Deleted on confirmation or
    /// rejection.
    struct RegisteredInvoice {
        bytes32 termsHash;
        address debtor;
        uint64 maturity;
    }

    /// @dev A tree's dispute record (see `Disputes`), two slots:
    /// raiser (160) | raisedAt (40) | expiresAt (40, 0 = no end: upheld or the operator's) | upheld (8) |
    /// debtorRaised (8: the debtor has used its one dispute on this tree); then the evidence hash.
    /// Read on a move only when the root's FROZEN flag is set.
    struct Dispute {
        address raiser;
        uint40 raisedAt;
        uint40 expiresAt;
        bool upheld;
        bool debtorRaised;
        bytes32 evidenceHash;
    }

    /// @dev A repayment pool as the ledger sees it, one slot: the face confirmed into it (248) | closed (8).
    /// Confirmation reads and writes it anyway (the face), so refusing a closed pool costs no extra slot; the
    /// vault's first deposit sets `closed` in the same slot, which its own `issuedFace` read made warm.
    struct IssuedPool {
        uint248 face;
        bool closed;
    }

    /// @dev Everything the token stores besides the registry's accounts and AccessControl's roles.
    struct Ledger {
        Parameters params;
        mapping(uint256 id => StoredReceivable) receivables;
        mapping(uint256 rootSeq => StoredRoot) roots;
        mapping(bytes32 invoiceHash => uint256 rootId) invoiceRoots;
        /// @dev Keyed by supplier first: a registration is its supplier's own, and no other organisation's
        /// registration of the same hash can pre-empt it.
        mapping(address supplier => mapping(bytes32 invoiceHash => RegisteredInvoice)) registeredInvoices;
        /// @dev keccak256(abi.encode(issuer, currency, maturity)) => face confirmed for that repayment pool,
        /// and whether money was deposited into it (which closes it to confirmations).
        mapping(bytes32 poolKey => IssuedPool) issuedPools;
        mapping(address currency => CurrencyEntry) currencyEntries;
        mapping(uint16 currencyId => address currency) currencies;
        mapping(address holder => mapping(address operator => bool)) operatorApprovals;
        /// @dev grantor (160) | value (96, type(uint96).max = unlimited); see `Approvals`.
        mapping(uint256 id => mapping(uint16 epoch => mapping(address operator => uint256 grant))) valueAllowances;
        mapping(uint64 rootSeq => Dispute) disputes;
        /// @dev Unordered EIP-712 confirmation nonces (Permit2's bitmap): bit `n % 256` of word `n / 256`.
        mapping(address signer => mapping(uint256 wordPosition => uint256 bits)) nonceBitmaps;
        /// @dev keccak256(abi.encode(debtor, supplier, invoiceNumberHash)) => the root it was confirmed as:
        /// one invoice number per supplier and debtor is confirmed once, ever (never the number in clear).
        mapping(bytes32 commitment => uint256 rootId) invoiceNumberRoots;
    }

    function invoiceNumberCommitment(address debtor, address supplier, bytes32 invoiceNumberHash)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(debtor, supplier, invoiceNumberHash));
    }

    function poolKey(address issuer, address currency, uint64 maturity) internal pure returns (bytes32) {
        return keccak256(abi.encode(issuer, currency, maturity));
    }
}
