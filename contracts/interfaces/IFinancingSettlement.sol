// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReceivableToken} from "./IReceivableToken.sol";
import {IRepaymentVault} from "./IRepaymentVault.sol";

/// @title Ledgerline financing settlement
/// @notice Executes a financier's signed quote against a receivable atomically (delivery versus payment).
/// Negotiation happens off chain; the financier signs an EIP-712 `Quote` naming the holder it is offered
/// to, and that holder submits it. In one transaction the quoted part of the receivable is split off and
/// either moved to the financier (`Purchase`) or locked for it as pledgee (`Pledge`), and the advance moves
/// from the financier to the holder.
///
/// The advance is paid from the financier's ERC-20 allowance to this contract: the financier approves this
/// contract once (or per quote) in the settlement token. An EIP-2612 permit cannot stand in for that
/// approval here, because the party who pays (the financier) is not the party who submits (the holder).
///
/// A receivable part can be financed once, ever: the receivable token marks the financed part FINANCED and
/// refuses a second financing of it or of anything split from it.
///
/// Each financier sets its own *exposure limit* on each obligor (the core enterprise that owes the
/// receivable); nobody else can change it. Accepting a quote checks, in the same transaction, that the
/// financier's outstanding financed face on the obligor plus the quoted amount stays within that limit
/// (no limit set means 0: a financier finances only obligors it has approved). A financing stays
/// outstanding until the obligor has repaid it (its pool is fully funded) or, for a pledge, until the
/// financing pledge ends (repaid, paid off at redemption, or released by the financier); then anyone may
/// release it with `releaseExposure`. A purchased part the financier later sells on stays outstanding for
/// it until the obligor repays: the limit counts the financing a financier extended against an obligor,
/// and an onward sale is the financier's own business, outside financing.
interface IFinancingSettlement {
    /// @notice Purchase: the financier becomes the holder of the financed part.
    /// Pledge: the holder keeps the financed part, locked for the financier, and owes it `repayment`.
    enum FinancingMode {
        Purchase,
        Pledge
    }

    /// @notice What became of a quote (by its EIP-712 digest). `ExposureReleased`: accepted, and the
    /// financing it made no longer counts against its financier's exposure limit.
    enum QuoteStatus {
        Open,
        Accepted,
        Cancelled,
        ExposureReleased
    }

    /// @notice A financier's offer to finance (part of) a receivable, signed with EIP-712 as
    /// `Quote(uint256 receivableId,uint256 amount,uint256 advance,address financier,address holder,uint8 mode,uint256 repayment,address currency,uint64 expiry,uint256 nonce,uint256 programmeId,bytes32 evidenceHash)`.
    struct Quote {
        uint256 receivableId;
        /// @dev Face amount financed: all of the receivable or a part split off it.
        uint256 amount;
        /// @dev Price the financier pays the holder, in `currency` base units; 0 < advance <= amount.
        uint256 advance;
        /// @dev The signer: a registered, active financier (an EOA, or a contract wallet via ERC-1271).
        address financier;
        /// @dev The only organisation that may accept: the receivable's holder when the quote was made.
        address holder;
        FinancingMode mode;
        /// @dev Pledge: what the holder owes back, advance <= repayment <= amount. Purchase: 0.
        uint256 repayment;
        /// @dev The settlement token; must be the receivable's currency and still allowed by the ledger.
        address currency;
        /// @dev Unix seconds; the quote can be accepted up to and including this second.
        uint64 expiry;
        /// @dev Quotes with a nonce below the financier's minimum nonce are void (bulk cancellation).
        uint256 nonce;
        /// @dev A risk-sharing programme to enrol the financing in (IRiskProgramme), or 0 for none. Enrol or
        /// fail: when the programme refuses, the acceptance reverts with its error and nothing moves.
        uint256 programmeId;
        /// @dev The hash of the financier's due-diligence decision record (the risk view, the documents seen,
        /// who prepared and who approved the quote), kept off chain; signing it here anchors the record so
        /// nobody can rewrite it after the financing. 0 when the financier keeps no record.
        bytes32 evidenceHash;
    }

