// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC3525} from "./interfaces/IERC3525.sol";
import {IReceivableToken} from "./interfaces/IReceivableToken.sol";
import {OrganisationRegistry} from "./OrganisationRegistry.sol";
import {EnforcedPause, ExpectedPause, LedgerLayout} from "./libraries/LedgerLayout.sol";
import {Organisations} from "./libraries/Organisations.sol";
import {ReceivableAdmin} from "./libraries/ReceivableAdmin.sol";

/// @title Ledgerline receivable token
/// @notice Confirmed invoices become root receivables; holders split them and offer parts down the supply
/// chain; financing and settlement contracts (FINANCING_ROLE / SETTLEMENT_ROLE) buy, pledge and burn them.
/// @dev Storage is laid out for the hot paths (see `docs/contracts.md`): a receivable is two slots, its tree
/// one, an organisation one. Every movement passes the single rule gate `_checkMove`, and every change of
/// ERC-721 ownership passes `_update`. There is no on-chain enumeration: the indexer serves listings.
/// Pausing is a flag in the packed parameter slot (read by every call anyway) with OpenZeppelin
/// `Pausable`'s event and error shapes, instead of `Pausable`'s own slot, to save a cold read per call.
contract ReceivableToken is IReceivableToken, IERC721Errors, OrganisationRegistry, EIP712 {
    // ─── roles, flags, constants ───────────────────────────────────────────────

    /// @notice The financing settlement contract: buys and pledges receivables against signed quotes.
    bytes32 public constant FINANCING_ROLE = keccak256("FINANCING_ROLE");
    /// @notice The repayment vault: burns redeemed receivables, marks trees overdue, restores credit.
    bytes32 public constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");

    /// @inheritdoc IReceivableToken
    uint8 public constant FLAG_OFFERED = LedgerLayout.FLAG_OFFERED;
    /// @inheritdoc IReceivableToken
    uint8 public constant FLAG_PLEDGED = LedgerLayout.FLAG_PLEDGED;
    /// @inheritdoc IReceivableToken
    uint8 public constant FLAG_FINANCED = LedgerLayout.FLAG_FINANCED;

    bytes32 public constant CONFIRMATION_TYPEHASH = keccak256(
        "Confirmation(bytes32 invoiceHash,address supplier,address debtor,address currency,uint256 amount,uint64 maturity,uint256 nonce,uint256 deadline)"
    );

    uint8 private constant _ROOT_FROZEN = LedgerLayout.ROOT_FROZEN;
    uint8 private constant _ROOT_OVERDUE = LedgerLayout.ROOT_OVERDUE;
    uint256 private constant _SEQ_MASK = LedgerLayout.SEQ_MASK;
    /// @dev Exemptions a caller of `_checkMove` may ask for.
    uint256 private constant _ALLOW_MATURED = 1;
    uint256 private constant _ALLOW_PLEDGED = 2;
    uint256 private constant _ALLOW_OVERDUE = 4;

    // ─── storage ───────────────────────────────────────────────────────────────

    /// @dev Receivables, trees, invoices, currencies, approvals and the packed parameters; the slots are
    /// described in `LedgerLayout`. Organisations live in the registry's `_accounts`.
    LedgerLayout.Ledger private _ledger;

    // ─── pause (OpenZeppelin Pausable's shapes) ────────────────────────────────

    event Paused(address account);
    event Unpaused(address account);

    // ─── construction ──────────────────────────────────────────────────────────

    /// @param admin Gets DEFAULT_ADMIN_ROLE (grants FINANCING_ROLE / SETTLEMENT_ROLE to those contracts).
    /// @param operator Gets OPERATOR_ROLE.
    constructor(address admin, address operator, uint256 minPartAmount, uint8 maxDepth, uint32 defaultOfferWindow)
        EIP712("Ledgerline Receivable", "1")
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(OPERATOR_ROLE, operator);
        ReceivableAdmin.setLedgerParameters(_ledger, minPartAmount, maxDepth, defaultOfferWindow);
    }

    // ─── operator ──────────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(OPERATOR_ROLE) {
        ReceivableAdmin.setCurrencyAllowed(_ledger, currency, allowed);
    }

    /// @inheritdoc IReceivableToken
    function setLedgerParameters(uint256 minPartAmount, uint8 maxDepth, uint32 defaultOfferWindow)
        external
        onlyRole(OPERATOR_ROLE)
    {
        ReceivableAdmin.setLedgerParameters(_ledger, minPartAmount, maxDepth, defaultOfferWindow);
    }

    /// @inheritdoc IReceivableToken
    function pause() external onlyRole(OPERATOR_ROLE) {
        if (_ledger.params.paused) revert EnforcedPause();
        _ledger.params.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IReceivableToken
    function unpause() external onlyRole(OPERATOR_ROLE) {
        if (!_ledger.params.paused) revert ExpectedPause();
        _ledger.params.paused = false;
        emit Unpaused(msg.sender);
    }

    // ─── invoices and confirmation ─────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function registerInvoice(Invoice calldata invoice) external {
        ReceivableAdmin.registerInvoice(_ledger, _accounts, msg.sender, invoice);
    }

    /// @inheritdoc IReceivableToken
    function rejectInvoice(bytes32 invoiceHash, string calldata reason) external {
        ReceivableAdmin.rejectInvoice(_ledger, msg.sender, invoiceHash, reason);
    }

    /// @inheritdoc IReceivableToken
    function confirmInvoice(Invoice calldata invoice) external returns (uint256 rootId) {
        return ReceivableAdmin.confirmDirect(_ledger, _accounts, _creditLimits, msg.sender, invoice);
    }

    /// @inheritdoc IReceivableToken
    function confirmInvoiceWithSignature(Invoice calldata invoice, uint256 deadline, bytes calldata signature)
        external
        returns (uint256 rootId)
    {
        if (block.timestamp > deadline) revert ReceivableSignatureExpired(deadline, block.timestamp);
        uint256 nonce = _accounts[invoice.debtor].nonce;
        return ReceivableAdmin.confirmSigned(
            _ledger, _accounts, _creditLimits, invoice, nonce, _confirmationDigest(invoice, nonce, deadline), signature
        );
    }

    /// @inheritdoc IReceivableToken
    function confirmationDigest(Invoice calldata invoice, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _confirmationDigest(invoice, nonce, deadline);
    }

    /// @inheritdoc IReceivableToken
    function nonces(address signer) external view returns (uint256) {
        return _accounts[signer].nonce;
    }

    // ─── split, transfer, offers ───────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function split(uint256 id, uint256 amount) external returns (uint256 childId) {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        address holder = r.holder;
        uint8 flags = r.flags;
        address counterparty = r.counterparty;
        _checkAuthorized(msg.sender, holder, id, flags, counterparty);
        _checkMove(id, holder, holder, flags, counterparty, 0);
        childId = _splitOff(id, r, holder, amount, _child(holder, address(0), 0, flags & FLAG_FINANCED));
        _update(address(0), holder, childId);
    }

    /// @inheritdoc IReceivableToken
    function offerTransfer(uint256 id, address to, uint256 amount, uint64 deadline)
        external
        returns (uint256 offeredId)
    {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        _checkAuthorized(msg.sender, r.holder, id, r.flags, r.counterparty);
        return _offer(id, r, to, amount, deadline);
    }

    /// @inheritdoc IReceivableToken
    function acceptOffer(uint256 id) external {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        uint8 flags = r.flags;
        if (flags & FLAG_OFFERED == 0) revert ReceivableNotOffered(id);
        address to = r.counterparty;
        if (msg.sender != to) revert ReceivableUnauthorized(msg.sender, id);
        uint32 deadline = r.offerDeadline;
        if (block.timestamp > deadline) revert ReceivableOfferExpired(id, deadline);
        address from = r.holder;
        flags &= ~FLAG_OFFERED;
        // Accepting resolves an open offer, so it may happen after maturity (not after the deadline).
        _checkMove(id, from, to, flags, address(0), _ALLOW_MATURED);
        r.holder = to;
        r.counterparty = address(0);
        r.offerDeadline = 0;
        r.flags = flags;
        // Wraps after 65,536 changes of holder; an unspent value allowance could then only revive for the
        // holder of that time, who must itself have accepted the 65,536 transfers.
        unchecked {
            r.epoch += 1;
        }
        _update(address(this), to, id);
        emit OfferAccepted(id, from, to);
    }

    /// @inheritdoc IReceivableToken
    function rejectOffer(uint256 id) external {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        address to = _openOffer(id, r);
        if (msg.sender != to) revert ReceivableUnauthorized(msg.sender, id);
        _endOffer(id, r, to, OfferEnd.Rejected);
    }

    /// @inheritdoc IReceivableToken
    function cancelOffer(uint256 id) external {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        address to = _openOffer(id, r);
        if (msg.sender != r.holder) revert ReceivableUnauthorized(msg.sender, id);
        _endOffer(id, r, to, OfferEnd.Cancelled);
    }

    /// @inheritdoc IReceivableToken
    function reclaimExpiredOffer(uint256 id) external {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        address to = _openOffer(id, r);
        uint32 deadline = r.offerDeadline;
        if (block.timestamp <= deadline) revert ReceivableOfferNotExpired(id, deadline);
        _endOffer(id, r, to, OfferEnd.Expired);
    }

    // ─── pledge, dispute freeze ────────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function pledge(uint256 id, address pledgee) external {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        address holder = r.holder;
        uint8 flags = r.flags;
        address counterparty = r.counterparty;
        _checkAuthorized(msg.sender, holder, id, flags, counterparty);
        if (pledgee == holder) revert ReceivableSelfTransfer(id, pledgee);
        _requireRole(pledgee, OrganisationRole.Financier);
        _checkMove(id, holder, pledgee, flags, counterparty, 0);
        r.counterparty = pledgee;
        r.flags = flags | FLAG_PLEDGED;
        emit ReceivablePledged(id, holder, pledgee);
    }

    /// @inheritdoc IReceivableToken
    function releasePledge(uint256 id) external {
        _requireNotPaused();
        LedgerLayout.StoredReceivable storage r = _existing(id);
        uint8 flags = r.flags;
        if (flags & FLAG_PLEDGED == 0) revert ReceivableNotPledged(id);
        address pledgee = r.counterparty;
        if (msg.sender != pledgee && !hasRole(FINANCING_ROLE, msg.sender) && !hasRole(SETTLEMENT_ROLE, msg.sender)) {
            revert ReceivableUnauthorized(msg.sender, id);
        }
        r.counterparty = address(0);
        r.flags = flags & ~FLAG_PLEDGED;
        emit PledgeReleased(id, r.holder, pledgee);
    }

    /// @inheritdoc IReceivableToken
    function freezeRoot(uint256 rootId) external {
        ReceivableAdmin.setFrozen(_ledger, msg.sender, hasRole(OPERATOR_ROLE, msg.sender), rootId, true);
    }

    /// @inheritdoc IReceivableToken
    function unfreezeRoot(uint256 rootId) external {
        ReceivableAdmin.setFrozen(_ledger, msg.sender, hasRole(OPERATOR_ROLE, msg.sender), rootId, false);
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
        LedgerLayout.StoredReceivable storage r = _existing(id);
        address holder = r.holder;
        // The vault decides when redemption is due and pays a pledgee first, so a matured, pledged or
        // overdue receivable may burn; an open offer or a frozen tree may not.
        _checkMove(id, holder, holder, r.flags, r.counterparty, _ALLOW_MATURED | _ALLOW_PLEDGED | _ALLOW_OVERDUE);
        burnt = _toReceivable(id, r);
        delete _ledger.receivables[id];
        _update(holder, address(0), id);
        emit TransferValue(id, 0, burnt.amount);
        emit ReceivableBurned(id, holder, burnt.amount);
    }

    /// @inheritdoc IReceivableToken
    function markOverdue(uint256 rootId) external onlyRole(SETTLEMENT_ROLE) {
        ReceivableAdmin.markOverdue(_ledger, rootId);
    }

    /// @inheritdoc IReceivableToken
    function restoreCredit(address coreEnterprise, uint256 amount) external onlyRole(SETTLEMENT_ROLE) {
        _requireNotPaused();
        if (!_releaseCredit(coreEnterprise, amount)) revert ReceivableInvalidParameters();
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
        LedgerLayout.StoredReceivable storage r = _ledger.receivables[tokenId];
        address holder = r.holder;
        if (holder == address(0)) revert ERC721NonexistentToken(tokenId);
        return r.flags & FLAG_OFFERED != 0 ? address(this) : holder;
    }

    /// @notice Offers the whole receivable to `to` with the default offer window; see `offerTransfer`.
    function transferFrom(address from, address to, uint256 tokenId) public {
        LedgerLayout.StoredReceivable storage r = _ledger.receivables[tokenId];
        address holder = r.holder;
        if (holder == address(0)) revert ERC721NonexistentToken(tokenId);
        if (from != holder) revert ERC721IncorrectOwner(from, tokenId, holder);
        _checkAuthorized(msg.sender, holder, tokenId, r.flags, r.counterparty);
        _offer(tokenId, r, to, r.amount, 0);
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
        _requireNotPaused();
        LedgerLayout.StoredReceivable storage r = _ledger.receivables[tokenId];
        address holder = r.holder;
        if (holder == address(0)) revert ERC721NonexistentToken(tokenId);
        if (msg.sender != holder && !_ledger.operatorApprovals[holder][msg.sender]) revert ERC721InvalidApprover(msg.sender);
        uint8 flags = r.flags;
        // While offered or pledged the counterparty field names the receiver or the pledgee.
        if (flags & FLAG_OFFERED != 0) revert ReceivableIsOffered(tokenId, r.counterparty);
        if (flags & FLAG_PLEDGED != 0) revert ReceivableIsPledged(tokenId, r.counterparty);
        r.counterparty = to;
        emit Approval(holder, to, tokenId);
    }

    function setApprovalForAll(address operator, bool approved) external {
        _requireNotPaused();
        if (operator == address(0)) revert ERC721InvalidOperator(operator);
        _ledger.operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function getApproved(uint256 tokenId) external view returns (address) {
        LedgerLayout.StoredReceivable storage r = _ledger.receivables[tokenId];
        if (r.holder == address(0)) revert ERC721NonexistentToken(tokenId);
        return r.flags & (FLAG_OFFERED | FLAG_PLEDGED) == 0 ? r.counterparty : address(0);
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
        return _existing(tokenId).amount;
    }

    /// @notice The slot is the root id: same debtor, currency and maturity.
    function slotOf(uint256 tokenId) external view returns (uint256) {
        _existing(tokenId);
        return tokenId & ~_SEQ_MASK;
    }

    /// @notice Lets `operator` offer up to `value` of `tokenId` until it changes holder. Not payable in
    /// spirit: the ledger holds no ether, and any sent is rejected.
    function approve(uint256 tokenId, address operator, uint256 value) external payable {
        if (msg.value != 0) revert ReceivableInvalidParameters();
        _requireNotPaused();
        LedgerLayout.StoredReceivable storage r = _existing(tokenId);
        address holder = r.holder;
        if (!_isAuthorized(msg.sender, holder, r.flags, r.counterparty)) revert ERC721InvalidApprover(msg.sender);
        if (operator == holder || operator == address(0)) revert ERC721InvalidOperator(operator);
        _ledger.valueAllowances[tokenId][r.epoch][operator] = value;
        emit ApprovalValue(tokenId, operator, value);
    }

    function allowance(uint256 tokenId, address operator) external view returns (uint256) {
        LedgerLayout.StoredReceivable storage r = _existing(tokenId);
        return _ledger.valueAllowances[tokenId][r.epoch][operator];
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
        LedgerLayout.StoredReceivable storage r = _existing(fromTokenId);
        if (!_isAuthorized(msg.sender, r.holder, r.flags, r.counterparty)) {
            mapping(address => uint256) storage allowances = _ledger.valueAllowances[fromTokenId][r.epoch];
            uint256 allowed = allowances[msg.sender];
            if (allowed < value) revert ReceivableUnauthorized(msg.sender, fromTokenId);
            if (allowed != type(uint256).max) {
                // Cannot underflow: checked just above.
                unchecked {
                    allowances[msg.sender] = allowed - value;
                }
            }
        }
        return _offer(fromTokenId, r, to, value, 0);
    }

    // ─── ERC-165 ───────────────────────────────────────────────────────────────

    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC3525).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableToken
    function receivableOf(uint256 id) external view returns (Receivable memory) {
        return _toReceivable(id, _existing(id));
    }

    /// @inheritdoc IReceivableToken
    function rootOf(uint256 rootId) external view returns (Root memory) {
        return ReceivableAdmin.rootOf(_ledger, rootId);
    }

    /// @inheritdoc IReceivableToken
    function rootIdOfInvoice(bytes32 invoiceHash) external view returns (uint256) {
        return _ledger.invoiceRoots[invoiceHash];
    }

    /// @inheritdoc IReceivableToken
    function issuedFace(address issuer, address currency, uint64 maturity) external view returns (uint256) {
        return _ledger.issuedFace[LedgerLayout.poolKey(issuer, currency, maturity)];
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

    /// @notice Whether the operator halted every state change.
    function paused() external view returns (bool) {
        return _ledger.params.paused;
    }

    /// @notice How many children the tree of `rootId` has had (the highest child sequence handed out).
    function childCountOf(uint256 rootId) external view returns (uint256) {
        return ReceivableAdmin.existingRoot(_ledger, rootId).childCount;
    }

    // ─── internal: the rules ───────────────────────────────────────────────────

    /// @dev THE rule gate of every movement — mint aside, which checks its parties in `_confirm`: split,
    /// offer, acceptance, financing, pledge and burn all pass here. `holder` owns `id`, `receiver` is who
    /// will hold it (or its pledgee; `holder` itself when it stays). `flags`/`counterparty` are the
    /// token's own (an acceptance passes them with its offer already lifted).
    function _checkMove(
        uint256 id,
        address holder,
        address receiver,
        uint8 flags,
        address counterparty,
        uint256 allow
    ) private view {
        if (_ledger.params.paused) revert EnforcedPause();
        _requireActive(holder);
        if (receiver != holder) _requireActive(receiver);
        if (flags & FLAG_OFFERED != 0) revert ReceivableIsOffered(id, counterparty);
        if (flags & FLAG_PLEDGED != 0 && allow & _ALLOW_PLEDGED == 0) revert ReceivableIsPledged(id, counterparty);
        LedgerLayout.StoredRoot storage root = _ledger.roots[id >> 32];
        uint8 rootFlags = root.flags;
        if (rootFlags & _ROOT_FROZEN != 0) revert ReceivableFrozen(id & ~_SEQ_MASK);
        if (rootFlags & _ROOT_OVERDUE != 0 && allow & _ALLOW_OVERDUE == 0) revert ReceivableOverdue(id & ~_SEQ_MASK);
        if (allow & _ALLOW_MATURED == 0) {
            uint40 maturity = root.maturity;
            if (block.timestamp >= maturity) revert ReceivableMatured(id, maturity);
        }
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

    function _requireNotPaused() internal view override {
        if (_ledger.params.paused) revert EnforcedPause();
    }

    function _isAuthorized(address caller, address holder, uint8 flags, address counterparty)
        private
        view
        returns (bool)
    {
        return caller == holder || _ledger.operatorApprovals[holder][caller]
            || (counterparty == caller && flags & (FLAG_OFFERED | FLAG_PLEDGED) == 0);
    }

    function _checkAuthorized(address caller, address holder, uint256 id, uint8 flags, address counterparty)
        private
        view
    {
        if (!_isAuthorized(caller, holder, flags, counterparty)) revert ReceivableUnauthorized(caller, id);
    }

    function _existing(uint256 id) private view returns (LedgerLayout.StoredReceivable storage r) {
        r = _ledger.receivables[id];
        if (r.holder == address(0)) revert ReceivableNonexistent(id);
    }


    /// @dev The open offer's receiver; reverts when `id` is not offered.
    function _openOffer(uint256 id, LedgerLayout.StoredReceivable storage r) private view returns (address to) {
        if (r.flags & FLAG_OFFERED == 0) revert ReceivableNotOffered(id);
        return r.counterparty;
    }

    // ─── internal: movements ───────────────────────────────────────────────────

    /// @dev Offers `amount` of `id` to `to`. The caller is authorised already.
    function _offer(uint256 id, LedgerLayout.StoredReceivable storage r, address to, uint256 amount, uint64 deadline)
        private
        returns (uint256 offeredId)
    {
        address holder = r.holder;
        uint8 flags = r.flags;
        if (to == holder) revert ReceivableSelfTransfer(id, to);
        _checkMove(id, holder, to, flags, r.counterparty, 0);
        uint32 offerDeadline = _offerDeadline(deadline);
        if (amount == r.amount) {
            r.counterparty = to;
            r.offerDeadline = offerDeadline;
            r.flags = flags | FLAG_OFFERED;
            offeredId = id;
            _update(holder, address(this), id);
        } else {
            // The offered part is a new child held by the sender, in escrow from its first moment.
            offeredId = _splitOff(
                id, r, holder, amount, _child(holder, to, offerDeadline, (flags & FLAG_FINANCED) | FLAG_OFFERED)
            );
            _update(address(0), address(this), offeredId);
        }
        emit TransferOffered(offeredId, holder, to, offerDeadline);
    }

    /// @dev Financing of `amount` of `id` (the whole token, or a part split off for it) by `financier`:
    /// bought outright (moved to it at once) or, when `pledged`, locked for it while the holder keeps it.
    /// Either way the financed receivable is marked FINANCED for good.
    function _finance(uint256 id, uint256 amount, address financier, bool pledged) private returns (uint256 financedId) {
        LedgerLayout.StoredReceivable storage r = _existing(id);
        address holder = r.holder;
        uint8 flags = r.flags;
        if (flags & FLAG_FINANCED != 0) revert ReceivableAlreadyFinanced(id);
        if (financier == holder) revert ReceivableSelfTransfer(id, financier);
        _requireRole(financier, OrganisationRole.Financier);
        _checkMove(id, holder, financier, flags, r.counterparty, 0);
        // Not offered nor pledged (checked): only FINANCED and the new lock can be set.
        uint8 financedFlags = pledged ? flags | FLAG_PLEDGED | FLAG_FINANCED : flags | FLAG_FINANCED;
        address newHolder = pledged ? holder : financier;
        address counterparty = pledged ? financier : address(0);
        if (amount == r.amount) {
            financedId = id;
            r.counterparty = counterparty;
            r.flags = financedFlags;
            if (!pledged) {
                r.holder = financier;
                // Wraps harmlessly; see acceptOffer.
                unchecked {
                    r.epoch += 1;
                }
                _update(holder, financier, id);
            }
        } else {
            financedId = _splitOff(id, r, holder, amount, _child(newHolder, counterparty, 0, financedFlags));
            _update(address(0), newHolder, financedId);
        }
        if (pledged) {
            emit ReceivablePledged(financedId, holder, financier);
            emit ReceivableFinanced(financedId, holder);
        } else {
            emit ReceivableMoved(financedId, holder, financier);
            emit ReceivableFinanced(financedId, financier);
        }
    }

    /// @dev Returns an open offer to its sender (who held the claim all along).
    function _endOffer(uint256 id, LedgerLayout.StoredReceivable storage r, address to, OfferEnd reason) private {
        _requireNotPaused();
        address holder = r.holder;
        r.counterparty = address(0);
        r.offerDeadline = 0;
        r.flags = r.flags & ~FLAG_OFFERED;
        _update(address(this), holder, id);
        emit OfferEnded(id, holder, to, reason);
    }

    /// @dev Cuts `amount` off `parentId` (held by `parentHolder`) into a new child of the same tree, stored
    /// as `child` describes (holder, counterparty, offerDeadline, flags). Enforces dust and depth limits.
    function _splitOff(
        uint256 parentId,
        LedgerLayout.StoredReceivable storage parent,
        address parentHolder,
        uint256 amount,
        LedgerLayout.StoredReceivable memory child
    ) private returns (uint256 childId) {
        if (amount == 0) revert ReceivableZeroAmount();
        uint256 available = parent.amount;
        if (amount > available) revert ReceivableInsufficientAmount(parentId, available, amount);
        LedgerLayout.Parameters memory p = _ledger.params;
        uint256 remaining;
        // Cannot underflow: amount <= available was checked just above.
        unchecked {
            remaining = available - amount;
        }
        if (amount < p.minPartAmount) revert ReceivablePartTooSmall(amount, p.minPartAmount);
        if (remaining < p.minPartAmount) revert ReceivablePartTooSmall(remaining, p.minPartAmount);
        uint8 depth = parent.depth;
        if (depth >= p.maxDepth) revert ReceivableTooDeep(parentId, p.maxDepth);
        LedgerLayout.StoredRoot storage root = _ledger.roots[parentId >> 32];
        // Checked: the 2^32-th child of one tree reverts (Panic) rather than reusing an id.
        uint32 seq = root.childCount + 1;
        root.childCount = seq;
        childId = (parentId & ~_SEQ_MASK) | seq;
        parent.amount = uint96(remaining);
        // Both casts are exact: amount <= available, which is a uint96; depth < maxDepth <= 255.
        child.amount = uint96(amount);
        child.parentSeq = uint32(parentId);
        unchecked {
            child.depth = depth + 1;
        }
        _ledger.receivables[childId] = child;
        emit ReceivableSplit(parentId, childId, parentHolder, amount, remaining);
        emit SlotChanged(childId, 0, parentId & ~_SEQ_MASK);
        emit TransferValue(parentId, childId, amount);
    }

    function _child(address holder, address counterparty, uint32 offerDeadline, uint8 flags)
        private
        pure
        returns (LedgerLayout.StoredReceivable memory)
    {
        return LedgerLayout.StoredReceivable({
            holder: holder,
            amount: 0,
            counterparty: counterparty,
            offerDeadline: offerDeadline,
            parentSeq: 0,
            depth: 0,
            flags: flags,
            epoch: 0
        });
    }

    function _offerDeadline(uint64 deadline) private view returns (uint32) {
        if (deadline == 0) deadline = uint64(block.timestamp) + _ledger.params.defaultOfferWindow;
        if (deadline <= block.timestamp || deadline > type(uint32).max) revert ReceivableInvalidDeadline(deadline);
        return uint32(deadline);
    }

    // ─── internal: confirmation ────────────────────────────────────────────────




    function _confirmationDigest(Invoice calldata invoice, uint256 nonce, uint256 deadline)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONFIRMATION_TYPEHASH,
                    invoice.invoiceHash,
                    invoice.supplier,
                    invoice.debtor,
                    invoice.currency,
                    invoice.amount,
                    invoice.maturity,
                    nonce,
                    deadline
                )
            )
        );
    }





    function _toReceivable(uint256 id, LedgerLayout.StoredReceivable storage r) private view returns (Receivable memory) {
        uint8 depth = r.depth;
        uint256 rootId = id & ~_SEQ_MASK;
        uint8 flags = r.flags;
        return Receivable({
            holder: r.holder,
            amount: r.amount,
            rootId: rootId,
            // parentSeq 0 is the root itself, so a root (depth 0) is told apart by its depth.
            parentId: depth == 0 ? 0 : rootId | r.parentSeq,
            depth: depth,
            flags: flags,
            // The counterparty field holds an ERC-721 approval when neither offered nor pledged.
            counterparty: flags & (FLAG_OFFERED | FLAG_PLEDGED) != 0 ? r.counterparty : address(0),
            offerDeadline: r.offerDeadline
        });
    }
}
