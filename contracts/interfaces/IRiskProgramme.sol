// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFinancingSettlement} from "./IFinancingSettlement.sol";

/// @title Ledgerline risk-sharing programmes
/// @notice Risk-sharing programmes for supply-chain financing (issue 13): a programme administrator (a local
/// finance bureau, or the operator on its behalf) runs a risk-compensation pool that funders pay into; it
/// keeps a whitelist of eligible enterprises and a list of participating financiers with quotas. A financing
/// of a whitelisted supplier's part by a participating financier may be **enrolled** in the same transaction
/// as the financing (the financing settlement calls `enrol`): the programme reserves its coverage (coverage
/// ratio x advance, capped) and the interest subsidy. When the obligor repays in full the pool pays the
/// subsidy (`paySubsidy`); when it does not, the financier claims ratio x loss after the waiting period
/// (`claim`), within the claim window.
///
/// Every parameter that decides an enrolment's money belongs to a numbered **version** of the programme's
/// terms; `setTerms` adds a version and only later enrolments use it. An enrolment's record is one storage
/// slot holding a commitment (keccak256 of its `Enrolment`, emitted in full by `FinancingEnrolled`) and its
/// status: callers pass the `Enrolment` back, as the indexer serves it, and the contract checks it against
/// the commitment. Amounts are in the programme's currency's base units; every division rounds down, in the
/// pool's favour.
///
/// Money leaves only by pull-payment rules: each payment is pushed, and what the currency refuses is
/// credited to the payee (`PaymentCredited`) and withdrawn with `withdraw`.
interface IRiskProgramme {
    /// @notice One version of a programme's terms. Ratios are in basis points (1/10,000).
    struct Terms {
        /// @dev Share of a loss the pool bears, e.g. 5,000 = 50 %. At most 10,000.
        uint16 coverageBps;
        /// @dev Interest subsidy per year on the financed face, e.g. 100 = 1 % a year. At most 10,000.
        uint16 subsidyBps;
        /// @dev Pay the subsidy to the financier instead of the supplier that bore the discount.
        bool subsidyToFinancier;
        /// @dev Most coverage one financing may reserve (the reservation is capped to it).
        uint96 capPerFinancing;
        /// @dev Most coverage reserved at once for one enterprise (supplier); beyond it enrolment fails.
        uint96 capPerEnterprise;
        /// @dev Most coverage reserved at once for any one financier (each also has its own quota).
        uint96 capPerFinancier;
        /// @dev Seconds after the financing is overdue (maturity + the vault's grace period) before a claim.
        uint32 waitingPeriod;
        /// @dev Seconds, after the waiting period, during which a claim may be filed. Positive.
        uint32 claimWindow;
    }

    /// @notice An enrolled financing, as `FinancingEnrolled` emits it and `paySubsidy`/`claim` take it
    /// back. Its keccak256 is what the programme stores.
    struct Enrolment {
        uint256 programmeId;
        /// @dev The terms version in force at enrolment (its ratio, waiting period and claim window apply).
        uint32 version;
        /// @dev The FINANCED receivable the financing created (unique: a part is financed once, ever).
        uint256 financedId;
        address financier;
        /// @dev The holder that sold or pledged the part: the whitelisted enterprise.
        address supplier;
        /// @dev The obligor (the tree's core enterprise), whose repayment pool repays the financing.
        address obligor;
        IFinancingSettlement.FinancingMode mode;
        /// @dev The face amount financed.
        uint256 amount;
        uint256 advance;
        /// @dev Pledge: what the supplier owes the financier; purchase: 0.
        uint256 repayment;
        uint64 maturity;
        uint64 enrolledAt;
        /// @dev Coverage reserved: min(floor(advance x coverageBps / 10,000), capPerFinancing).
        uint256 coverage;
        /// @dev Subsidy reserved: floor(amount x subsidyBps x days / (10,000 x 365)), where days are the
        /// whole days (rounded down) from enrolment to maturity.
        uint256 subsidy;
        /// @dev Who is paid the subsidy: the supplier, or the financier if the terms say so.
        address subsidyRecipient;
    }

    /// @notice What became of an enrolment. `Repaid`: the obligor repaid in full and the subsidy was paid;
    /// `Claimed`: the financier was compensated (later recoveries are shared); `Lapsed`: the claim window
    /// closed with no claim; `WrittenOff`: the administrator closed a claimed financing (no more sharing).
    enum EnrolmentStatus {
        None,
        Enrolled,
        Repaid,
        Claimed,
        Lapsed,
        WrittenOff
    }

