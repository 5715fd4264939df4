// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC3525} from "./IERC3525.sol";
import {IOrganisationRegistry} from "./IOrganisationRegistry.sol";

/// @title Ledgerline receivable token
/// @notice A receivable is a claim on a core enterprise for `amount` of a settlement token at `maturity`.
/// Confirming an invoice mints its *root* receivable to the supplier; splitting creates a *child* with
/// its own id, its parent and the same root. The receivables sharing a root form its *lineage tree*, whose
/// live amounts always add up to the root's face amount until redemption burns them.
///
/// Ids encode lineage: `id = rootSeq << 32 | seq`, where `seq` is 0 for the root and counts the root's
/// children from 1. So `rootId(id) = id & ~0xffffffff` is the root's own token id, and is also the
/// ERC-3525 slot. Every id handed out is non-zero.
///
/// A transfer to another organisation is an *offer* the receiver accepts or rejects before a deadline
/// (signing for receipt); meanwhile the offered receivable is held in escrow by this contract
/// (`ownerOf` answers this contract's address) and on rejection, cancellation or expiry it returns to
/// the sender. ERC-721 `transferFrom`/`safeTransferFrom` and ERC-3525 `transferFrom(id, to, value)` make
/// such an offer with the default offer window.
interface IReceivableToken is IERC3525, IOrganisationRegistry {
    /// @notice The terms of an invoice as the core enterprise confirms them (the EIP-712 `Confirmation`
    /// adds an unordered `nonce` of the signer's and a `deadline`).
    struct Invoice {
        /// @dev keccak256 of the canonical off-chain document; confirmable once, ever.
        bytes32 invoiceHash;
        /// @dev keccak256 of the invoice number, normalised (Unicode NFKC, whitespace removed, upper case).
        /// The ledger stores only `keccak256(abi.encode(debtor, supplier, invoiceNumberHash))`: one invoice
        /// number of one supplier to one debtor is confirmed once, ever, whatever its document hash.
        bytes32 invoiceNumberHash;
        address supplier;
        /// @dev The core enterprise that owes the money.
        address debtor;
        /// @dev The settlement token (ERC-20) the debt is paid in; must be allowed by the operator.
        address currency;
        /// @dev Face amount in `currency` base units.
        uint256 amount;
        /// @dev Unix seconds; must be in the future when confirmed.
        uint64 maturity;
    }

    // Bit flags of a receivable's state (`Receivable.flags`):
    // OFFERED (1): in escrow, offered to `counterparty` until `offerDeadline`.
    // PLEDGED (2): locked for `counterparty` (the pledgee); its holder cannot move or split it.
    // FINANCED (4): this part (or an ancestor after the split) was financed; it can never be financed again.
    // PLEDGE_DEBT (8): set with PLEDGED by a financing pledge, whose debt the repayment vault records, and
    // cleared with it. A financing happens once per id, ever, so the flag names that one pledge: a debt
    // counts only while it is set, and a released pledge's debt never comes back.

    /// @notice The PLEDGED flag (2), which the repayment vault reads.
    function FLAG_PLEDGED() external view returns (uint8);

    /// @notice A receivable as the outside world sees it.
    struct Receivable {
        /// @dev The organisation the claim belongs to (the sender while an offer is open); zero once burnt.
        address holder;
        uint256 amount;
        uint256 rootId;
        /// @dev Zero for a root.
        uint256 parentId;
        /// @dev 0 for a root, parent's depth + 1 for a child.
        uint8 depth;
        uint8 flags;
        /// @dev The offer's receiver while OFFERED, the pledgee while PLEDGED, otherwise zero.
        address counterparty;
        uint64 offerDeadline;
    }

    /// @notice What every receivable of one lineage tree shares.
    struct Root {
        /// @dev The core enterprise (debtor).
        address issuer;
        address currency;
        uint64 maturity;
        /// @dev Under a live dispute (raised and neither released nor lapsed).
        bool frozen;
        bool overdue;
    }

