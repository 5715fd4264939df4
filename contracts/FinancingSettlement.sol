// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IFinancingSettlement} from "./interfaces/IFinancingSettlement.sol";
import {IOrganisationRegistry} from "./interfaces/IOrganisationRegistry.sol";
import {IReceivableToken} from "./interfaces/IReceivableToken.sol";
import {IRepaymentVault} from "./interfaces/IRepaymentVault.sol";
import {IRiskProgramme} from "./interfaces/IRiskProgramme.sol";
import {LedgerLayout} from "./libraries/LedgerLayout.sol";

/// @title Ledgerline financing settlement
/// @notice Atomic delivery versus payment of a financier's signed quote. It holds FINANCING_ROLE on the
/// receivable token and never holds money or receivables itself: the advance goes straight from the
/// financier to the holder, the receivable part straight from the holder to the financier (or stays with
/// the holder, pledged). It must never let a receivable part be financed twice; the token's FINANCED flag,
/// set by the same call that moves or locks the part, is what guarantees that. It must never let a
/// financier's outstanding financed face on an obligor exceed the limit that financier set on it.
contract FinancingSettlement is IFinancingSettlement, EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(uint256 receivableId,uint256 amount,uint256 advance,address financier,address holder,uint8 mode,uint256 repayment,address currency,uint64 expiry,uint256 nonce,uint256 programmeId,bytes32 evidenceHash)"
    );

    IReceivableToken private immutable _ledger;
    IRepaymentVault private immutable _vault;
    IRiskProgramme private immutable _programmes;

    /// @dev A financier's limit on one obligor and its outstanding financed face there, one slot: read and
    /// written once per acceptance. `outstanding <= limit` after every acceptance (the limit may be lowered
    /// below it later); both fit 128 bits (a limit is cast on entry, outstanding never exceeds it).
    struct Exposure {
        uint128 limit;
        uint128 outstanding;
    }

    /// @dev The low 8 bits of a quote record are its status; the rest, once accepted, the financed id
    /// (ids are 96 bits), which `releaseExposure` needs. One slot per quote ever accepted or cancelled;
    /// open quotes cost nothing.
    uint256 private constant _STATUS_MASK = 0xff;
    uint256 private constant _SEQ_MASK = LedgerLayout.SEQ_MASK;

    mapping(bytes32 quoteHash => uint256 record) private _quotes;
    mapping(address financier => uint256) private _minNonce;
    mapping(address financier => mapping(address obligor => Exposure)) private _exposures;

    constructor(IReceivableToken ledger_, IRepaymentVault vault_, IRiskProgramme programmes_)
        EIP712("Ledgerline FinancingSettlement", "1")
    {
        _ledger = ledger_;
        _vault = vault_;
        _programmes = programmes_;
    }

    // ─── execution ─────────────────────────────────────────────────────────────

    /// @inheritdoc IFinancingSettlement
    function acceptQuote(Quote calldata quote, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 financedId)
    {
        bytes32 quoteHash = _hashTypedDataV4(_hashQuoteStruct(quote));
        (address obligor, uint64 maturity) = _checkQuote(quote, quoteHash, signature);

        // Effects before interactions: the quote is spent and the exposure taken before any external
        // contract runs, so even a hostile currency re-entering here (past the guard, through another entry
        // point) finds the quote used and the limit consumed.
        _quotes[quoteHash] = uint256(QuoteStatus.Accepted);
        _takeExposure(quoteHash, quote.financier, obligor, quote.amount);

        // The token applies every movement rule (financed, pledged, offered, frozen, overdue, matured,
        // amount, minimum part) and marks the part FINANCED in the same call: a second quote on the same
        // part, from any bank, reverts there.
        if (quote.mode == FinancingMode.Purchase) {
            financedId = _ledger.financePurchase(quote.receivableId, quote.amount, quote.financier);
        } else {
            financedId = _ledger.financePledge(quote.receivableId, quote.amount, quote.financier);
            _vault.recordPledge(financedId, quote.holder, quote.financier, quote.repayment);
        }
        // Enrol or fail: the programme reverts (and with it the whole financing) when it cannot enrol.
        if (quote.programmeId != 0) _programmes.enrol(quote, quoteHash, financedId, obligor, maturity);
        // The same slot, written again in this transaction: 100 gas for what `releaseExposure` needs.
        _quotes[quoteHash] = uint256(QuoteStatus.Accepted) | (financedId << 8);
        _emitAccepted(quote, quoteHash, financedId);

        IERC20(quote.currency).safeTransferFrom(quote.financier, quote.holder, quote.advance);
    }

    // ─── cancellation ──────────────────────────────────────────────────────────

    /// @inheritdoc IFinancingSettlement
    function cancelQuote(Quote calldata quote) external {
        if (msg.sender != quote.financier) revert FinancingUnauthorizedCanceller(msg.sender, quote.financier);
        bytes32 quoteHash = _hashTypedDataV4(_hashQuoteStruct(quote));
        _requireOpen(quoteHash);
        _quotes[quoteHash] = uint256(QuoteStatus.Cancelled);
        emit QuoteCancelled(quoteHash, quote.financier, quote.nonce);
    }

    /// @inheritdoc IFinancingSettlement
    function invalidateNonces(uint256 newMinNonce) external {
        uint256 current = _minNonce[msg.sender];
        if (newMinNonce <= current) revert FinancingNonceNotIncreasing(msg.sender, current, newMinNonce);
        _minNonce[msg.sender] = newMinNonce;
        emit NoncesInvalidated(msg.sender, newMinNonce);
    }

    // ─── exposure limits ───────────────────────────────────────────────────────

    /// @inheritdoc IFinancingSettlement
    function setExposureLimit(address obligor, uint256 limit) external {
        IOrganisationRegistry.OrganisationRole role = _ledger.organisationOf(msg.sender).role;
        if (role != IOrganisationRegistry.OrganisationRole.Financier) revert FinancingNotFinancier(msg.sender, role);
        role = _ledger.organisationOf(obligor).role;
        if (role != IOrganisationRegistry.OrganisationRole.CoreEnterprise) revert FinancingNotObligor(obligor, role);
        // Keyed by the caller: no financier can touch another's limit.
        Exposure storage exposure = _exposures[msg.sender][obligor];
        exposure.limit = limit.toUint128();
        emit ExposureLimitSet(msg.sender, obligor, limit, exposure.outstanding);
    }

    /// @inheritdoc IFinancingSettlement
    function releaseExposure(Quote calldata quote) external nonReentrant {
        bytes32 quoteHash = _hashTypedDataV4(_hashQuoteStruct(quote));
        uint256 record = _quotes[quoteHash];
        if (record & _STATUS_MASK != uint256(QuoteStatus.Accepted)) revert FinancingExposureNotOutstanding(quoteHash);
        uint256 financedId = record >> 8;
        IReceivableToken.Root memory root = _ledger.rootOf(financedId & ~_SEQ_MASK);
        (uint256 face, uint256 deposited) = _vault.poolOf(root.issuer, root.currency, root.maturity);
        // Repaid: the obligor funded the whole pool (the only time a receivable burns). Otherwise a pledge
        // ends the financier's exposure when its financing pledge ends; a purchase waits for repayment.
        if (
            deposited != face
                && (
                    quote.mode == FinancingMode.Purchase
                        || _ledger.receivableOf(financedId).flags & LedgerLayout.FLAG_PLEDGE_DEBT != 0
                )
        ) revert FinancingExposureNotRepaid(quoteHash);

        _quotes[quoteHash] = (record & ~_STATUS_MASK) | uint256(QuoteStatus.ExposureReleased);
        Exposure storage exposure = _exposures[quote.financier][root.issuer];
        // Cannot underflow: `quote.amount` was added when the quote was accepted and is released once.
        uint256 outstanding = exposure.outstanding - quote.amount;
        exposure.outstanding = uint128(outstanding);
        emit ExposureReleased(quoteHash, quote.financier, root.issuer, quote.amount, outstanding);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IFinancingSettlement
    function hashQuote(Quote calldata quote) external view returns (bytes32) {
        return _hashTypedDataV4(_hashQuoteStruct(quote));
    }

    /// @inheritdoc IFinancingSettlement
    function quoteStatus(bytes32 quoteHash) external view returns (QuoteStatus) {
        return QuoteStatus(uint8(_quotes[quoteHash]));
    }

    /// @inheritdoc IFinancingSettlement
    function financedIdOf(bytes32 quoteHash) external view returns (uint256) {
        return _quotes[quoteHash] >> 8;
    }

    /// @inheritdoc IFinancingSettlement
    function exposureOf(address financier, address obligor) external view returns (uint256 limit, uint256 outstanding) {
        Exposure memory exposure = _exposures[financier][obligor];
        return (exposure.limit, exposure.outstanding);
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

    /// @inheritdoc IFinancingSettlement
    function programmes() external view returns (address) {
        return address(_programmes);
    }

    // ─── internal ──────────────────────────────────────────────────────────────

    /// @dev Every static-typed field of `Quote` is encoded in place, so `abi.encode(typehash, quote)` is
    /// exactly EIP-712's `encodeData` for it.
    function _hashQuoteStruct(Quote calldata quote) private pure returns (bytes32) {
        return keccak256(abi.encode(QUOTE_TYPEHASH, quote));
    }

    /// @dev Reverts unless the quote was neither accepted nor cancelled.
    function _requireOpen(bytes32 quoteHash) private view {
        QuoteStatus status = QuoteStatus(uint8(_quotes[quoteHash]));
        if (status == QuoteStatus.Cancelled) revert FinancingQuoteCancelled(quoteHash);
        if (status != QuoteStatus.Open) revert FinancingQuoteAlreadyAccepted(quoteHash);
    }

    /// @dev Adds `amount` to `financier`'s outstanding financed face on `obligor`, within its limit.
    function _takeExposure(bytes32 quoteHash, address financier, address obligor, uint256 amount) private {
        Exposure storage exposure = _exposures[financier][obligor];
        Exposure memory current = exposure;
        uint256 outstanding = uint256(current.outstanding) + amount;
        if (outstanding > current.limit) {
            revert FinancingExposureLimitExceeded(financier, obligor, current.limit, current.outstanding, amount);
        }
        // The cast is exact: outstanding <= limit <= type(uint128).max.
        exposure.outstanding = uint128(outstanding);
        emit ExposureTaken(quoteHash, financier, obligor, amount, outstanding);
    }

    /// @dev The checks of `acceptQuote` that this contract owns; the receivable's own movement rules are
    /// the token's. Cheap, local checks come before the signature and the external reads. Returns the
    /// receivable's obligor (its tree's issuer), against whose limit the financing counts, and its maturity.
    function _checkQuote(Quote calldata quote, bytes32 quoteHash, bytes calldata signature)
        private
        view
        returns (address obligor, uint64 maturity)
    {
        if (msg.sender != quote.holder) revert FinancingNotQuotedHolder(msg.sender, quote.holder);

        _requireOpen(quoteHash);
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
        IReceivableToken.Root memory root = _ledger.rootOf(receivable.rootId);
        if (quote.currency != root.currency) revert FinancingCurrencyMismatch(quote.currency, root.currency);
        if (!_ledger.isCurrencyAllowed(root.currency)) revert FinancingCurrencyNotAllowed(root.currency);
        return (root.issuer, root.maturity);
    }

    /// @dev Kept apart so the twelve event fields do not crowd `acceptQuote`'s stack.
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
            quote.nonce,
            quote.evidenceHash
        );
    }
}