    // ─── events (the indexer's API) ─────────────────────────────────────────────

    /// @notice `admin` created programme `programmeId` in `currency`.
    event ProgrammeCreated(uint256 indexed programmeId, address indexed admin, address currency);
    /// @notice Programme `programmeId`'s terms version `version` applies to every enrolment from now on.
    event TermsSet(uint256 indexed programmeId, uint32 indexed version, Terms terms);
    /// @notice `funder` committed `committed` to programme `programmeId` (of which `paidIn` is paid).
    event FunderCommitted(uint256 indexed programmeId, address indexed funder, uint256 committed, uint256 paidIn);
    /// @notice `funder` paid `amount` into programme `programmeId`'s pool; `paidIn` is its total, `balance`
    /// the pool's.
    event FunderPaidIn(uint256 indexed programmeId, address indexed funder, uint256 amount, uint256 paidIn, uint256 balance);
    /// @notice `financier` may enrol financings in programme `programmeId` while its reserved coverage stays
    /// within `quota` (0: it no longer participates); `reserved` is what it has reserved now.
    event FinancierQuotaSet(uint256 indexed programmeId, address indexed financier, uint256 quota, uint256 reserved);
    /// @notice `enterprise` is on programme `programmeId`'s whitelist from `validFrom` to `validUntil`
    /// (inclusive, unix seconds; `validUntil` 0 removes it), for the reason `certificateHash` (e.g. the hash of
    /// its high-tech-enterprise certificate).
    event WhitelistSet(
        uint256 indexed programmeId, address indexed enterprise, uint64 validFrom, uint64 validUntil, bytes32 certificateHash
    );
    /// @notice A financing was enrolled: `enrolment.coverage + enrolment.subsidy` of the pool is reserved for it.
    event FinancingEnrolled(uint256 indexed programmeId, uint256 indexed financedId, Enrolment enrolment);
    /// @notice The obligor repaid financing `financedId` in full: its reservation was released and `subsidy`
    /// paid to `recipient`.
    event SubsidyPaid(
        uint256 indexed programmeId, uint256 indexed financedId, address indexed recipient, uint256 subsidy, uint256 reserved, uint256 balance
    );
    /// @notice `financier` claimed for financing `financedId`: it lost `loss` (advance minus what it was paid)
    /// and the pool paid it `compensation`.
    event ClaimPaid(
        uint256 indexed programmeId,
        uint256 indexed financedId,
        address indexed financier,
        uint256 loss,
        uint256 compensation,
        uint256 reserved,
        uint256 balance
    );
    /// @notice Money recovered for the claimed financing `financedId` after its claim (late deposits): of the
    /// `recovered` counted so far (at most the loss), the pool's share is `poolShare` in total, of which
    /// `paid` moved from `financier` to the pool now; the financier keeps `recovered - poolShare`.
    event RecoveryShared(
        uint256 indexed programmeId,
        uint256 indexed financedId,
        address indexed financier,
        uint256 recovered,
        uint256 poolShare,
        uint256 paid,
        uint256 balance
    );
    /// @notice The administrator wrote the claimed financing `financedId` off (no more recoveries are shared):
    /// of its `loss` the pool bore `compensation` and recovered `poolShare`.
    event FinancingWrittenOff(
        uint256 indexed programmeId, uint256 indexed financedId, uint256 loss, uint256 compensation, uint256 poolShare
    );
    /// @notice The claim window of financing `financedId` closed with no claim; its reservation was released.
    event EnrolmentLapsed(uint256 indexed programmeId, uint256 indexed financedId, uint256 reserved, uint256 balance);
    /// @notice A payment of `amount` the currency refused to deliver to `payee` is credited to it.
    event PaymentCredited(uint256 indexed programmeId, address indexed payee, address currency, uint256 amount, uint256 balance);
    /// @notice `payee` withdrew its credited `amount` of `currency`.
    event PaymentWithdrawn(address indexed payee, address indexed currency, uint256 amount);

    // ─── errors ────────────────────────────────────────────────────────────────