    /// @notice A tree's latest dispute.
    struct Dispute {
        /// @dev The debtor or the operator; zero when the tree was never disputed.
        address raiser;
        bytes32 evidenceHash;
        uint64 raisedAt;
        /// @dev When a debtor's dispute lapses unless upheld; 0 when it has no end.
        uint64 expiresAt;
        bool upheld;
        /// @dev Still freezes the tree: neither released nor lapsed.
        bool live;
    }

    /// @notice Why an offer ended without acceptance.
    enum OfferEnd {
        Rejected,
        Cancelled,
        Expired
    }

    // ─── events (the indexer's API: complete without reading storage) ─────────────

    /// @notice OpenZeppelin `Pausable`'s events: the operator halted, or resumed, every state change.
    event Paused(address account);
    event Unpaused(address account);
    event CurrencyAllowed(address indexed currency, bool allowed);
    event LedgerParametersSet(uint256 minPartAmount, uint8 maxDepth, uint32 defaultOfferWindow);

    /// @notice `supplier` registered `invoiceHash` for `debtor` to confirm. Registrations are keyed by
    /// supplier and hash: another supplier's registration of the same hash never blocks this one.
    event InvoiceRegistered(
        bytes32 indexed invoiceHash,
        address indexed supplier,
        address indexed debtor,
        bytes32 invoiceNumberHash,
        address currency,
        uint256 amount,
        uint64 maturity
    );
    /// @notice `debtor` turned down `supplier`'s registration of `invoiceHash`.
    event InvoiceRejected(bytes32 indexed invoiceHash, address indexed supplier, address indexed debtor, string reason);
    /// @notice The root receivable `rootId` was minted to `supplier`; `nonce` is the signer's nonce used
    /// (type(uint256).max when the debtor confirmed by its own transaction). `invoiceNumberHash` is now
    /// confirmed for this debtor and supplier, for good (`rootIdOfInvoiceNumber`).
    event InvoiceConfirmed(
        bytes32 indexed invoiceHash,
        uint256 indexed rootId,
        address indexed debtor,
        address supplier,
        bytes32 invoiceNumberHash,
        address currency,
        uint256 amount,
        uint64 maturity,
        uint256 nonce
    );
    /// @notice `amount` was split off `parentId` into the new `childId`, held by `holder`;
    /// `parentAmount` is what the parent keeps.
    event ReceivableSplit(
        uint256 indexed parentId,
        uint256 indexed childId,
        address indexed holder,
        uint256 amount,
        uint256 parentAmount
    );
    event TransferOffered(uint256 indexed id, address indexed from, address indexed to, uint64 deadline);
    event OfferAccepted(uint256 indexed id, address indexed from, address indexed to);
    event OfferEnded(uint256 indexed id, address indexed from, address indexed to, OfferEnd reason);
    /// @notice Moved at once, without an offer, by the financing settlement (the receiver signed the quote).
    event ReceivableMoved(uint256 indexed id, address indexed from, address indexed to);
    event ReceivablePledged(uint256 indexed id, address indexed holder, address indexed pledgee);
    event PledgeReleased(uint256 indexed id, address indexed holder, address indexed pledgee);
    event ReceivableFinanced(uint256 indexed id, address indexed holder);
    /// @notice `raiser` (the tree's debtor or the operator) disputed the tree of `rootId` on the evidence
    /// document hashed `evidenceHash`; the tree is frozen until `expiresAt` (0: until the operator
    /// releases it). A debtor's dispute lapses at `expiresAt` unless upheld: no event marks the lapse.
    event DisputeRaised(uint256 indexed rootId, address indexed raiser, bytes32 evidenceHash, uint64 expiresAt);
    /// @notice The operator upheld the dispute on `rootId`: the tree stays frozen until released.
    event DisputeUpheld(uint256 indexed rootId, address indexed operator);
    /// @notice The operator released the dispute on `rootId`: the tree moves again.
    event DisputeReleased(uint256 indexed rootId, address indexed operator);
    event RootOverdue(uint256 indexed rootId);
    event ReceivableBurned(uint256 indexed id, address indexed holder, uint256 amount);
    /// @notice `signer` cancelled the nonces set in `mask` of word `wordPosition` (`invalidateNonces`).
    event NoncesInvalidated(address indexed signer, uint256 wordPosition, uint256 mask);

