// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC3525} from "../interfaces/IERC3525.sol";
import {IReceivableToken} from "../interfaces/IReceivableToken.sol";
import {IOrganisationRegistry} from "../interfaces/IOrganisationRegistry.sol";
import {EnforcedPause, ExpectedPause, LedgerLayout} from "./LedgerLayout.sol";
import {Organisations} from "./Organisations.sol";

/// @title Issuance: invoices, their confirmation, and what may be issued
/// @notice A linked library (its `external` functions run by DELEGATECALL in the token's storage), so
/// that the token stays under the 24 KiB contract size limit: invoice registration, rejection and
/// confirmation (one DELEGATECALL, about 2,700 gas, inside the confirmation budget), currencies and
/// parameters. Splits, offers, pledges, financing, burns, overdue marking and the views the other
/// contracts call stay in the token.
/// Its events and errors are the token's (declared in IReceivableToken) and appear at the token's
/// address. It must never be called other than by the token: it trusts its caller's authorisation.
library Issuance {
    using Organisations for mapping(address => Organisations.Account);

    bytes32 internal constant CONFIRMATION_TYPEHASH = keccak256(
        "Confirmation(bytes32 invoiceHash,bytes32 invoiceNumberHash,address supplier,address debtor,address currency,uint256 amount,uint64 maturity,uint256 nonce,uint256 deadline)"
    );

    // ─── invoices ──────────────────────────────────────────────────────────────

    /// @dev The supplier (`caller`) announces `invoice` for its debtor to confirm. The registration is
    /// the supplier's own (keyed by supplier and hash): another supplier registering the same hash, naming
    /// whatever debtor, never touches it. A registration lapses at its maturity; the supplier may then
    /// register the hash again.
    function registerInvoice(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        address caller,
        IReceivableToken.Invoice calldata invoice
    ) external {
        bytes32 invoiceHash = invoice.invoiceHash;
        if (caller != invoice.supplier) revert IReceivableToken.ReceivableUnauthorized(caller, uint256(invoiceHash));
        validateInvoice(ledger, accounts, invoice);
        LedgerLayout.RegisteredInvoice storage registered = ledger.registeredInvoices[caller][invoiceHash];
        if (_isLive(registered)) revert IReceivableToken.ReceivableInvoiceAlreadyRegistered(invoiceHash, caller);
        registered.termsHash = termsHash(invoice);
        registered.debtor = invoice.debtor;
        registered.maturity = invoice.maturity;
        emit IReceivableToken.InvoiceRegistered(
            invoiceHash,
            caller,
            invoice.debtor,
            invoice.invoiceNumberHash,
            invoice.currency,
            invoice.amount,
            invoice.maturity
        );
    }

    /// @dev The debtor (`caller`) turns down `supplier`'s live registration of `invoiceHash`.
    function rejectInvoice(
        LedgerLayout.Ledger storage ledger,
        address caller,
        bytes32 invoiceHash,
        address supplier,
        string calldata reason
    ) external {
        requireNotPaused(ledger);
        LedgerLayout.RegisteredInvoice storage registered = ledger.registeredInvoices[supplier][invoiceHash];
        if (!_isLive(registered)) revert IReceivableToken.ReceivableInvoiceNotRegistered(invoiceHash, supplier);
        address debtor = registered.debtor;
        if (caller != debtor) revert IReceivableToken.ReceivableUnauthorized(caller, uint256(invoiceHash));
        delete ledger.registeredInvoices[supplier][invoiceHash];
        emit IReceivableToken.InvoiceRejected(invoiceHash, supplier, debtor, reason);
    }

    /// @dev The debtor confirms by its own transaction (`caller` is the signer).
    function confirmDirect(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        mapping(address => uint256) storage issuanceLimits,
        address caller,
        IReceivableToken.Invoice calldata invoice
    ) external returns (uint256 rootId) {
        if (caller != invoice.debtor) revert IReceivableToken.ReceivableInvalidSigner(caller, invoice.debtor);
        return _confirm(ledger, accounts, issuanceLimits, invoice, type(uint256).max);
    }

    /// @dev Confirms on the debtor's EIP-712 `signature` over the terms with an unused `nonce` of the debtor's
    /// and `deadline`, under the token's `domainSeparator` (the domain lives in the token's immutables).
    function confirmSigned(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        mapping(address => uint256) storage issuanceLimits,
        bytes32 domainSeparator,
        IReceivableToken.Invoice calldata invoice,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 rootId) {
        if (block.timestamp > deadline) revert IReceivableToken.ReceivableSignatureExpired(deadline, block.timestamp);
        address debtor = invoice.debtor;
        bytes32 digest = confirmationDigest(domainSeparator, invoice, nonce, deadline);
        (address recovered, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signature);
        if (error != ECDSA.RecoverError.NoError || recovered != debtor) {
            // A contract wallet (ERC-1271) may approve instead; otherwise name who actually signed.
            if (debtor.code.length == 0 || !SignatureChecker.isValidERC1271SignatureNow(debtor, digest, signature)) {
                revert IReceivableToken.ReceivableInvalidSigner(recovered, debtor);
            }
        }
        _useNonce(ledger, debtor, nonce);
        return _confirm(ledger, accounts, issuanceLimits, invoice, nonce);
    }

    /// @dev The EIP-712 digest of a `Confirmation` under `domainSeparator`.
    function confirmationDigest(
        bytes32 domainSeparator,
        IReceivableToken.Invoice calldata invoice,
        uint256 nonce,
        uint256 deadline
    ) public pure returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(
            domainSeparator,
            keccak256(
                abi.encode(
                    CONFIRMATION_TYPEHASH,
                    invoice.invoiceHash,
                    invoice.invoiceNumberHash,
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

    // ─── currencies ────────────────────────────────────────────────────────────

    function setCurrencyAllowed(LedgerLayout.Ledger storage ledger, address currency, bool allowed) external {
        if (currency == address(0)) revert IReceivableToken.ReceivableCurrencyNotAllowed(currency);
        LedgerLayout.CurrencyEntry storage entry = ledger.currencyEntries[currency];
        if (entry.id == 0) {
            // Checked: a 65,536th currency reverts (Panic) rather than wrapping onto id 0.
            uint16 id = ledger.params.currencyCount + 1;
            ledger.params.currencyCount = id;
            entry.id = id;
            ledger.currencies[id] = currency;
        }
        entry.allowed = allowed;
        emit IReceivableToken.CurrencyAllowed(currency, allowed);
    }

    // ─── parameters ────────────────────────────────────────────────────────────

    function setLedgerParameters(
        LedgerLayout.Ledger storage ledger,
        uint256 minPartAmount,
        uint8 maxDepth,
        uint32 defaultOfferWindow
    ) external {
        if (minPartAmount == 0 || minPartAmount > type(uint96).max || maxDepth == 0 || defaultOfferWindow == 0) {
            revert IReceivableToken.ReceivableInvalidParameters();
        }
        LedgerLayout.Parameters storage params = ledger.params;
        params.minPartAmount = uint96(minPartAmount);
        params.maxDepth = maxDepth;
        params.defaultOfferWindow = defaultOfferWindow;
        emit IReceivableToken.LedgerParametersSet(minPartAmount, maxDepth, defaultOfferWindow);
    }

    /// @dev `signer` cancels the nonces set in `mask` of word `wordPosition`.
    function invalidateNonces(LedgerLayout.Ledger storage ledger, address signer, uint256 wordPosition, uint256 mask)
        external
    {
        ledger.nonceBitmaps[signer][wordPosition] |= mask;
        emit IReceivableToken.NoncesInvalidated(signer, wordPosition, mask);
    }

    /// @dev The operator's emergency switch (OpenZeppelin `Pausable`'s events and errors).
    function setPaused(LedgerLayout.Ledger storage ledger, address operator, bool paused) external {
        if (ledger.params.paused == paused) {
            if (paused) revert EnforcedPause();
            revert ExpectedPause();
        }
        ledger.params.paused = paused;
        if (paused) emit IReceivableToken.Paused(operator);
        else emit IReceivableToken.Unpaused(operator);
    }

    // ─── internal ──────────────────────────────────────────────────────────────

    /// @dev Marks `signer`'s `nonce` used (Permit2's unordered nonces), reverting when it was used or cancelled.
    function _useNonce(LedgerLayout.Ledger storage ledger, address signer, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        mapping(uint256 => uint256) storage words = ledger.nonceBitmaps[signer];
        uint256 word = words[nonce >> 8];
        if (word & bit != 0) revert IReceivableToken.ReceivableNonceUsed(signer, nonce);
        words[nonce >> 8] = word | bit;
    }

    /// @dev Mints the root receivable of `invoice` to its supplier; `nonce` only goes into the event.
    function _confirm(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        mapping(address => uint256) storage issuanceLimits,
        IReceivableToken.Invoice calldata invoice,
        uint256 nonce
    ) private returns (uint256 rootId) {
        uint16 currencyId = validateInvoice(ledger, accounts, invoice);
        bytes32 invoiceHash = invoice.invoiceHash;
        // Only the named supplier's own registration counts: nobody else's can block the debtor.
        LedgerLayout.RegisteredInvoice storage registered = ledger.registeredInvoices[invoice.supplier][invoiceHash];
        bytes32 registeredTerms = registered.termsHash;
        if (registeredTerms != 0) {
            // A registration whose maturity passed lapsed: it neither binds nor blocks.
            if (registeredTerms != termsHash(invoice) && _isLive(registered)) {
                revert IReceivableToken.ReceivableInvoiceTermsMismatch(invoiceHash);
            }
            delete ledger.registeredInvoices[invoice.supplier][invoiceHash];
        }
        accounts.consumeIssuance(issuanceLimits, invoice.debtor, invoice.amount);
        rootId = _mintRoot(ledger, invoice, currencyId);
        // Mint: the supplier's count rises (a non-zero slot: it is registered).
        unchecked {
            // Cannot overflow: a count is at most the number of ids ever minted, far below 2^64.
            accounts[invoice.supplier].receivableCount += 1;
        }
        emit IERC721.Transfer(address(0), invoice.supplier, rootId);
        emit IERC3525.SlotChanged(rootId, 0, rootId);
        emit IERC3525.TransferValue(0, rootId, invoice.amount);
        emit IReceivableToken.InvoiceConfirmed(
            invoiceHash,
            rootId,
            invoice.debtor,
            invoice.supplier,
            invoice.invoiceNumberHash,
            invoice.currency,
            invoice.amount,
            invoice.maturity,
            nonce
        );
    }

    function _mintRoot(LedgerLayout.Ledger storage ledger, IReceivableToken.Invoice calldata invoice, uint16 currencyId)
        private
        returns (uint256 rootId)
    {
        // Checked: 2^64 roots cannot happen, and a wrap would reuse ids.
        uint64 rootSeq = ledger.params.rootCount + 1;
        ledger.params.rootCount = rootSeq;
        rootId = uint256(rootSeq) << 32;
        // Casts are exact: maturity <= type(uint40).max and amount <= type(uint96).max were checked.
        ledger.roots[rootSeq] = LedgerLayout.StoredRoot({
            issuer: invoice.debtor,
            maturity: uint40(invoice.maturity),
            childCount: 0,
            flags: 0,
            currencyId: currencyId
        });
        ledger.invoiceRoots[invoice.invoiceHash] = rootId;
        ledger.invoiceNumberRoots[
            LedgerLayout.invoiceNumberCommitment(invoice.debtor, invoice.supplier, invoice.invoiceNumberHash)
        ] = rootId;
        // Cannot truncate: amounts are at most 96 bits, and the checked sum reverts long before 248.
        ledger.issuedPools[LedgerLayout.poolKey(invoice.debtor, invoice.currency, invoice.maturity)].face += uint248(invoice.amount);
        // Only the head: a root's state stays zero (not offered, not pledged, depth 0, no parent).
        ledger.receivables[rootId].head = LedgerLayout.head(invoice.supplier, invoice.amount);
    }

    // ─── shared internal checks (compiled into the token too) ──────────────────

    /// @dev Checks the terms both registration and confirmation require; returns the currency's id.
    function validateInvoice(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        IReceivableToken.Invoice calldata invoice
    ) internal view returns (uint16 currencyId) {
        requireNotPaused(ledger);
        uint256 amount = invoice.amount;
        if (amount == 0) revert IReceivableToken.ReceivableZeroAmount();
        if (amount > type(uint96).max) revert IReceivableToken.ReceivableAmountTooLarge(amount, type(uint96).max);
        uint64 maturity = invoice.maturity;
        if (maturity <= block.timestamp) revert IReceivableToken.ReceivableMaturityInPast(maturity, block.timestamp);
        // Roots keep maturity in 40 bits (beyond the year 36,000).
        if (maturity > type(uint40).max) revert IReceivableToken.ReceivableInvalidParameters();
        LedgerLayout.CurrencyEntry memory currency = ledger.currencyEntries[invoice.currency];
        if (!currency.allowed) revert IReceivableToken.ReceivableCurrencyNotAllowed(invoice.currency);
        accounts.requireRole(invoice.supplier, IOrganisationRegistry.OrganisationRole.Supplier);
        accounts.requireRole(invoice.debtor, IOrganisationRegistry.OrganisationRole.CoreEnterprise);
        if (ledger.invoiceRoots[invoice.invoiceHash] != 0) {
            revert IReceivableToken.ReceivableInvoiceAlreadyConfirmed(invoice.invoiceHash);
        }
        // The business identity: one invoice number of one supplier to one debtor, once, whatever the
        // document's hash. The ledger forms the commitment from the parties itself, so nobody can occupy
        // another pair's number.
        if (invoice.invoiceNumberHash == 0) revert IReceivableToken.ReceivableInvalidParameters();
        bytes32 commitment =
            LedgerLayout.invoiceNumberCommitment(invoice.debtor, invoice.supplier, invoice.invoiceNumberHash);
        uint256 numberRoot = ledger.invoiceNumberRoots[commitment];
        if (numberRoot != 0) revert IReceivableToken.ReceivableInvoiceNumberAlreadyConfirmed(commitment, numberRoot);
        // A deposit pays the receivables it was made for (issue 8, F9): once money is in a pool, nothing
        // more joins it, so a later confirmation can never dilute an earlier holder's share.
        if (ledger.issuedPools[LedgerLayout.poolKey(invoice.debtor, invoice.currency, maturity)].closed) {
            revert IReceivableToken.ReceivablePoolClosed(invoice.debtor, invoice.currency, maturity);
        }
        return currency.id;
    }

    /// @dev What registration stores and confirmation compares: every term of the invoice.
    function termsHash(IReceivableToken.Invoice calldata invoice) internal pure returns (bytes32) {
        return keccak256(abi.encode(invoice));
    }

    /// @dev A registration binds (and blocks its supplier's re-registration) until its invoice's maturity.
    function _isLive(LedgerLayout.RegisteredInvoice storage registered) private view returns (bool) {
        return registered.termsHash != 0 && block.timestamp < registered.maturity;
    }

    function requireNotPaused(LedgerLayout.Ledger storage ledger) internal view {
        if (ledger.params.paused) revert EnforcedPause();
    }

    function existingRoot(LedgerLayout.Ledger storage ledger, uint256 rootId)
        internal
        view
        returns (LedgerLayout.StoredRoot storage root)
    {
        root = ledger.roots[rootId >> 32];
        if (rootId & LedgerLayout.SEQ_MASK != 0 || root.issuer == address(0)) {
            revert IReceivableToken.ReceivableNonexistent(rootId);
        }
    }
}