    /// @notice No programme has id `programmeId`.
    error RiskProgrammeNonexistent(uint256 programmeId);
    /// @notice Only programme `programmeId`'s administrator `admin` may do this (and must hold PROGRAMME_ADMIN).
    error RiskNotProgrammeAdmin(uint256 programmeId, address caller, address admin);
    /// @notice Terms out of range: a ratio above 10,000 basis points or a zero claim window.
    error RiskInvalidTerms();
    /// @notice The zero address cannot be a funder or a currency.
    error RiskInvalidAddress(address account);
    /// @notice `account` is not a registered organisation of the `expected` ledger role.
    error RiskWrongRole(address account, uint8 expected, uint8 actual);
    /// @notice A commitment cannot fall below what `funder` already paid in.
    error RiskCommitmentBelowPaidIn(uint256 programmeId, address funder, uint256 committed, uint256 paidIn);
    /// @notice Paying `amount` more would take `funder` beyond its commitment.
    error RiskCommitmentExceeded(uint256 programmeId, address funder, uint256 committed, uint256 paidIn, uint256 amount);
    /// @notice Nothing to pay in.
    error RiskZeroAmount();
    /// @notice A whitelist entry ends before it starts.
    error RiskInvalidValidity(uint64 validFrom, uint64 validUntil);
    /// @notice Only the financing settlement enrols.
    error RiskUnauthorizedEnroller(address caller);
    /// @notice The quote's currency is not the programme's.
    error RiskCurrencyMismatch(uint256 programmeId, address programmeCurrency, address currency);
    /// @notice `enterprise` is not on the whitelist at `nowTimestamp` (validity `validFrom`..`validUntil`).
    error RiskNotWhitelisted(
        uint256 programmeId, address enterprise, uint64 validFrom, uint64 validUntil, uint256 nowTimestamp
    );
    /// @notice `financier` does not participate in the programme (no quota).
    error RiskFinancierNotParticipating(uint256 programmeId, address financier);
    /// @notice Reserving `coverage` more would take `financier` beyond its quota.
    error RiskQuotaExceeded(uint256 programmeId, address financier, uint256 quota, uint256 reserved, uint256 coverage);
    /// @notice Reserving `coverage` more would take `financier` beyond the per-financier cap.
    error RiskFinancierCapExceeded(uint256 programmeId, address financier, uint256 cap, uint256 reserved, uint256 coverage);
    /// @notice Reserving `coverage` more would take `enterprise` beyond the per-enterprise cap.
    error RiskEnterpriseCapExceeded(uint256 programmeId, address enterprise, uint256 cap, uint256 reserved, uint256 coverage);
    /// @notice The pool's unreserved balance `available` cannot cover `needed` (coverage plus subsidy).
    error RiskPoolInsufficient(uint256 programmeId, uint256 available, uint256 needed);
    /// @notice The enrolment passed does not match the record of financing `financedId`.
    error RiskEnrolmentMismatch(uint256 financedId);
    /// @notice Financing `financedId`'s enrolment is no longer open (it is `status`).
    error RiskEnrolmentNotOpen(uint256 financedId, EnrolmentStatus status);
    /// @notice The obligor has not repaid financing `financedId` in full: `deposited` of `face`.
    error RiskNotRepaid(uint256 financedId, uint256 face, uint256 deposited);
    /// @notice The obligor repaid financing `financedId` in full: there is nothing to claim.
    error RiskRepaid(uint256 financedId);
    /// @notice Only the enrolment's financier may claim.
    error RiskNotClaimant(uint256 financedId, address caller, address financier);
    /// @notice Claims on financing `financedId` open at `claimableFrom`.
    error RiskClaimTooEarly(uint256 financedId, uint256 claimableFrom, uint256 nowTimestamp);
    /// @notice Claims on financing `financedId` closed at `closesAt`.
    error RiskClaimWindowClosed(uint256 financedId, uint256 closesAt, uint256 nowTimestamp);
    /// @notice The claim window of financing `financedId` is still open until `closesAt`.
    error RiskClaimWindowOpen(uint256 financedId, uint256 closesAt, uint256 nowTimestamp);
    /// @notice A purchased part that its financier no longer holds is not its loss to claim.
    error RiskFinancingTransferred(uint256 financedId, address financier, address holder);
    /// @notice The financier has been paid at least its advance: no loss.
    error RiskNoLoss(uint256 financedId, uint256 advance, uint256 paid);
    /// @notice Financing `financedId` was not claimed (it is `status`): there is nothing to share or write off.
    error RiskNotClaimed(uint256 financedId, EnrolmentStatus status);
    /// @notice No recovery since the last sharing: the pool's share is still `poolShare`.
    error RiskNothingRecovered(uint256 financedId, uint256 recovered, uint256 poolShare);
    /// @notice Nothing credited to withdraw.
    error RiskNothingToWithdraw(address payee, address currency);

    // ─── programme administrator ───────────────────────────────────────────────

    /// @notice A PROGRAMME_ADMIN creates a programme in `currency` with the first version of its terms, and
    /// becomes its administrator.
    function createProgramme(address currency, Terms calldata terms) external returns (uint256 programmeId);