    // ─── errors ────────────────────────────────────────────────────────────────

    error ReceivableNonexistent(uint256 id);
    error ReceivableZeroAmount();
    error ReceivableMaturityInPast(uint64 maturity, uint256 nowTimestamp);
    error ReceivableMatured(uint256 id, uint64 maturity);
    error ReceivableCurrencyNotAllowed(address currency);
    error ReceivableAmountTooLarge(uint256 amount, uint256 max);
    error ReceivableInvoiceAlreadyConfirmed(bytes32 invoiceHash);
    /// @notice Money was deposited into the repayment pool (`issuer`, `currency`, `maturity`): it is closed to
    /// new confirmations and registrations, so that a deposit pays exactly the receivables it was made for.
    error ReceivablePoolClosed(address issuer, address currency, uint64 maturity);
    /// @notice `supplier` has a live registration of `invoiceHash` already (until its maturity passes).
    error ReceivableInvoiceAlreadyRegistered(bytes32 invoiceHash, address supplier);
    /// @notice `supplier` has no live registration of `invoiceHash`.
    error ReceivableInvoiceNotRegistered(bytes32 invoiceHash, address supplier);
    /// @notice This invoice number of this supplier to this debtor (`commitment` =
    /// keccak256(abi.encode(debtor, supplier, invoiceNumberHash))) was confirmed already, as `rootId`.
    error ReceivableInvoiceNumberAlreadyConfirmed(bytes32 commitment, uint256 rootId);
    error ReceivableInvoiceTermsMismatch(bytes32 invoiceHash);
    error ReceivableInvalidSigner(address signer, address debtor);
    error ReceivableSignatureExpired(uint256 deadline, uint256 nowTimestamp);
    /// @notice `signer`'s `nonce` was used or cancelled already.
    error ReceivableNonceUsed(address signer, uint256 nonce);
    error ReceivableUnauthorized(address caller, uint256 id);
    error ReceivableInsufficientAmount(uint256 id, uint256 available, uint256 needed);
    error ReceivablePartTooSmall(uint256 amount, uint256 minPartAmount);
    error ReceivableTooDeep(uint256 id, uint8 maxDepth);
    error ReceivableSelfTransfer(uint256 id, address to);
    error ReceivableIsPledged(uint256 id, address pledgee);
    error ReceivableNotPledged(uint256 id);
    error ReceivableIsOffered(uint256 id, address to);
    error ReceivableNotOffered(uint256 id);
    error ReceivableOfferExpired(uint256 id, uint64 deadline);
    error ReceivableOfferNotExpired(uint256 id, uint64 deadline);
    error ReceivableInvalidDeadline(uint64 deadline);
    error ReceivableFrozen(uint256 rootId);
    error ReceivableNotFrozen(uint256 rootId);
    /// @notice `debtor` already raised its one dispute on the tree of `rootId`.
    error ReceivableDisputeAlreadyRaised(uint256 rootId, address debtor);
    error ReceivableOverdue(uint256 rootId);
    error ReceivableAlreadyFinanced(uint256 id);
    error ReceivableMergeUnsupported(uint256 fromId, uint256 toId);
    error ReceivableInvalidParameters();
    /// @notice FINANCING_ROLE and SETTLEMENT_ROLE belong to the system contracts bound at deployment; they
    /// can never be granted, revoked or renounced.
    error ReceivableRoleFixed(bytes32 role);
    /// @notice OpenZeppelin `Pausable`'s error for `unpause` while running (the ledger's libraries revert
    /// it; declared here so that it is in the ledger's ABI).
    error ExpectedPause();
    /// @notice `bindSystemContracts` runs once, at deployment.
    error ReceivableSystemAlreadyBound();

