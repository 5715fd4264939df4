// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IFinancingSettlement} from "./interfaces/IFinancingSettlement.sol";
import {IOrganisationRegistry} from "./interfaces/IOrganisationRegistry.sol";
import {IReceivableToken} from "./interfaces/IReceivableToken.sol";
import {IRepaymentVault} from "./interfaces/IRepaymentVault.sol";
import {IRiskProgramme} from "./interfaces/IRiskProgramme.sol";

/// @title Ledgerline risk-sharing programmes
/// @notice Holds every programme's risk-compensation pool. It must never pay out of a pool more than the pool
/// holds, never reserve more than the pool's unreserved balance, never compensate a financing twice or beyond
/// what it reserved for it, and never let a parameter change reach an enrolment made before it. The pool's
/// balance and reservations, the per-financier and per-enterprise reservations and the enrolment records are
/// its only money state; credited payments are the rest.
contract RiskProgramme is IRiskProgramme, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice May create programmes (and administers those it created).
    bytes32 public constant PROGRAMME_ADMIN_ROLE = keccak256("PROGRAMME_ADMIN_ROLE");

    uint256 private constant _BPS = 10_000;
    /// @dev basis points x days in a year: subsidy = amount x bps x days / this.
    uint256 private constant _BPS_YEAR_DAYS = 10_000 * 365;
    /// @dev The low byte of an enrolment record is its status; the rest is its commitment.
    uint256 private constant _STATUS_MASK = 0xff;

    IReceivableToken private immutable _ledger;
    IRepaymentVault private immutable _vault;
    /// @dev The financing settlement: the only caller of `enrol`. Deployed after this contract (it takes this
    /// contract's address as an immutable), so its address is computed beforehand (`scripts/deploySettlement`).
    address private immutable _financing;

    /// @dev A programme's money and its current terms version, one slot, read and written by every enrolment:
    /// balance = paid in - subsidies - compensation (96 bits, like the ledger's amounts; casts revert beyond),
    /// reserved = coverage + subsidies reserved for open enrolments, reserved <= balance always.
    struct Pool {
        uint96 balance;
        uint96 reserved;
        uint32 version;
    }

    /// @dev One version of a programme's terms, never changed once written. Slot 0 and 1 are read at
    /// enrolment; slot 2 (waiting period, claim window) only at claim time.
    struct StoredTerms {
        // slot 0
        address currency;
        uint96 capPerFinancier;
        // slot 1
        uint96 capPerFinancing;
        uint96 capPerEnterprise;
        uint16 coverageBps;
        uint16 subsidyBps;
        bool subsidyToFinancier;
        // slot 2
        uint32 waitingPeriod;
        uint32 claimWindow;
    }

    /// @dev Running totals for reporting, written off the enrolment path: paid in and subsidies, then
    /// compensation (and, with the waterfall, recoveries).
    struct Totals {
        uint128 paidIn;
        uint128 subsidiesPaid;
        uint128 compensationPaid;
        uint128 recovered;
    }

    /// @dev A whitelisted enterprise: its validity and the coverage reserved for it, one slot read and written
    /// by its enrolments. The certificate hash is kept apart (only views read it).
    struct Listing {
        uint64 validFrom;
        uint64 validUntil;
        uint96 reserved;
    }

    /// @dev A participating financier: its quota and the coverage reserved for it, one slot.
    struct Participation {
        uint96 quota;
        uint96 reserved;
    }

    /// @dev A paid claim, for the recovery waterfall. Amounts fit 96 bits: each is at most an advance.
    struct ClaimRecord {
        uint96 loss;
        uint96 compensation;
        uint96 paidAtClaim;
        uint96 poolShare;
    }

    /// @dev What a funder committed and paid in.
    struct Funding {
        uint128 committed;
        uint128 paidIn;
    }

    uint256 private _programmeCount;
    mapping(uint256 programmeId => address) private _admins;
    mapping(uint256 programmeId => Pool) private _pools;
    mapping(uint256 programmeId => Totals) private _totals;
    mapping(uint256 programmeId => mapping(uint32 version => StoredTerms)) private _terms;
    mapping(uint256 programmeId => mapping(address funder => Funding)) private _funders;
    mapping(uint256 programmeId => mapping(address financier => Participation)) private _financiers;
    mapping(uint256 programmeId => mapping(address enterprise => Listing)) private _whitelist;
    mapping(uint256 programmeId => mapping(address enterprise => bytes32)) private _certificates;
    /// @dev keccak256(abi.encode(enrolment)) with its low byte replaced by the EnrolmentStatus: one slot per
    /// enrolled financing, the only one an enrolment creates. The event carries the rest.
    mapping(uint256 financedId => uint256 record) private _enrolments;
    mapping(address payee => mapping(address currency => uint256)) private _credits;
    /// @dev Written by a claim, read by the recovery waterfall: loss and compensation (slot 0); what the
    /// financier had been paid when it claimed and the pool's share of recoveries paid back so far (slot 1).
    mapping(uint256 financedId => ClaimRecord) private _claims;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants PROGRAMME_ADMIN_ROLE).
    /// @param financing_ The financing settlement's address (deployed next, with this contract's address).
    constructor(IReceivableToken ledger_, IRepaymentVault vault_, address financing_, address admin) {
        _ledger = ledger_;
        _vault = vault_;
        _financing = financing_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ─── programme administrator ───────────────────────────────────────────────

    /// @inheritdoc IRiskProgramme
    function createProgramme(address currency, Terms calldata terms)
        external
        onlyRole(PROGRAMME_ADMIN_ROLE)
        returns (uint256 programmeId)
    {
        if (currency == address(0)) revert RiskInvalidAddress(currency);
        programmeId = ++_programmeCount;
        _admins[programmeId] = msg.sender;
        emit ProgrammeCreated(programmeId, msg.sender, currency);
        _addTerms(programmeId, currency, terms);
    }

    /// @inheritdoc IRiskProgramme
    function setTerms(uint256 programmeId, Terms calldata terms) external returns (uint32 version) {
        _requireAdmin(programmeId);
        return _addTerms(programmeId, _terms[programmeId][_pools[programmeId].version].currency, terms);
    }

    /// @inheritdoc IRiskProgramme
    function setFunder(uint256 programmeId, address funder, uint256 committed) external {
        _requireAdmin(programmeId);
        if (funder == address(0)) revert RiskInvalidAddress(funder);
        Funding storage funding = _funders[programmeId][funder];
        uint256 paidIn = funding.paidIn;
        if (committed < paidIn) revert RiskCommitmentBelowPaidIn(programmeId, funder, committed, paidIn);
        funding.committed = committed.toUint128();
        emit FunderCommitted(programmeId, funder, committed, paidIn);
    }

    /// @inheritdoc IRiskProgramme
    function setFinancierQuota(uint256 programmeId, address financier, uint256 quota) external {
        _requireAdmin(programmeId);
        _requireRole(financier, IOrganisationRegistry.OrganisationRole.Financier);
        Participation storage participation = _financiers[programmeId][financier];
        participation.quota = quota.toUint96();
        emit FinancierQuotaSet(programmeId, financier, quota, participation.reserved);
    }

    /// @inheritdoc IRiskProgramme
    function setWhitelist(
        uint256 programmeId,
        address enterprise,
        uint64 validFrom,
        uint64 validUntil,
        bytes32 certificateHash
    ) external {
        _requireAdmin(programmeId);
        if (validUntil != 0) {
            _requireRole(enterprise, IOrganisationRegistry.OrganisationRole.Supplier);
            if (validUntil < validFrom) revert RiskInvalidValidity(validFrom, validUntil);
        }
        // The reservation stays: an enterprise taken off the list keeps the coverage of its open enrolments.
        Listing storage listing = _whitelist[programmeId][enterprise];
        listing.validFrom = validFrom;
        listing.validUntil = validUntil;
        _certificates[programmeId][enterprise] = certificateHash;
        emit WhitelistSet(programmeId, enterprise, validFrom, validUntil, certificateHash);
    }

    // ─── funders ───────────────────────────────────────────────────────────────

    /// @inheritdoc IRiskProgramme
    function payIn(uint256 programmeId, uint256 amount) external nonReentrant {
        if (amount == 0) revert RiskZeroAmount();
        Pool storage pool = _requirePool(programmeId);
        Funding storage funding = _funders[programmeId][msg.sender];
        Funding memory current = funding;
        if (amount > current.committed - current.paidIn) {
            revert RiskCommitmentExceeded(programmeId, msg.sender, current.committed, current.paidIn, amount);
        }
        // Cannot overflow 128 bits: paidIn stays within the 128-bit commitment.
        uint256 paidIn = current.paidIn + amount;
        funding.paidIn = uint128(paidIn);
        uint256 balance = pool.balance + amount;
        pool.balance = balance.toUint96();
        _totals[programmeId].paidIn += uint128(amount);
        address currency = _terms[programmeId][pool.version].currency;
        emit FunderPaidIn(programmeId, msg.sender, amount, paidIn, balance);

        IERC20(currency).safeTransferFrom(msg.sender, address(this), amount);
    }

    // ─── financing settlement ──────────────────────────────────────────────────

    /// @inheritdoc IRiskProgramme
    function enrol(
        IFinancingSettlement.Quote calldata quote,
        bytes32, /* quoteHash: the financing settlement's QuoteAccepted in the same transaction names it */
        uint256 financedId,
        address obligor,
        uint64 maturity
    ) external {
        if (msg.sender != _financing) revert RiskUnauthorizedEnroller(msg.sender);
        uint256 programmeId = quote.programmeId;
        Pool memory pool = _pools[programmeId];
        if (pool.version == 0) revert RiskProgrammeNonexistent(programmeId);
        StoredTerms storage terms = _terms[programmeId][pool.version];
        {
            address currency = terms.currency;
            if (quote.currency != currency) revert RiskCurrencyMismatch(programmeId, currency, quote.currency);
        }

        Listing memory listing = _whitelist[programmeId][quote.holder];
        if (block.timestamp < listing.validFrom || block.timestamp > listing.validUntil) {
            revert RiskNotWhitelisted(programmeId, quote.holder, listing.validFrom, listing.validUntil, block.timestamp);
        }

        Enrolment memory e;
        e.programmeId = programmeId;
        e.version = pool.version;
        e.financedId = financedId;
        e.financier = quote.financier;
        e.supplier = quote.holder;
        e.obligor = obligor;
        e.mode = quote.mode;
        e.amount = quote.amount;
        e.advance = quote.advance;
        e.repayment = quote.repayment;
        e.maturity = maturity;
        e.enrolledAt = uint64(block.timestamp);
        e.coverage = Math.min(quote.advance * terms.coverageBps / _BPS, terms.capPerFinancing);
        // The ledger refuses to finance a matured tree, so maturity > now here.
        // Cannot overflow: amount < 2^96 (the ledger's amounts), bps < 2^14, days < 2^64.
        e.subsidy = quote.amount * terms.subsidyBps * ((maturity - block.timestamp) / 1 days) / _BPS_YEAR_DAYS;
        e.subsidyRecipient = terms.subsidyToFinancier ? quote.financier : quote.holder;

        _reserve(pool, terms, listing, e);
        _enrolments[financedId] = (uint256(keccak256(abi.encode(e))) & ~_STATUS_MASK) | uint256(EnrolmentStatus.Enrolled);
        emit FinancingEnrolled(programmeId, financedId, e);
    }

    // ─── after the financing ───────────────────────────────────────────────────

    /// @inheritdoc IRiskProgramme
    function paySubsidy(Enrolment calldata e) external nonReentrant {
        _requireOpen(e);
        (uint256 face, uint256 deposited) = _vault.poolOf(e.obligor, _currencyOf(e), e.maturity);
        if (deposited != face) revert RiskNotRepaid(e.financedId, face, deposited);

        _setStatus(e.financedId, EnrolmentStatus.Repaid);
        (uint256 reserved, uint256 balance) = _release(e, e.subsidy);
        _totals[e.programmeId].subsidiesPaid += uint128(e.subsidy);
        emit SubsidyPaid(e.programmeId, e.financedId, e.subsidyRecipient, e.subsidy, reserved, balance);

        if (e.subsidy != 0) _pay(e.programmeId, _currencyOf(e), e.subsidyRecipient, e.subsidy);
    }

    /// @inheritdoc IRiskProgramme
    function claim(Enrolment calldata e) external nonReentrant returns (uint256 compensation) {
        _requireOpen(e);
        if (msg.sender != e.financier) revert RiskNotClaimant(e.financedId, msg.sender, e.financier);
        address currency = _currencyOf(e);
        {
            (uint256 face, uint256 deposited) = _vault.poolOf(e.obligor, currency, e.maturity);
            if (deposited == face) revert RiskRepaid(e.financedId);
        }
        (uint256 opensAt, uint256 closesAt) = _claimPeriod(e);
        if (block.timestamp < opensAt) revert RiskClaimTooEarly(e.financedId, opensAt, block.timestamp);
        if (block.timestamp > closesAt) revert RiskClaimWindowClosed(e.financedId, closesAt, block.timestamp);

        if (e.mode == IFinancingSettlement.FinancingMode.Purchase) {
            // A purchased part its financier sold on before the default is the buyer's loss, not the financier's.
            address holder = _ledger.receivableOf(e.financedId).holder;
            if (holder != e.financier) revert RiskFinancingTransferred(e.financedId, e.financier, holder);
        }
        uint256 paid = _paidToFinancier(e, currency);
        if (paid >= e.advance) revert RiskNoLoss(e.financedId, e.advance, paid);
        uint256 loss = e.advance - paid;
        compensation = Math.min(loss * _terms[e.programmeId][e.version].coverageBps / _BPS, e.coverage);

        _setStatus(e.financedId, EnrolmentStatus.Claimed);
        // The casts are exact: loss and paid are below the advance, compensation below the loss.
        _claims[e.financedId] = ClaimRecord({
            loss: uint96(loss),
            compensation: uint96(compensation),
            paidAtClaim: uint96(paid),
            poolShare: 0
        });
        (uint256 reserved, uint256 balance) = _release(e, compensation);
        _totals[e.programmeId].compensationPaid += uint128(compensation);
        emit ClaimPaid(e.programmeId, e.financedId, e.financier, loss, compensation, reserved, balance);

        if (compensation != 0) _pay(e.programmeId, currency, e.financier, compensation);
    }

    /// @inheritdoc IRiskProgramme
    function lapse(Enrolment calldata e) external nonReentrant {
        _requireOpen(e);
        {
            // Repaid in full, however late: the subsidy is due, not a lapse.
            (uint256 face, uint256 deposited) = _vault.poolOf(e.obligor, _currencyOf(e), e.maturity);
            if (deposited == face) revert RiskRepaid(e.financedId);
        }
        (, uint256 closesAt) = _claimPeriod(e);
        if (block.timestamp <= closesAt) revert RiskClaimWindowOpen(e.financedId, closesAt, block.timestamp);
        _setStatus(e.financedId, EnrolmentStatus.Lapsed);
        (uint256 reserved, uint256 balance) = _release(e, 0);
        emit EnrolmentLapsed(e.programmeId, e.financedId, reserved, balance);
    }

    /// @inheritdoc IRiskProgramme
    function shareRecovery(Enrolment calldata e) external nonReentrant returns (uint256 paid) {
        _requireClaimed(e);
        address currency = _currencyOf(e);
        ClaimRecord memory c = _claims[e.financedId];
        // Recovered since the claim, counted up to the loss: beyond it the money is the financier's margin
        // (the discount), which the pool never bore.
        uint256 now_ = _paidToFinancier(e, currency);
        uint256 recovered = Math.min(now_ > c.paidAtClaim ? now_ - c.paidAtClaim : 0, c.loss);
        // Cannot divide by zero: a claim needs a loss. Rounded down: the remainder stays with the financier,
        // and the two shares add up to `recovered` exactly.
        uint256 poolShare = recovered * c.compensation / c.loss;
        if (poolShare <= c.poolShare) revert RiskNothingRecovered(e.financedId, recovered, c.poolShare);
        paid = poolShare - c.poolShare;

        _claims[e.financedId].poolShare = uint96(poolShare);
        Pool storage pool = _pools[e.programmeId];
        uint256 balance = pool.balance + paid;
        pool.balance = balance.toUint96();
        _totals[e.programmeId].recovered += uint128(paid);
        emit RecoveryShared(e.programmeId, e.financedId, e.financier, recovered, poolShare, paid, balance);

        IERC20(currency).safeTransferFrom(e.financier, address(this), paid);
    }

    /// @inheritdoc IRiskProgramme
    function writeOff(Enrolment calldata e) external {
        _requireAdmin(e.programmeId);
        _requireClaimed(e);
        _setStatus(e.financedId, EnrolmentStatus.WrittenOff);
        ClaimRecord memory c = _claims[e.financedId];
        emit FinancingWrittenOff(e.programmeId, e.financedId, c.loss, c.compensation, c.poolShare);
    }

    /// @inheritdoc IRiskProgramme
    function withdraw(address currency) external nonReentrant {
        uint256 amount = _credits[msg.sender][currency];
        if (amount == 0) revert RiskNothingToWithdraw(msg.sender, currency);
        delete _credits[msg.sender][currency];
        emit PaymentWithdrawn(msg.sender, currency, amount);
        // A currency still refusing reverts the whole call, and the balance stays credited.
        IERC20(currency).safeTransfer(msg.sender, amount);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IRiskProgramme
    function programmeOf(uint256 programmeId)
        external
        view
        returns (address admin, address currency, uint32 version, uint256 balance, uint256 reserved)
    {
        Pool memory pool = _pools[programmeId];
        if (pool.version == 0) revert RiskProgrammeNonexistent(programmeId);
        return (_admins[programmeId], _terms[programmeId][pool.version].currency, pool.version, pool.balance, pool.reserved);
    }

    /// @notice Programme `programmeId`'s running totals: paid in, subsidies paid, compensation paid, recovered.
    function totalsOf(uint256 programmeId)
        external
        view
        returns (uint256 paidIn, uint256 subsidiesPaid, uint256 compensationPaid, uint256 recovered)
    {
        Totals memory t = _totals[programmeId];
        return (t.paidIn, t.subsidiesPaid, t.compensationPaid, t.recovered);
    }

    /// @inheritdoc IRiskProgramme
    function termsOf(uint256 programmeId, uint32 version) external view returns (Terms memory terms) {
        StoredTerms memory t = _terms[programmeId][version];
        if (t.currency == address(0)) revert RiskProgrammeNonexistent(programmeId);
        return Terms({
            coverageBps: t.coverageBps,
            subsidyBps: t.subsidyBps,
            subsidyToFinancier: t.subsidyToFinancier,
            capPerFinancing: t.capPerFinancing,
            capPerEnterprise: t.capPerEnterprise,
            capPerFinancier: t.capPerFinancier,
            waitingPeriod: t.waitingPeriod,
            claimWindow: t.claimWindow
        });
    }

    /// @inheritdoc IRiskProgramme
    function funderOf(uint256 programmeId, address funder) external view returns (uint256 committed, uint256 paidIn) {
        Funding memory f = _funders[programmeId][funder];
        return (f.committed, f.paidIn);
    }

    /// @inheritdoc IRiskProgramme
    function financierOf(uint256 programmeId, address financier) external view returns (uint256 quota, uint256 reserved) {
        Participation memory p = _financiers[programmeId][financier];
        return (p.quota, p.reserved);
    }

    /// @inheritdoc IRiskProgramme
    function whitelistOf(uint256 programmeId, address enterprise)
        external
        view
        returns (uint64 validFrom, uint64 validUntil, bytes32 certificateHash, uint256 reserved)
    {
        Listing memory l = _whitelist[programmeId][enterprise];
        return (l.validFrom, l.validUntil, _certificates[programmeId][enterprise], l.reserved);
    }

    /// @inheritdoc IRiskProgramme
    function enrolmentStatusOf(uint256 financedId) external view returns (EnrolmentStatus) {
        return EnrolmentStatus(uint8(_enrolments[financedId]));
    }

    /// @inheritdoc IRiskProgramme
    function claimOf(uint256 financedId)
        external
        view
        returns (uint256 loss, uint256 compensation, uint256 paidAtClaim, uint256 poolShare)
    {
        ClaimRecord memory c = _claims[financedId];
        return (c.loss, c.compensation, c.paidAtClaim, c.poolShare);
    }

    /// @inheritdoc IRiskProgramme
    function hashEnrolment(Enrolment calldata e) external pure returns (bytes32) {
        return keccak256(abi.encode(e));
    }

    /// @inheritdoc IRiskProgramme
    function creditOf(address payee, address currency) external view returns (uint256) {
        return _credits[payee][currency];
    }

    /// @notice The receivable token, repayment vault and financing settlement this contract works with.
    function system() external view returns (IReceivableToken ledger, IRepaymentVault vault, address financing) {
        return (_ledger, _vault, _financing);
    }

    // ─── internal ──────────────────────────────────────────────────────────────

    function _requirePool(uint256 programmeId) private view returns (Pool storage pool) {
        pool = _pools[programmeId];
        if (pool.version == 0) revert RiskProgrammeNonexistent(programmeId);
    }

    /// @dev The programme exists and the caller is its administrator, still holding PROGRAMME_ADMIN_ROLE.
    function _requireAdmin(uint256 programmeId) private view {
        _requirePool(programmeId);
        address admin = _admins[programmeId];
        if (msg.sender != admin || !hasRole(PROGRAMME_ADMIN_ROLE, msg.sender)) {
            revert RiskNotProgrammeAdmin(programmeId, msg.sender, admin);
        }
    }

    function _requireRole(address account, IOrganisationRegistry.OrganisationRole expected) private view {
        IOrganisationRegistry.OrganisationRole actual = _ledger.organisationOf(account).role;
        if (actual != expected) revert RiskWrongRole(account, uint8(expected), uint8(actual));
    }

    function _addTerms(uint256 programmeId, address currency, Terms calldata terms) private returns (uint32 version) {
        if (terms.coverageBps > _BPS || terms.subsidyBps > _BPS || terms.claimWindow == 0) revert RiskInvalidTerms();
        Pool storage pool = _pools[programmeId];
        version = pool.version + 1;
        _terms[programmeId][version] = StoredTerms({
            currency: currency,
            capPerFinancier: terms.capPerFinancier,
            capPerFinancing: terms.capPerFinancing,
            capPerEnterprise: terms.capPerEnterprise,
            coverageBps: terms.coverageBps,
            subsidyBps: terms.subsidyBps,
            subsidyToFinancier: terms.subsidyToFinancier,
            waitingPeriod: terms.waitingPeriod,
            claimWindow: terms.claimWindow
        });
        pool.version = version;
        emit TermsSet(programmeId, version, terms);
    }

    /// @dev Checks the financier's quota and cap, the enterprise's cap and the pool's unreserved balance, then
    /// reserves `coverage + subsidy` (the caps count coverage only; the pool both).
    function _reserve(Pool memory pool, StoredTerms storage terms, Listing memory listing, Enrolment memory e) private {
        uint256 coverage = e.coverage;
        Participation memory participation = _financiers[e.programmeId][e.financier];
        if (participation.quota == 0) revert RiskFinancierNotParticipating(e.programmeId, e.financier);
        uint256 financierReserved = participation.reserved + coverage;
        if (financierReserved > participation.quota) {
            revert RiskQuotaExceeded(e.programmeId, e.financier, participation.quota, participation.reserved, coverage);
        }
        uint256 cap = terms.capPerFinancier;
        if (financierReserved > cap) {
            revert RiskFinancierCapExceeded(e.programmeId, e.financier, cap, participation.reserved, coverage);
        }
        uint256 enterpriseReserved = listing.reserved + coverage;
        cap = terms.capPerEnterprise;
        if (enterpriseReserved > cap) {
            revert RiskEnterpriseCapExceeded(e.programmeId, e.supplier, cap, listing.reserved, coverage);
        }
        uint256 needed = coverage + e.subsidy;
        // reserved <= balance always holds, so the subtraction cannot underflow.
        uint256 available = pool.balance - pool.reserved;
        if (needed > available) revert RiskPoolInsufficient(e.programmeId, available, needed);

        // The casts are exact: each new value is at most a 96-bit quota, cap or balance.
        _financiers[e.programmeId][e.financier].reserved = uint96(financierReserved);
        _whitelist[e.programmeId][e.supplier].reserved = uint96(enterpriseReserved);
        _pools[e.programmeId].reserved = uint96(pool.reserved + needed);
    }

    /// @dev Releases the enrolment's reservation and pays `spent` (at most coverage, or exactly the subsidy)
    /// out of the pool's balance. Returns the pool's reserved and balance after.
    function _release(Enrolment calldata e, uint256 spent) private returns (uint256 reserved, uint256 balance) {
        // Each was added by `_reserve` for this enrolment and is released once (the status guards it).
        _financiers[e.programmeId][e.financier].reserved -= uint96(e.coverage);
        _whitelist[e.programmeId][e.supplier].reserved -= uint96(e.coverage);
        Pool storage pool = _pools[e.programmeId];
        reserved = pool.reserved - (e.coverage + e.subsidy);
        balance = pool.balance - spent;
        pool.reserved = uint96(reserved);
        pool.balance = uint96(balance);
    }

    /// @dev The status of the enrolment `e` stands for; reverts unless `e` matches its record.
    function _statusOf(Enrolment calldata e) private view returns (EnrolmentStatus) {
        uint256 record = _enrolments[e.financedId];
        if (record & ~_STATUS_MASK != uint256(keccak256(abi.encode(e))) & ~_STATUS_MASK) {
            revert RiskEnrolmentMismatch(e.financedId);
        }
        return EnrolmentStatus(uint8(record));
    }

    /// @dev Reverts unless `e` is the record of an open enrolment.
    function _requireOpen(Enrolment calldata e) private view {
        EnrolmentStatus status = _statusOf(e);
        if (status != EnrolmentStatus.Enrolled) revert RiskEnrolmentNotOpen(e.financedId, status);
    }

    /// @dev Reverts unless `e` is the record of a claimed (not written-off) enrolment.
    function _requireClaimed(Enrolment calldata e) private view {
        EnrolmentStatus status = _statusOf(e);
        if (status != EnrolmentStatus.Claimed) revert RiskNotClaimed(e.financedId, status);
    }

    function _setStatus(uint256 financedId, EnrolmentStatus status) private {
        _enrolments[financedId] = (_enrolments[financedId] & ~_STATUS_MASK) | uint256(status);
    }

    function _currencyOf(Enrolment calldata e) private view returns (address) {
        return _terms[e.programmeId][e.version].currency;
    }

    /// @dev Claims open once the financing is overdue (maturity + the vault's grace period) and the waiting
    /// period passed, and close a claim window later (both inclusive).
    function _claimPeriod(Enrolment calldata e) private view returns (uint256 opensAt, uint256 closesAt) {
        StoredTerms storage terms = _terms[e.programmeId][e.version];
        opensAt = uint256(e.maturity) + _vault.gracePeriod() + terms.waitingPeriod;
        closesAt = opensAt + terms.claimWindow;
    }

    /// @dev What the financier has been paid on the financed part, counted as what the vault makes payable to
    /// it: the part's share of its pool's deposits, floor(amount x deposited / face) (the whole amount at
    /// full funding), the vault's own accumulator; for a pledge, that share up to the repayment while the
    /// financing pledge is live, and the whole repayment once it ended (repaid early, or released).
    function _paidToFinancier(Enrolment calldata e, address currency) private view returns (uint256) {
        (uint256 face, uint256 deposited) = _vault.poolOf(e.obligor, currency, e.maturity);
        uint256 entitled = deposited == face ? e.amount : Math.mulDiv(e.amount, deposited, face);
        if (e.mode == IFinancingSettlement.FinancingMode.Purchase) return entitled;
        if (deposited == face) return e.repayment;
        (, address pledgee,) = _vault.claimOf(e.financedId);
        return pledgee == e.financier ? Math.min(entitled, e.repayment) : e.repayment;
    }

    /// @dev Pushes `amount` to `payee`; what the currency refuses is credited for `withdraw`, so one blocked
    /// payee never blocks a claim or a subsidy.
    function _pay(uint256 programmeId, address currency, address payee, uint256 amount) private {
        if (IERC20(currency).trySafeTransfer(payee, amount)) return;
        uint256 balance = _credits[payee][currency] + amount;
        _credits[payee][currency] = balance;
        emit PaymentCredited(programmeId, payee, currency, amount, balance);
    }
}