    /// @notice A new version of the terms, for enrolments from now on; earlier enrolments keep theirs.
    function setTerms(uint256 programmeId, Terms calldata terms) external returns (uint32 version);

    /// @notice Sets what `funder` commits to the pool (never below what it paid in).
    function setFunder(uint256 programmeId, address funder, uint256 committed) external;

    /// @notice Lets `financier` (a registered financier) enrol financings while its reserved coverage stays
    /// within `quota`; 0 ends its participation for new enrolments.
    function setFinancierQuota(uint256 programmeId, address financier, uint256 quota) external;

    /// @notice Puts `enterprise` (a registered supplier) on the whitelist from `validFrom` to `validUntil`
    /// (inclusive; `validUntil` 0 takes it off), for the reason `certificateHash`.
    function setWhitelist(
        uint256 programmeId,
        address enterprise,
        uint64 validFrom,
        uint64 validUntil,
        bytes32 certificateHash
    ) external;

    // ─── funders ───────────────────────────────────────────────────────────────

    /// @notice A funder pays `amount` of its commitment into the pool (ERC-20 allowance to this contract).
    function payIn(uint256 programmeId, uint256 amount) external;

    // ─── financing settlement ──────────────────────────────────────────────────

    /// @notice Enrols the financing `quote` just made (`financedId`, on `obligor`'s tree maturing at
    /// `maturity`) in programme `quote.programmeId`, or reverts with why it cannot: "enrol or fail".
    function enrol(
        IFinancingSettlement.Quote calldata quote,
        bytes32 quoteHash,
        uint256 financedId,
        address obligor,
        uint64 maturity
    ) external;

    // ─── after the financing ───────────────────────────────────────────────────

    /// @notice Anyone, once the obligor has repaid the financing in full: pays the subsidy to its recipient and
    /// releases the reservation.
    function paySubsidy(Enrolment calldata enrolment) external;

    /// @notice The enrolment's financier, after maturity + grace + waiting period and within the claim
    /// window, while the obligor has not repaid in full: the pool pays it coverageBps x (advance - paid),
    /// at most the coverage reserved. Once per financing.
    function claim(Enrolment calldata enrolment) external returns (uint256 compensation);

    /// @notice Anyone, once the claim window closed with no claim and the obligor has not repaid in full:
    /// releases the reservation.
    function lapse(Enrolment calldata enrolment) external;

    /// @notice Anyone, after a claim: shares what the financier recovered since (what the vault made payable
    /// to it beyond what it had when it claimed, counted up to its loss) between the pool and the financier
    /// in proportion to the loss each bore — the pool's share is floor(recovered x compensation / loss) — and
    /// moves the pool's share not yet paid from the financier to the pool (the financier's ERC-20 allowance to
    /// this contract). Exact: the pool's and the financier's shares add up to `recovered`.
    function shareRecovery(Enrolment calldata enrolment) external returns (uint256 paid);

    /// @notice The programme's administrator closes a claimed financing: written off, the record stays.
    function writeOff(Enrolment calldata enrolment) external;

    /// @notice Pays the caller what was credited to it in `currency`.
    function withdraw(address currency) external;

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @notice Programme `programmeId`: its administrator, currency, current terms version, pool balance
    /// (paid in - subsidies - compensation) and what is reserved of it.
    function programmeOf(uint256 programmeId)
        external
        view
        returns (address admin, address currency, uint32 version, uint256 balance, uint256 reserved);

    function termsOf(uint256 programmeId, uint32 version) external view returns (Terms memory);

    function funderOf(uint256 programmeId, address funder) external view returns (uint256 committed, uint256 paidIn);

    function financierOf(uint256 programmeId, address financier) external view returns (uint256 quota, uint256 reserved);

    function whitelistOf(uint256 programmeId, address enterprise)
        external
        view
        returns (uint64 validFrom, uint64 validUntil, bytes32 certificateHash, uint256 reserved);

    function enrolmentStatusOf(uint256 financedId) external view returns (EnrolmentStatus);

    /// @notice The claim on `financedId`: the loss, the compensation paid, what the financier had been paid
    /// when it claimed, and the pool's share of recoveries paid back so far.
    function claimOf(uint256 financedId)
        external
        view
        returns (uint256 loss, uint256 compensation, uint256 paidAtClaim, uint256 poolShare);

    function hashEnrolment(Enrolment calldata enrolment) external pure returns (bytes32);

    function creditOf(address payee, address currency) external view returns (uint256);
}
