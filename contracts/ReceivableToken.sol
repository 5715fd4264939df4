// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC3525} from "./interfaces/IERC3525.sol";
import {IReceivableToken} from "./interfaces/IReceivableToken.sol";
import {OrganisationRegistry} from "./OrganisationRegistry.sol";
import {EnforcedPause, LedgerLayout} from "./libraries/LedgerLayout.sol";
import {Organisations} from "./libraries/Organisations.sol";
import {Approvals} from "./libraries/Approvals.sol";
import {Disputes} from "./libraries/Disputes.sol";
import {Issuance} from "./libraries/Issuance.sol";
import {Membership} from "./libraries/Membership.sol";
import {Offers} from "./libraries/Offers.sol";

/// @title Ledgerline receivable token
/// @notice Confirmed invoices become root receivables; holders split them and offer parts down the supply
/// chain; financing and settlement contracts (FINANCING_ROLE / SETTLEMENT_ROLE) buy, pledge and burn them.
/// @dev Storage is laid out for the hot paths (see `docs/contracts.md`): a receivable is two slots, its tree
/// one, an organisation one. Every movement passes the single rule gate `_checkMove`, and every change of
/// ERC-721 ownership passes `_update`. There is no on-chain enumeration: the indexer serves listings.
/// Pausing is a flag in the packed parameter slot (read by every call anyway) with OpenZeppelin
/// `Pausable`'s event and error shapes, instead of `Pausable`'s own slot, to save a cold read per call.
/// The cold paths run in linked libraries named after what they hold, in this contract's storage, to stay
/// under 24 KiB: `Issuance` (invoices, confirmation, currencies, parameters), `Membership` (onboarding,
/// suspension, issuance limits), `Approvals` (ERC-721 approvals, ERC-3525 value allowances), `Disputes`
/// (raising and resolving the dispute that freezes a tree), `Offers` (ending an offer without acceptance).
/// Powers: the movement roles (FINANCING_ROLE, SETTLEMENT_ROLE) are bound once, at deployment, to the
/// system contracts and can never be granted, revoked or renounced afterwards; DEFAULT_ADMIN_ROLE (in
/// production a TimelockController) changes parameters and grants OPERATOR_ROLE, and its own transfer
/// waits `defaultAdminDelay()` (OpenZeppelin `AccessControlDefaultAdminRules`).
contract ReceivableToken is IReceivableToken, IERC721Errors, OrganisationRegistry, EIP712 {
    // ─── roles, flags, constants ───────────────────────────────────────────────

    /// @notice The financing settlement contract: buys and pledges receivables against signed quotes.
    bytes32 public constant FINANCING_ROLE = keccak256("FINANCING_ROLE");
    /// @notice The repayment vault: burns redeemed receivables, marks trees overdue, restores issuance.
    bytes32 public constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");

    /// @dev The flags of `Receivable.flags` (documented in IReceivableToken).
    uint8 private constant FLAG_OFFERED = LedgerLayout.FLAG_OFFERED;
    /// @inheritdoc IReceivableToken
    uint8 public constant FLAG_PLEDGED = LedgerLayout.FLAG_PLEDGED;
    uint8 private constant FLAG_FINANCED = LedgerLayout.FLAG_FINANCED;

    bytes32 public constant CONFIRMATION_TYPEHASH = Issuance.CONFIRMATION_TYPEHASH;

    uint8 private constant _PLEDGE_DEBT = LedgerLayout.FLAG_PLEDGE_DEBT;
    uint8 private constant _ROOT_FROZEN = LedgerLayout.ROOT_FROZEN;
    uint8 private constant _ROOT_OVERDUE = LedgerLayout.ROOT_OVERDUE;
    uint256 private constant _SEQ_MASK = LedgerLayout.SEQ_MASK;
    /// @dev Exemptions a caller of `_checkMove` may ask for.
    uint256 private constant _ALLOW_MATURED = 1;
    uint256 private constant _ALLOW_PLEDGED = 2;
    uint256 private constant _ALLOW_OVERDUE = 4;
    /// @dev Leave the tree (frozen, overdue, matured) to a later check; see `_offer`.
    uint256 private constant _DEFER_TREE = 8;

    /// @dev Seconds after which a debtor's dispute lapses unless the operator upholds it.
    uint256 private immutable _DISPUTE_PERIOD;

    // ─── storage ───────────────────────────────────────────────────────────────

    /// @dev Receivables, trees, invoices, currencies, approvals and the packed parameters; the slots are
    /// described in `LedgerLayout`. Organisations live in the registry's `_accounts`.
    LedgerLayout.Ledger private _ledger;

    // ─── construction ──────────────────────────────────────────────────────────

    /// @param admin Gets DEFAULT_ADMIN_ROLE: binds the system contracts once, sets parameters, grants
    /// OPERATOR_ROLE. Hand it to a TimelockController once deployed (see scripts/deploySystem.ts).
    /// @param adminDelay Seconds a transfer of DEFAULT_ADMIN_ROLE waits (AccessControlDefaultAdminRules).
    /// @param operator Gets OPERATOR_ROLE.
    /// @param disputePeriod_ Seconds after which a debtor's dispute lapses unless the operator upholds it.
    constructor(
        address admin,
        uint48 adminDelay,
        address operator,
        uint32 disputePeriod_,
        uint256 minPartAmount,
        uint8 maxDepth,
        uint32 defaultOfferWindow
    ) EIP712("Ledgerline Receivable", "1") AccessControlDefaultAdminRules(adminDelay, admin) {
        if (disputePeriod_ == 0) revert ReceivableInvalidParameters();
        _DISPUTE_PERIOD = disputePeriod_;
        _grantRole(OPERATOR_ROLE, operator);
        Issuance.setLedgerParameters(_ledger, minPartAmount, maxDepth, defaultOfferWindow);
    }

    // ─── admin (parameters; a TimelockController on real networks) ────────────

    /// @inheritdoc IReceivableToken
    function bindSystemContracts(address financing, address vault) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_ledger.params.systemBound) revert ReceivableSystemAlreadyBound();
        _ledger.params.systemBound = true;
        // The parent's grant: this contract's own `_grantRole` refuses the movement roles.
        super._grantRole(FINANCING_ROLE, financing);
        super._grantRole(SETTLEMENT_ROLE, vault);
    }

    /// @inheritdoc IReceivableToken
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Issuance.setCurrencyAllowed(_ledger, currency, allowed);
    }

    /// @inheritdoc IReceivableToken
    function setLedgerParameters(uint256 minPartAmount, uint8 maxDepth, uint32 defaultOfferWindow)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        Issuance.setLedgerParameters(_ledger, minPartAmount, maxDepth, defaultOfferWindow);
    }

    // ─── operator ──────────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function pause() external onlyRole(OPERATOR_ROLE) {
        Issuance.setPaused(_ledger, msg.sender, true);
    }

    /// @inheritdoc IReceivableToken
    function unpause() external onlyRole(OPERATOR_ROLE) {
        Issuance.setPaused(_ledger, msg.sender, false);
    }

    // ─── invoices and confirmation ─────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function registerInvoice(Invoice calldata invoice) external {
        Issuance.registerInvoice(_ledger, _accounts, msg.sender, invoice);
    }

    /// @inheritdoc IReceivableToken
    function rejectInvoice(bytes32 invoiceHash, address supplier, string calldata reason) external {
        Issuance.rejectInvoice(_ledger, msg.sender, invoiceHash, supplier, reason);
    }

    /// @inheritdoc IReceivableToken
    function confirmInvoice(Invoice calldata invoice) external returns (uint256 rootId) {
        return Issuance.confirmDirect(_ledger, _accounts, _issuanceLimits, msg.sender, invoice);
    }

    /// @inheritdoc IReceivableToken
    function confirmInvoiceWithSignature(
        Invoice calldata invoice,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 rootId) {
        return Issuance.confirmSigned(
            _ledger, _accounts, _issuanceLimits, _domainSeparatorV4(), invoice, nonce, deadline, signature
        );
    }

    /// @inheritdoc IReceivableToken
    function confirmationDigest(Invoice calldata invoice, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return Issuance.confirmationDigest(_domainSeparatorV4(), invoice, nonce, deadline);
    }

    /// @inheritdoc IReceivableToken
    function nonceBitmap(address signer, uint256 wordPosition) external view returns (uint256) {
        return _ledger.nonceBitmaps[signer][wordPosition];
    }

    /// @inheritdoc IReceivableToken
    function invalidateNonces(uint256 wordPosition, uint256 mask) external {
        Issuance.invalidateNonces(_ledger, msg.sender, wordPosition, mask);
    }

    // ─── split, transfer, offers ───────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function split(uint256 id, uint256 amount) external returns (uint256 childId) {
        (uint256 head, uint256 state) = _load(id);
        address holder = LedgerLayout.holderOf(head);
        _checkAuthorized(msg.sender, holder, id, state);
        _checkMove(id, holder, holder, state, 0);
        uint256 financed = LedgerLayout.flagsOf(state) & FLAG_FINANCED;
        childId = _splitOff(id, head, state, amount, holder, holder, LedgerLayout.childState(address(0), 0, financed, 0, 0));
    }

    /// @inheritdoc IReceivableToken
    function offerTransfer(uint256 id, address to, uint256 amount, uint64 deadline)
        external
        returns (uint256 offeredId)
    {
        (uint256 head, uint256 state) = _load(id);
        _checkAuthorized(msg.sender, LedgerLayout.holderOf(head), id, state);
        return _offer(id, head, state, to, amount, deadline);
    }

    /// @inheritdoc IReceivableToken
    function acceptOffer(uint256 id) external {
        (uint256 head, uint256 state) = _load(id);
        if (LedgerLayout.flagsOf(state) & FLAG_OFFERED == 0) revert ReceivableNotOffered(id);
        address to = LedgerLayout.counterpartyOf(state);
        if (msg.sender != to) revert ReceivableUnauthorized(msg.sender, id);
        uint64 deadline = LedgerLayout.offerDeadlineOf(state);
        if (block.timestamp > deadline) revert ReceivableOfferExpired(id, deadline);
        address from = LedgerLayout.holderOf(head);
        // The claim changes hands now, so everything is checked: both parties, and the tree (frozen,
        // overdue, matured — after maturity an open offer can only go back to its sender).
        _checkMove(id, from, to, state & ~(uint256(FLAG_OFFERED) << LedgerLayout.FLAGS_SHIFT), 0);
        // Only the head changes: the state still names `to`, which now reads as a settled offer.
        _ledger.receivables[id].head = LedgerLayout.head(to, LedgerLayout.amountOf(head));
        _update(address(this), to, id);
        emit OfferAccepted(id, from, to);
    }

    /// @inheritdoc IReceivableToken
    function rejectOffer(uint256 id) external {
        Offers.end(_ledger, _accounts, address(this), msg.sender, id, OfferEnd.Rejected);
    }

    /// @inheritdoc IReceivableToken
    function cancelOffer(uint256 id) external {
        Offers.end(_ledger, _accounts, address(this), msg.sender, id, OfferEnd.Cancelled);
    }

    /// @inheritdoc IReceivableToken
    function reclaimExpiredOffer(uint256 id) external {
        Offers.end(_ledger, _accounts, address(this), msg.sender, id, OfferEnd.Expired);
    }

    // ─── pledge, disputes ──────────────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function pledge(uint256 id, address pledgee) external {
        (uint256 head, uint256 state) = _load(id);
        address holder = LedgerLayout.holderOf(head);
        _checkAuthorized(msg.sender, holder, id, state);
        if (pledgee == holder) revert ReceivableSelfTransfer(id, pledgee);
        _requireRole(pledgee, OrganisationRole.Financier);
        _checkMove(id, holder, pledgee, state, 0);
        _ledger.receivables[id].state =
            LedgerLayout.withTerms(state, pledgee, 0, LedgerLayout.flagsOf(state) | FLAG_PLEDGED);
        emit ReceivablePledged(id, holder, pledgee);
    }

    /// @inheritdoc IReceivableToken
    function releasePledge(uint256 id) external {
        Offers.releasePledge(_ledger, address(this), msg.sender, id);
    }

    /// @inheritdoc IReceivableToken
    function raiseDispute(uint256 rootId, bytes32 evidenceHash) external {
        Disputes.raise(
            _ledger, _accounts, msg.sender, hasRole(OPERATOR_ROLE, msg.sender), rootId, evidenceHash, _DISPUTE_PERIOD
        );
    }

    /// @inheritdoc IReceivableToken
    function resolveDispute(uint256 rootId, bool uphold) external onlyRole(OPERATOR_ROLE) {
        Disputes.resolve(_ledger, msg.sender, rootId, uphold);
    }

    // ─── settlement hooks ──────────────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function financePurchase(uint256 id, uint256 amount, address financier)
        external
        onlyRole(FINANCING_ROLE)
        returns (uint256 financedId)
    {
        return _finance(id, amount, financier, false);
    }

    /// @inheritdoc IReceivableToken
    function financePledge(uint256 id, uint256 amount, address pledgee)
        external
        onlyRole(FINANCING_ROLE)
        returns (uint256 financedId)
    {
        return _finance(id, amount, pledgee, true);
    }

    /// @inheritdoc IReceivableToken
    function burn(uint256 id) external onlyRole(SETTLEMENT_ROLE) returns (Receivable memory burnt) {
        (uint256 head, uint256 state) = _load(id);
        address holder = LedgerLayout.holderOf(head);
        // The vault decides when redemption is due and pays a pledgee first, so a matured, pledged or
        // overdue receivable may burn; an open offer or a frozen tree may not.
        _checkMove(id, holder, holder, state, _ALLOW_MATURED | _ALLOW_PLEDGED | _ALLOW_OVERDUE);
        burnt = _toReceivable(id, head, state);
        delete _ledger.receivables[id];
        // The ERC-3525 reference implementation's order for a burn (TransferValue before Transfer). Its
        // SlotChanged(id, slot, 0) is left out: measured at 1,919 gas, it takes a full redemption from 79,177 to
        // 81,096, past its 80,000 budget, and
        // `slotOf` of a burnt token answers nothing anyway (docs/contracts.md, Conformance).
        emit TransferValue(id, 0, burnt.amount);
        _update(holder, address(0), id);
        emit ReceivableBurned(id, holder, burnt.amount);
    }

    /// @inheritdoc IReceivableToken
    function markOverdue(uint256 rootId) external onlyRole(SETTLEMENT_ROLE) {
        Disputes.markOverdue(_ledger, rootId);
    }

    /// @inheritdoc IReceivableToken
    function restoreIssuance(address coreEnterprise, address currency, uint64 maturity, uint256 amount)
        external
        onlyRole(SETTLEMENT_ROLE)
    {
        Membership.restoreIssuance(_ledger, _accounts, coreEnterprise, currency, maturity, amount);
    }

    // ─── ERC-721 ───────────────────────────────────────────────────────────────

    /// @notice Number of receivables `owner` holds. Escrow (this contract's address) is not counted: it
    /// answers 0 even while offers are open.
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return _accounts[owner].receivableCount;
    }

    /// @notice The holder, or this contract while the receivable is offered (in escrow).
    function ownerOf(uint256 tokenId) external view returns (address) {
        (uint256 head, uint256 state) = _load721(tokenId);
        return LedgerLayout.flagsOf(state) & FLAG_OFFERED != 0 ? address(this) : LedgerLayout.holderOf(head);
    }

    /// @notice Offers the whole receivable to `to` with the default offer window; see `offerTransfer`.
    function transferFrom(address from, address to, uint256 tokenId) public {
        (uint256 head, uint256 state) = _load721(tokenId);
        address holder = LedgerLayout.holderOf(head);
        if (from != holder) revert ERC721IncorrectOwner(from, tokenId, holder);
        _checkAuthorized(msg.sender, holder, tokenId, state);
        _offer(tokenId, head, state, to, LedgerLayout.amountOf(head), 0);
    }

    /// @notice Same as `transferFrom`: the receiver's own `acceptOffer` is a stronger proof that it can
    /// hold the receivable than an `onERC721Received` callback, so none is made.
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        transferFrom(from, to, tokenId);
    }

    /// @notice Same as `transferFrom`; `data` is ignored.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata) external {
        transferFrom(from, to, tokenId);
    }

    /// @notice Approves `to` to move `tokenId` until it is offered, pledged or changes holder.
    function approve(address to, uint256 tokenId) external {
        Approvals.approveToken(_ledger, msg.sender, tokenId, to);
    }

    function setApprovalForAll(address operator, bool approved) external {
        Approvals.setApprovalForAll(_ledger, msg.sender, operator, approved);
    }

    function getApproved(uint256 tokenId) external view returns (address) {
        (, uint256 state) = _load721(tokenId);
        return LedgerLayout.flagsOf(state) & (FLAG_OFFERED | FLAG_PLEDGED) == 0
            ? LedgerLayout.counterpartyOf(state)
            : address(0);
    }

    function isApprovedForAll(address owner, address operator) external view returns (bool) {
        return _ledger.operatorApprovals[owner][operator];
    }

    // ─── ERC-3525 ──────────────────────────────────────────────────────────────

    /// @notice Values are in the base units of each tree's currency, so no decimals are applied here.
    function valueDecimals() external pure returns (uint8) {
        return 0;
    }

    /// @notice The receivable's amount.
    function balanceOf(uint256 tokenId) external view returns (uint256) {
        (uint256 head,) = _load721(tokenId);
        return LedgerLayout.amountOf(head);
    }

    /// @notice The slot is the root id: same debtor, currency and maturity.
    function slotOf(uint256 tokenId) external view returns (uint256) {
        _load721(tokenId);
        return tokenId & ~_SEQ_MASK;
    }

    /// @notice Lets `operator` offer up to `value` of `tokenId` until the token is offered whole or sold,
    /// or until the caller can no longer act for the token (a revoked ERC-721 approval revokes what the
    /// approved address granted). Payable only because ERC-3525 says so: the ledger rejects any ether.
    function approve(uint256 tokenId, address operator, uint256 value) external payable {
        if (msg.value != 0) revert ReceivableInvalidParameters();
        Approvals.approveValue(_ledger, msg.sender, tokenId, operator, value);
    }

    function allowance(uint256 tokenId, address operator) external view returns (uint256) {
        return Approvals.allowance(_ledger, tokenId, operator);
    }

    /// @notice Merging values into an existing token is not supported: every part keeps its lineage.
    function transferFrom(uint256 fromTokenId, uint256 toTokenId, uint256) external payable {
        revert ReceivableMergeUnsupported(fromTokenId, toTokenId);
    }

    /// @notice Offers `value` of `fromTokenId` to `to` with the default window, like `offerTransfer`:
    /// the whole value offers the token itself (and returns its id), less splits a child off and offers
    /// that. An operator without approval for the token spends its value allowance.
    function transferFrom(uint256 fromTokenId, address to, uint256 value) external payable returns (uint256) {
        if (msg.value != 0) revert ReceivableInvalidParameters();
        (uint256 head, uint256 state) = _load721(fromTokenId);
        if (!_isAuthorized(msg.sender, LedgerLayout.holderOf(head), state)) {
            Approvals.spendAllowance(_ledger, msg.sender, fromTokenId, head, state, value);
        }
        return _offer(fromTokenId, head, state, to, value, 0);
    }

    // ─── ERC-165 ───────────────────────────────────────────────────────────────

    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(AccessControlDefaultAdminRules, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC3525).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function receivableOf(uint256 id) external view returns (Receivable memory) {
        (uint256 head, uint256 state) = _load(id);
        return _toReceivable(id, head, state);
    }

    /// @inheritdoc IReceivableToken
    function rootOf(uint256 rootId) external view returns (Root memory) {
        // Here rather than in the library: the vault reads it on every redemption, and a library call
        // would add a cold account access (2,600 gas) to each.
        LedgerLayout.StoredRoot storage root = Disputes.existingRoot(_ledger, rootId);
        uint8 flags = root.flags;
        return Root({
            issuer: root.issuer,
            currency: _ledger.currencies[root.currencyId],
            maturity: root.maturity,
            frozen: _frozen(rootId, flags),
            overdue: flags & _ROOT_OVERDUE != 0
        });
    }

    /// @inheritdoc IReceivableToken
    function rootIdOfInvoice(bytes32 invoiceHash) external view returns (uint256) {
        return _ledger.invoiceRoots[invoiceHash];
    }

    /// @inheritdoc IReceivableToken
    function rootIdOfInvoiceNumber(bytes32 commitment) external view returns (uint256) {
        return _ledger.invoiceNumberRoots[commitment];
    }

    /// @inheritdoc IReceivableToken
    function issuedFace(address issuer, address currency, uint64 maturity) external view returns (uint256) {
        return _ledger.issuedPools[LedgerLayout.poolKey(issuer, currency, maturity)].face;
    }

    /// @inheritdoc IReceivableToken
    function isCurrencyAllowed(address currency) external view returns (bool) {
        return _ledger.currencyEntries[currency].allowed;
    }

    /// @inheritdoc IReceivableToken
    function ledgerParameters()
        external
        view
        returns (uint256 minPartAmount, uint8 maxDepth, uint32 defaultOfferWindow)
    {
        return (_ledger.params.minPartAmount, _ledger.params.maxDepth, _ledger.params.defaultOfferWindow);
    }

    /// @inheritdoc IReceivableToken
    function disputeOf(uint256 rootId) external view returns (Dispute memory) {
        uint8 flags = Disputes.existingRoot(_ledger, rootId).flags;
        LedgerLayout.Dispute storage d = _ledger.disputes[uint64(rootId >> 32)];
        return Dispute({
            raiser: d.raiser,
            evidenceHash: d.evidenceHash,
            raisedAt: d.raisedAt,
            expiresAt: d.expiresAt,
            upheld: d.upheld,
            live: _frozen(rootId, flags)
        });
    }

    /// @inheritdoc IReceivableToken
    function disputePeriod() external view returns (uint256) {
        return _DISPUTE_PERIOD;
    }

    /// @notice Whether the operator halted every state change.
    function paused() external view returns (bool) {
        return _ledger.params.paused;
    }

    /// @notice How many children the tree of `rootId` has had: its ids are `rootId | 1` to
    /// `rootId | childCountOf(rootId)` (some may since be burnt).
    function childCountOf(uint256 rootId) external view returns (uint256) {
        return Disputes.existingRoot(_ledger, rootId).childCount;
    }

    // ─── internal: the rules ───────────────────────────────────────────────────

    /// @dev THE rule gate of every movement — split, offer, acceptance, financing, pledge and burn all pass
    /// here (minting checks its parties in `Issuance.validateInvoice`). `holder` owns `id`,
    /// `receiver` is who will hold it or its pledgee (`holder` itself when it stays); `state` is the
    /// token's live state (an acceptance passes it with its offer already lifted).
    function _checkMove(uint256 id, address holder, address receiver, uint256 state, uint256 allow) private view {
        if (_ledger.params.paused) revert EnforcedPause();
        _requireActive(holder);
        if (receiver != holder) _requireActive(receiver);
        uint8 flags = LedgerLayout.flagsOf(state);
        if (flags & FLAG_OFFERED != 0) revert ReceivableIsOffered(id, LedgerLayout.counterpartyOf(state));
        if (flags & FLAG_PLEDGED != 0 && allow & _ALLOW_PLEDGED == 0) {
            revert ReceivableIsPledged(id, LedgerLayout.counterpartyOf(state));
        }
        if (allow & _DEFER_TREE != 0) return;
        LedgerLayout.StoredRoot storage root = _ledger.roots[id >> 32];
        uint8 rootFlags = root.flags;
        if (_frozen(id, rootFlags)) revert ReceivableFrozen(id & ~_SEQ_MASK);
        if (rootFlags & _ROOT_OVERDUE != 0 && allow & _ALLOW_OVERDUE == 0) revert ReceivableOverdue(id & ~_SEQ_MASK);
        if (allow & _ALLOW_MATURED == 0) {
            uint40 maturity = root.maturity;
            if (block.timestamp >= maturity) revert ReceivableMatured(id, maturity);
        }
    }

    /// @dev Whether the tree of `id` (whose root flags are `rootFlags`) is under a live dispute: the flag is
    /// read on every move, the dispute record only when the flag is set.
    function _frozen(uint256 id, uint8 rootFlags) private view returns (bool) {
        return rootFlags & _ROOT_FROZEN != 0 && Disputes.isLive(_ledger.disputes[uint64(id >> 32)]);
    }

    /// @dev Every change of ERC-721 ownership: keeps the organisations' counts and emits `Transfer`.
    /// `address(0)` is mint/burn and `address(this)` is escrow; neither keeps a count.
    function _update(address from, address to, uint256 id) private {
        unchecked {
            // Cannot underflow: `from` is counted for `id` until this line.
            if (from != address(0) && from != address(this)) _accounts[from].receivableCount -= 1;
            // Cannot overflow: a count is at most the number of ids ever minted, far below 2^64.
            if (to != address(0) && to != address(this)) _accounts[to].receivableCount += 1;
        }
        emit Transfer(from, to, id);
    }

    /// @dev The movement roles are bound once by `bindSystemContracts` and never granted otherwise.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == FINANCING_ROLE || role == SETTLEMENT_ROLE) revert ReceivableRoleFixed(role);
        return super._grantRole(role, account);
    }

    /// @dev Nor revoked or renounced: the system contracts' roles are part of the deployment.
    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        if (role == FINANCING_ROLE || role == SETTLEMENT_ROLE) revert ReceivableRoleFixed(role);
        return super._revokeRole(role, account);
    }

    function _requireNotPaused() internal view override {
        if (_ledger.params.paused) revert EnforcedPause();
    }

    /// @dev The holder, its operators, or the ERC-721 approved address (when neither offered nor pledged).
    function _isAuthorized(address caller, address holder, uint256 state) private view returns (bool) {
        return Approvals.isAuthorized(_ledger, caller, holder, state);
    }

    function _checkAuthorized(address caller, address holder, uint256 id, uint256 state) private view {
        if (!_isAuthorized(caller, holder, state)) revert ReceivableUnauthorized(caller, id);
    }

    /// @dev Both slots of a live receivable, its state made live (see `LedgerLayout.live`).
    function _load(uint256 id) private view returns (uint256 head, uint256 state) {
        LedgerLayout.StoredReceivable storage r = _ledger.receivables[id];
        head = r.head;
        // A live receivable always has a holder; burning deletes both slots.
        if (head == 0) revert ReceivableNonexistent(id);
        state = LedgerLayout.live(head, r.state);
    }

    /// @dev `_load` for the ERC-721 entry points, which speak ERC-721's error.
    function _load721(uint256 tokenId) private view returns (uint256 head, uint256 state) {
        LedgerLayout.StoredReceivable storage r = _ledger.receivables[tokenId];
        head = r.head;
        if (head == 0) revert ERC721NonexistentToken(tokenId);
        state = LedgerLayout.live(head, r.state);
    }

    // ─── internal: movements ───────────────────────────────────────────────────

    /// @dev Offers `amount` of `id` to `to`. The caller is authorised already.
    /// Whether `to` may hold receivables is checked when the offer is accepted, which is when the claim
    /// changes hands (and only a registered, active receiver can accept). So is the tree (frozen,
    /// overdue, matured) for an offer of a whole receivable, which changes neither its holder nor its
    /// tree: skipping those two cold reads here is what keeps a whole transfer within its budget. An
    /// offer of a part changes the tree, so it checks the tree at once.
    function _offer(uint256 id, uint256 head, uint256 state, address to, uint256 amount, uint64 deadline)
        private
        returns (uint256 offeredId)
    {
        address holder = LedgerLayout.holderOf(head);
        if (to == holder) revert ReceivableSelfTransfer(id, to);
        // Neither can ever be registered, so neither could ever accept.
        if (to == address(0) || to == address(this)) revert RegistryOrganisationNotRegistered(to);
        uint256 flags = LedgerLayout.flagsOf(state);
        if (amount == LedgerLayout.amountOf(head)) {
            _checkMove(id, holder, holder, state, _DEFER_TREE);
            uint256 offerDeadline = _offerDeadline(deadline);
            // The sender gives the token up: its value allowances lapse with the epoch.
            _ledger.receivables[id].state =
                LedgerLayout.bumpEpoch(LedgerLayout.withTerms(state, to, offerDeadline, flags | FLAG_OFFERED));
            _update(holder, address(this), id);
            emit TransferOffered(id, holder, to, uint64(offerDeadline));
            return id;
        }
        _checkMove(id, holder, holder, state, 0);
        uint256 partDeadline = _offerDeadline(deadline);
        // The offered part is a new child held by the sender, in escrow from its first moment.
        offeredId = _splitOff(
            id,
            head,
            state,
            amount,
            holder,
            address(this),
            LedgerLayout.childState(to, partDeadline, (flags & FLAG_FINANCED) | FLAG_OFFERED, 0, 0)
        );
        emit TransferOffered(offeredId, holder, to, uint64(partDeadline));
    }

    /// @dev Financing of `amount` of `id` (the whole token, or a part split off for it) by `financier`:
    /// bought outright (moved to it at once) or, when `pledged`, locked for it while the holder keeps it.
    /// Either way the financed receivable is marked FINANCED for good.
    function _finance(uint256 id, uint256 amount, address financier, bool pledged) private returns (uint256 financedId) {
        (uint256 head, uint256 state) = _load(id);
        address holder = LedgerLayout.holderOf(head);
        if (LedgerLayout.flagsOf(state) & FLAG_FINANCED != 0) revert ReceivableAlreadyFinanced(id);
        if (financier == holder) revert ReceivableSelfTransfer(id, financier);
        _requireRole(financier, OrganisationRole.Financier);
        _checkMove(id, holder, financier, state, 0);
        financedId = amount == LedgerLayout.amountOf(head)
            ? _financeWhole(id, head, state, financier, pledged)
            : _financePart(id, head, state, amount, financier, pledged);
        if (pledged) {
            emit ReceivablePledged(financedId, holder, financier);
            emit ReceivableFinanced(financedId, holder);
        } else {
            emit ReceivableMoved(financedId, holder, financier);
            emit ReceivableFinanced(financedId, financier);
        }
    }

    function _financeWhole(uint256 id, uint256 head, uint256 state, address financier, bool pledged)
        private
        returns (uint256)
    {
        // Neither offered nor pledged (checked): only FINANCED and the new lock are added.
        uint256 flags = LedgerLayout.flagsOf(state) | FLAG_FINANCED;
        LedgerLayout.StoredReceivable storage r = _ledger.receivables[id];
        if (pledged) {
            r.state = LedgerLayout.withTerms(state, financier, 0, flags | FLAG_PLEDGED | _PLEDGE_DEBT);
        } else {
            // Sold: the seller's value allowances lapse with the epoch.
            r.state = LedgerLayout.bumpEpoch(LedgerLayout.withTerms(state, address(0), 0, flags));
            r.head = LedgerLayout.head(financier, LedgerLayout.amountOf(head));
            _update(LedgerLayout.holderOf(head), financier, id);
        }
        return id;
    }

    function _financePart(uint256 id, uint256 head, uint256 state, uint256 amount, address financier, bool pledged)
        private
        returns (uint256 childId)
    {
        uint256 flags = LedgerLayout.flagsOf(state) | FLAG_FINANCED;
        address holder = LedgerLayout.holderOf(head);
        if (pledged) {
            childId = _splitOff(id, head, state, amount, holder, holder, LedgerLayout.childState(financier, 0, flags | FLAG_PLEDGED | _PLEDGE_DEBT, 0, 0));
        } else {
            childId = _splitOff(id, head, state, amount, financier, financier, LedgerLayout.childState(address(0), 0, flags, 0, 0));
        }
    }

    /// @dev Cuts `amount` off `parentId` into a new child of the same tree, held by `childHolder` (its
    /// ERC-721 owner `childOwner`: the holder, or this contract for an offered part), whose state is
    /// `childState` plus its lineage (parent sequence, depth). Enforces dust and depth limits. Emits in
    /// the ERC-3525 reference implementation's order: Transfer (mint), SlotChanged, TransferValue.
    function _splitOff(
        uint256 parentId,
        uint256 parentHead,
        uint256 parentState,
        uint256 amount,
        address childHolder,
        address childOwner,
        uint256 childState
    ) private returns (uint256 childId) {
        (uint256 remaining, uint256 childDepth) = _checkPart(parentId, parentHead, parentState, amount);
        {
            LedgerLayout.StoredRoot storage root = _ledger.roots[parentId >> 32];
            // Checked: the 2^32-th child of one tree reverts (Panic) rather than reusing an id.
            uint32 seq = root.childCount + 1;
            root.childCount = seq;
            childId = (parentId & ~_SEQ_MASK) | seq;
        }
        _ledger.receivables[parentId].head = LedgerLayout.head(LedgerLayout.holderOf(parentHead), remaining);
        LedgerLayout.StoredReceivable storage child = _ledger.receivables[childId];
        child.head = LedgerLayout.head(childHolder, amount);
        // childDepth <= maxDepth <= 255 and uint32(parentId) is the parent's sequence: both fit their bits.
        child.state = childState | (uint256(uint32(parentId)) << LedgerLayout.PARENT_SHIFT)
            | (childDepth << LedgerLayout.DEPTH_SHIFT);
        emit ReceivableSplit(parentId, childId, LedgerLayout.holderOf(parentHead), amount, remaining);
        _update(address(0), childOwner, childId);
        emit SlotChanged(childId, 0, childId & ~_SEQ_MASK);
        emit TransferValue(parentId, childId, amount);
    }

    /// @dev The checks on a part before it is cut: non-zero, available, both sides above the dust limit,
    /// not too deep. Returns what the parent keeps and the child's depth.
    function _checkPart(uint256 parentId, uint256 parentHead, uint256 parentState, uint256 amount)
        private
        view
        returns (uint256 remaining, uint256 childDepth)
    {
        if (amount == 0) revert ReceivableZeroAmount();
        uint256 available = LedgerLayout.amountOf(parentHead);
        if (amount > available) revert ReceivableInsufficientAmount(parentId, available, amount);
        // Cannot underflow: amount <= available was checked just above.
        unchecked {
            remaining = available - amount;
        }
        uint256 minPart = _ledger.params.minPartAmount;
        if (amount < minPart) revert ReceivablePartTooSmall(amount, minPart);
        if (remaining < minPart) revert ReceivablePartTooSmall(remaining, minPart);
        uint256 depth = LedgerLayout.depthOf(parentState);
        uint8 maxDepth = _ledger.params.maxDepth;
        if (depth >= maxDepth) revert ReceivableTooDeep(parentId, maxDepth);
        // Cannot overflow: depth < maxDepth <= 255.
        unchecked {
            childDepth = depth + 1;
        }
    }

    function _offerDeadline(uint64 deadline) private view returns (uint256) {
        if (deadline == 0) deadline = uint64(block.timestamp) + _ledger.params.defaultOfferWindow;
        if (deadline <= block.timestamp || deadline > type(uint32).max) revert ReceivableInvalidDeadline(deadline);
        return deadline;
    }

    function _toReceivable(uint256 id, uint256 head, uint256 state) private pure returns (Receivable memory) {
        uint8 depth = LedgerLayout.depthOf(state);
        uint256 rootId = id & ~_SEQ_MASK;
        uint8 flags = LedgerLayout.flagsOf(state);
        return Receivable({
            holder: LedgerLayout.holderOf(head),
            amount: LedgerLayout.amountOf(head),
            rootId: rootId,
            // parentSeq 0 is the root itself, so a root (depth 0) is told apart by its depth.
            parentId: depth == 0 ? 0 : rootId | LedgerLayout.parentSeqOf(state),
            depth: depth,
            flags: flags,
            // The counterparty field holds an ERC-721 approval when neither offered nor pledged.
            counterparty: flags & (FLAG_OFFERED | FLAG_PLEDGED) != 0 ? LedgerLayout.counterpartyOf(state) : address(0),
            offerDeadline: LedgerLayout.offerDeadlineOf(state)
        });
    }
}