    // ─── admin (DEFAULT_ADMIN_ROLE: a TimelockController on real networks) ───────

    /// @notice Grants FINANCING_ROLE to `financing` and SETTLEMENT_ROLE to `vault`, once, at deployment.
    /// Neither role can be granted, revoked or renounced in any other way. Default admin only.
    function bindSystemContracts(address financing, address vault) external;

    /// @notice Allows or disallows `currency` as a settlement token for new confirmations. Default admin only.
    function setCurrencyAllowed(address currency, bool allowed) external;

    /// @notice Sets the anti-griefing limits and the default offer window. Default admin only.
    function setLedgerParameters(uint256 minPartAmount, uint8 maxDepth, uint32 defaultOfferWindow) external;

    // ─── operator ──────────────────────────────────────────────────────────────

    /// @notice Halts every state change. Operator only.
    function pause() external;

    function unpause() external;

    // ─── invoices and confirmation ─────────────────────────────────────────────

    /// @notice The supplier announces an invoice for its debtor to confirm (optional before confirmation;
    /// when present, the confirmed terms must match it). A registration is the supplier's own: keyed by
    /// supplier and hash, so nobody can pre-empt it; it lapses at its maturity (then the supplier may
    /// register the hash again), and every registration of a hash is dead once the hash is confirmed.
    function registerInvoice(Invoice calldata invoice) external;

    /// @notice The debtor rejects `supplier`'s live registration of `invoiceHash`; the supplier may
    /// register corrected terms.
    function rejectInvoice(bytes32 invoiceHash, address supplier, string calldata reason) external;

    /// @notice The debtor confirms `invoice` by its own transaction. Mints the root receivable to the
    /// supplier and consumes the debtor's issuance limit.
    function confirmInvoice(Invoice calldata invoice) external returns (uint256 rootId);

    /// @notice Anyone submits the debtor's EIP-712 `Confirmation` signature (ERC-1271 for contract
    /// wallets). `nonce` is any of the debtor's unused nonces (unordered, a bitmap as in Permit2): it is
    /// used up, so a withheld signature never blocks the debtor's later ones, and the debtor can cancel a
    /// signature it handed out with `invalidateNonces`.
    function confirmInvoiceWithSignature(
        Invoice calldata invoice,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 rootId);

    /// @notice EIP-712 digest the debtor signs to confirm `invoice` with (unordered) `nonce` and `deadline`.
    function confirmationDigest(Invoice calldata invoice, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32);

    /// @notice `signer`'s used (or cancelled) nonces `wordPosition * 256` to `wordPosition * 256 + 255`,
    /// bit `n % 256` for nonce `n`.
    function nonceBitmap(address signer, uint256 wordPosition) external view returns (uint256);

    /// @notice The caller cancels its nonces whose bits are set in `mask`, in word `wordPosition`: a
    /// confirmation signed with one of them can no longer be submitted.
    function invalidateNonces(uint256 wordPosition, uint256 mask) external;

    // ─── split, transfer, offers ───────────────────────────────────────────────

    /// @notice Splits `amount` off `id` into a new child kept by the same holder.
    function split(uint256 id, uint256 amount) external returns (uint256 childId);

    /// @notice Offers `amount` of `id` to `to` until `deadline` (0 = the default window). The whole
    /// amount offers the token itself; less splits a child off and offers that.
    function offerTransfer(uint256 id, address to, uint256 amount, uint64 deadline)
        external
        returns (uint256 offeredId);

    /// @notice The receiver takes the offered receivable.
    function acceptOffer(uint256 id) external;