    // ─── events (the indexer's API: complete without reading storage) ─────────────

    /// @notice `holder` accepted the quote `quoteHash` of `financier`: `amount` of receivable `receivableId`
    /// became the FINANCED receivable `financedId` (equal to `receivableId` when the whole of it was
    /// financed), now held by `financier` (Purchase) or pledged to it (Pledge), and `advance` of `currency`
    /// moved from `financier` to `holder`. For a pledge, `repayment` is what `holder` owes `financier`.
    /// `evidenceHash` is the signed hash of the financier's due-diligence record for this quote.
    event QuoteAccepted(
        bytes32 indexed quoteHash,
        uint256 indexed receivableId,
        address indexed financier,
        uint256 financedId,
        address holder,
        FinancingMode mode,
        address currency,
        uint256 amount,
        uint256 advance,
        uint256 repayment,
        uint256 nonce,
        bytes32 evidenceHash
    );

    /// @notice `financier` withdrew its quote `quoteHash` (with `nonce`) before anyone accepted it.
    event QuoteCancelled(bytes32 indexed quoteHash, address indexed financier, uint256 nonce);

    /// @notice Every quote of `financier` with a nonce below `minNonce` is void from now on.
    event NoncesInvalidated(address indexed financier, uint256 minNonce);

    /// @notice `financier` set its exposure limit on `obligor` to `limit`; `outstanding` is its financed face
    /// on that obligor not yet repaid.
    event ExposureLimitSet(address indexed financier, address indexed obligor, uint256 limit, uint256 outstanding);

    /// @notice Accepting the quote `quoteHash` added `amount` to `financier`'s outstanding financed face on
    /// `obligor`, now `outstanding` (within its limit).
    event ExposureTaken(
        bytes32 indexed quoteHash, address indexed financier, address indexed obligor, uint256 amount, uint256 outstanding
    );

    /// @notice The financing of quote `quoteHash` was repaid or its pledge ended: `amount` no longer counts
    /// against `financier`'s limit on `obligor`; `outstanding` is what still does.
    event ExposureReleased(
        bytes32 indexed quoteHash, address indexed financier, address indexed obligor, uint256 amount, uint256 outstanding
    );

    // ─── errors ────────────────────────────────────────────────────────────────

    /// @notice The quote's expiry has passed.
    error FinancingQuoteExpired(bytes32 quoteHash, uint64 expiry, uint256 nowTimestamp);
    /// @notice The financier cancelled this quote.
    error FinancingQuoteCancelled(bytes32 quoteHash);
    /// @notice This quote was accepted already (a replay).
    error FinancingQuoteAlreadyAccepted(bytes32 quoteHash);
    /// @notice The quote's nonce is below the financier's minimum nonce.
    error FinancingNonceInvalidated(address financier, uint256 nonce, uint256 minNonce);
    /// @notice A new minimum nonce must be above the current one.
    error FinancingNonceNotIncreasing(address financier, uint256 minNonce, uint256 newMinNonce);
    /// @notice The signature is not `financier`'s signature of `quoteHash`.
    error FinancingInvalidSignature(bytes32 quoteHash, address financier);
    /// @notice `financier` is not a registered financier (its role is `role`).
    error FinancingNotFinancier(address financier, IReceivableToken.OrganisationRole role);
    /// @notice `financier` is registered but suspended.
    error FinancingFinancierSuspended(address financier);
    /// @notice Only the holder the quote names may accept it.
    error FinancingNotQuotedHolder(address caller, address holder);
    /// @notice The receivable no longer belongs to the holder the quote names (it moved).
    error FinancingHolderMismatch(uint256 id, address quotedHolder, address currentHolder);
    /// @notice The advance is zero or exceeds the face amount financed.
    error FinancingInvalidAdvance(uint256 advance, uint256 amount);
    /// @notice Pledge: repayment must lie in [advance, amount]; Purchase: repayment must be 0.
    error FinancingInvalidRepayment(FinancingMode mode, uint256 repayment, uint256 advance, uint256 amount);
    /// @notice The quote's currency is not the receivable's currency.
    error FinancingCurrencyMismatch(address quoted, address receivableCurrency);
    /// @notice The ledger no longer allows `currency` as a settlement token.
    error FinancingCurrencyNotAllowed(address currency);
    /// @notice Only the quote's financier may cancel it.
    error FinancingUnauthorizedCanceller(address caller, address financier);
    /// @notice `obligor` is not a registered core enterprise (its role is `role`).
    error FinancingNotObligor(address obligor, IReceivableToken.OrganisationRole role);
    /// @notice Financing `amount` more on `obligor` would take `financier` beyond its exposure limit.
    error FinancingExposureLimitExceeded(
        address financier, address obligor, uint256 limit, uint256 outstanding, uint256 amount
    );
    /// @notice Quote `quoteHash` has no financing outstanding (never accepted, or already released).
    error FinancingExposureNotOutstanding(bytes32 quoteHash);
    /// @notice The financing of quote `quoteHash` is not repaid yet (nor, for a pledge, its pledge ended).
    error FinancingExposureNotRepaid(bytes32 quoteHash);

