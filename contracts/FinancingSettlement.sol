// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IFinancingSettlement} from "./interfaces/IFinancingSettlement.sol";
import {IOrganisationRegistry} from "./interfaces/IOrganisationRegistry.sol";
import {IReceivableToken} from "./interfaces/IReceivableToken.sol";
import {IRepaymentVault} from "./interfaces/IRepaymentVault.sol";

/// @title Ledgerline financing settlement
/// @notice Atomic delivery versus payment of a financier's signed quote. It holds FINANCING_ROLE on the
/// receivable token and never holds money or receivables itself: the advance goes straight from the
/// financier to the holder, the receivable part straight from the holder to the financier (or stays with
/// the holder, pledged). It must never let a receivable part be financed twice; the token's FINANCED flag,
/// set by the same call that moves or locks the part, is what guarantees that.
contract FinancingSettlement is IFinancingSettlement, EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(uint256 receivableId,uint256 amount,uint256 advance,address financier,address holder,uint8 mode,uint256 repayment,address currency,uint64 expiry,uint256 nonce)"
    );

    IReceivableToken private immutable _ledger;
    IRepaymentVault private immutable _vault;

    /// @dev One slot per quote ever accepted or cancelled; open quotes cost nothing.
    mapping(bytes32 quoteHash => QuoteStatus) private _quoteStatus;
    mapping(address financier => uint256) private _minNonce;

    constructor(IReceivableToken ledger_, IRepaymentVault vault_) EIP712("Ledgerline FinancingSettlement", "1") {
        _ledger = ledger_;
        _vault = vault_;
    }

    // ─── execution ─────────────────────────────────────────────────────────────

    /// @inheritdoc IFinancingSettlement
    function acceptQuote(Quote calldata quote, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 financedId)
    {
        bytes32 quoteHash = _hashTypedDataV4(_hashQuoteStruct(quote));
        _checkQuote(quote, quoteHash, signature);

        // Effects before interactions: the quote is spent before any external contract runs, so even a
        // hostile currency re-entering here (past the guard, through another entry point) finds it used.
        _quoteStatus[quoteHash] = QuoteStatus.Accepted;

        // The token applies every movement rule (financed, pledged, offered, frozen, overdue, matured,
        // amount, minimum part) and marks the part FINANCED in the same call: a second quote on the same
        // part, from any bank, reverts there.
        if (quote.mode == FinancingMode.Purchase) {
            financedId = _ledger.financePurchase(quote.receivableId, quote.amount, quote.financier);
        } else {
            financedId = _ledger.financePledge(quote.receivableId, quote.amount, quote.financier);
            _vault.recordPledge(financedId, quote.holder, quote.financier, quote.repayment);
        }
        _emitAccepted(quote, quoteHash, financedId);

        IERC20(quote.currency).safeTransferFrom(quote.financier, quote.holder, quote.advance);
    }

    // ─── cancellation ──────────────────────────────────────────────────────────

    /// @inheritdoc IFinancingSettlement
    function cancelQuote(Quote calldata quote) external {
        if (msg.sender != quote.financier) revert FinancingUnauthorizedCanceller(msg.sender, quote.financier);
        bytes32 quoteHash = _hashTypedDataV4(_hashQuoteStruct(quote));
        QuoteStatus status = _quoteStatus[quoteHash];
        if (status == QuoteStatus.Accepted) revert FinancingQuoteAlreadyAccepted(quoteHash);
        if (status == QuoteStatus.Cancelled) revert FinancingQuoteCancelled(quoteHash);
        _quoteStatus[quoteHash] = QuoteStatus.Cancelled;
        emit QuoteCancelled(quoteHash, quote.financier, quote.nonce);
    }

    /// @inheritdoc IFinancingSettlement
    function invalidateNonces(uint256 newMinNonce) external {
        uint256 current = _minNonce[msg.sender];
        if (newMinNonce <= current) revert FinancingNonceNotIncreasing(msg.sender, current, newMinNonce);
        _minNonce[msg.sender] = newMinNonce;
        emit NoncesInvalidated(msg.sender, newMinNonce);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IFinancingSettlement
    function hashQuote(Quote calldata quote) external view returns (bytes32) {
        return _hashTypedDataV4(_hashQuoteStruct(quote));
    }

    /// @inheritdoc IFinancingSettlement
    function quoteStatus(bytes32 quoteHash) external view returns (QuoteStatus) {
        return _quoteStatus[quoteHash];
    }

    /// @inheritdoc IFinancingSettlement
    function minNonceOf(address financier) external view returns (uint256) {
        return _minNonce[financier];
    }

    /// @inheritdoc IFinancingSettlement
    function ledger() external view returns (IReceivableToken) {
        return _ledger;
    }

    /// @inheritdoc IFinancingSettlement
    function vault() external view returns (IRepaymentVault) {
        return _vault;
    }

    // ─── internal ──────────────────────────────────────────────────────────────

    /// @dev Every static-typed field of `Quote` is encoded in place, so `abi.encode(typehash, quote)` is
    /// exactly EIP-712's `encodeData` for it.
    function _hashQuoteStruct(Quote calldata quote) private pure returns (bytes32) {
        return keccak256(abi.encode(QUOTE_TYPEHASH, quote));
    }

    /// @dev The checks of `acceptQuote` that this contract owns; the receivable's own movement rules are
    /// the token's. Cheap, local checks come before the signature and the external reads.
    function _checkQuote(Quote calldata quote, bytes32 quoteHash, bytes calldata signature) private view {
        if (msg.sender != quote.holder) revert FinancingNotQuotedHolder(msg.sender, quote.holder);

        QuoteStatus status = _quoteStatus[quoteHash];
        if (status == QuoteStatus.Accepted) revert FinancingQuoteAlreadyAccepted(quoteHash);
        if (status == QuoteStatus.Cancelled) revert FinancingQuoteCancelled(quoteHash);
        if (block.timestamp > quote.expiry) revert FinancingQuoteExpired(quoteHash, quote.expiry, block.timestamp);
        uint256 minNonce = _minNonce[quote.financier];
        if (quote.nonce < minNonce) revert FinancingNonceInvalidated(quote.financier, quote.nonce, minNonce);

        if (quote.advance == 0 || quote.advance > quote.amount) {
            revert FinancingInvalidAdvance(quote.advance, quote.amount);
        }
        if (
            quote.mode == FinancingMode.Purchase
                ? quote.repayment != 0
                : (quote.repayment < quote.advance || quote.repayment > quote.amount)
        ) {
            revert FinancingInvalidRepayment(quote.mode, quote.repayment, quote.advance, quote.amount);
        }

        IOrganisationRegistry.Organisation memory financier = _ledger.organisationOf(quote.financier);
        if (financier.role != IOrganisationRegistry.OrganisationRole.Financier) {
            revert FinancingNotFinancier(quote.financier, financier.role);
        }
        if (!financier.active) revert FinancingFinancierSuspended(quote.financier);
        if (!SignatureChecker.isValidSignatureNow(quote.financier, quoteHash, signature)) {
            revert FinancingInvalidSignature(quoteHash, quote.financier);
        }

        IReceivableToken.Receivable memory receivable = _ledger.receivableOf(quote.receivableId);
        if (receivable.holder != quote.holder) {
            revert FinancingHolderMismatch(quote.receivableId, quote.holder, receivable.holder);
        }
        address currency = _ledger.rootOf(receivable.rootId).currency;
        if (quote.currency != currency) revert FinancingCurrencyMismatch(quote.currency, currency);
        if (!_ledger.isCurrencyAllowed(currency)) revert FinancingCurrencyNotAllowed(currency);
    }

    /// @dev Kept apart so the eleven event fields do not crowd `acceptQuote`'s stack.
    function _emitAccepted(Quote calldata quote, bytes32 quoteHash, uint256 financedId) private {
        emit QuoteAccepted(
            quoteHash,
            quote.receivableId,
            quote.financier,
            financedId,
            quote.holder,
            quote.mode,
            quote.currency,
            quote.amount,
            quote.advance,
            quote.repayment,
            quote.nonce
        );
    }
}