    /// @notice The receiver declines; the receivable returns to the sender.
    function rejectOffer(uint256 id) external;

    /// @notice The sender withdraws its open offer.
    function cancelOffer(uint256 id) external;

    /// @notice Anyone returns an expired offer to its sender.
    function reclaimExpiredOffer(uint256 id) external;

    // ─── pledge, disputes ──────────────────────────────────────────────────────

    /// @notice The holder locks `id` for `pledgee` (a registered financier).
    function pledge(uint256 id, address pledgee) external;

    /// @notice The pledgee (or the settlement contracts) unlocks `id`.
    function releasePledge(uint256 id) external;

    /// @notice The tree's debtor (active, once per tree) or the operator disputes the lineage tree of
    /// `rootId`, freezing it in O(1). A debtor's dispute lapses after `disputePeriod()` unless the operator
    /// upholds it; the operator's own lasts until it releases it.
    function raiseDispute(uint256 rootId, bytes32 evidenceHash) external;

    /// @notice The operator upholds (`uphold`: frozen until released) or releases the live dispute on
    /// `rootId`. Operator only.
    function resolveDispute(uint256 rootId, bool uphold) external;

    /// @notice The latest dispute on the tree of `rootId`.
    function disputeOf(uint256 rootId) external view returns (Dispute memory);

    /// @notice Seconds after which a debtor's dispute lapses unless upheld (set at deployment).
    function disputePeriod() external view returns (uint256);

    // ─── settlement hooks (FINANCING_ROLE / SETTLEMENT_ROLE contracts only) ──────

    /// @notice Splits `amount` off `id` (or takes the whole token) and moves it to `financier` at once,
    /// marked FINANCED. FINANCING_ROLE.
    function financePurchase(uint256 id, uint256 amount, address financier) external returns (uint256 financedId);

    /// @notice Splits `amount` off `id` (or takes the whole token), marks it FINANCED and pledges it to
    /// `pledgee`; the holder keeps it. FINANCING_ROLE.
    function financePledge(uint256 id, uint256 amount, address pledgee) external returns (uint256 financedId);

    /// @notice Burns `id` at redemption; returns what was burnt. SETTLEMENT_ROLE.
    function burn(uint256 id) external returns (Receivable memory burnt);

    /// @notice Marks a whole tree overdue. SETTLEMENT_ROLE (which checks maturity, grace and payment).
    function markOverdue(uint256 rootId) external;


    /// @notice Restores `amount` of `coreEnterprise`'s issuance limit after a repayment into its pool
    /// (`currency`, `maturity`), and closes that pool to new confirmations (`ReceivablePoolClosed`): money in
    /// a pool pays the receivables it was deposited for, never one confirmed later. SETTLEMENT_ROLE.
    function restoreIssuance(address coreEnterprise, address currency, uint64 maturity, uint256 amount) external;

    // ─── views ─────────────────────────────────────────────────────────────────

    function receivableOf(uint256 id) external view returns (Receivable memory);

    function rootOf(uint256 rootId) external view returns (Root memory);

    /// @notice The root id the confirmed `invoiceHash` became (0 if never confirmed).
    function rootIdOfInvoice(bytes32 invoiceHash) external view returns (uint256);

    /// @notice The root id the invoice number `commitment` (keccak256(abi.encode(debtor, supplier,
    /// invoiceNumberHash))) was confirmed as (0 if never).
    function rootIdOfInvoiceNumber(bytes32 commitment) external view returns (uint256);

    /// @notice Total face amount confirmed for `issuer` in `currency` maturing at `maturity`.
    function issuedFace(address issuer, address currency, uint64 maturity) external view returns (uint256);

    function isCurrencyAllowed(address currency) external view returns (bool);

    function ledgerParameters()
        external
        view
        returns (uint256 minPartAmount, uint8 maxDepth, uint32 defaultOfferWindow);
}