    // ─── execution ─────────────────────────────────────────────────────────────

    /// @notice The holder named in `quote` accepts it: the quoted part is split off and moved to the
    /// financier (Purchase) or pledged to it (Pledge), and the advance moves from the financier to the
    /// holder, all in this transaction. Reverts with the receivable token's errors when the receivable is
    /// already financed, pledged, offered, frozen, overdue or matured.
    /// Reverts `FinancingExposureLimitExceeded` when the financier's outstanding financed face on the
    /// receivable's obligor plus `quote.amount` would exceed the financier's exposure limit on it.
    /// With `quote.programmeId` set, the financing is enrolled in that risk-sharing programme in the same
    /// transaction (`IRiskProgramme.enrol`), or the acceptance reverts with the programme's error.
    /// @return financedId The id of the financed receivable (the quoted one when financed whole).
    function acceptQuote(Quote calldata quote, bytes calldata signature) external returns (uint256 financedId);

    // ─── exposure limits ───────────────────────────────────────────────────────

    /// @notice The caller (a registered financier) sets its own exposure limit on `obligor` (a registered
    /// core enterprise). A limit below what is outstanding stops new financing until enough is repaid.
    function setExposureLimit(address obligor, uint256 limit) external;

    /// @notice Anyone releases the exposure of the accepted `quote` once its financing is repaid (the
    /// obligor's pool is fully funded) or, for a pledge, once its financing pledge has ended.
    function releaseExposure(Quote calldata quote) external;

    // ─── cancellation ──────────────────────────────────────────────────────────

    /// @notice The quote's financier withdraws it.
    function cancelQuote(Quote calldata quote) external;

    /// @notice The caller (a financier) voids all its quotes with a nonce below `newMinNonce`.
    function invalidateNonces(uint256 newMinNonce) external;

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @notice The EIP-712 digest the financier signs for `quote`; also the quote's id in events.
    function hashQuote(Quote calldata quote) external view returns (bytes32);

    function quoteStatus(bytes32 quoteHash) external view returns (QuoteStatus);

    function minNonceOf(address financier) external view returns (uint256);

    /// @notice The financed receivable an accepted quote created (0 unless accepted).
    function financedIdOf(bytes32 quoteHash) external view returns (uint256);

    /// @notice `financier`'s exposure limit on `obligor` and its outstanding financed face on it.
    function exposureOf(address financier, address obligor) external view returns (uint256 limit, uint256 outstanding);

    /// @notice The receivable token (ledger) this contract holds FINANCING_ROLE on.
    function ledger() external view returns (IReceivableToken);

    /// @notice The repayment vault that keeps the pledge debts this contract records.
    function vault() external view returns (IRepaymentVault);

    /// @notice The risk-sharing programmes a quote may ask to enrol in (IRiskProgramme).
    function programmes() external view returns (address);
}
