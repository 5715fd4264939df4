// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IReceivableToken} from "./interfaces/IReceivableToken.sol";
import {IRepaymentVault} from "./interfaces/IRepaymentVault.sol";

/// @title Ledgerline repayment vault
/// @notice Holds what core enterprises deposit until holders redeem. It holds SETTLEMENT_ROLE on the
/// receivable token. It must never pay out more than was deposited into a pool, nor pay any receivable
/// more than its face: the per-pool deposit and the per-receivable `paid` below are the only money state,
/// and every payout is derived from them with round-down arithmetic.
///
/// Accepted currencies are whatever the ledger allowed at confirmation, reached only through SafeERC20.
/// A currency whose transfers deliver less than asked (fee-on-transfer, rebasing) must not be allowed by
/// the operator: the vault counts what it was asked to pull, not what arrived.
contract RepaymentVault is IRepaymentVault, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice The role on the ledger that the financing settlement holds; only it may record pledges.
    bytes32 public constant FINANCING_ROLE = keccak256("FINANCING_ROLE");

    /// @dev One slot per pledge-financed receivable: its pledgee and what the pledgee is still owed. A debt
    /// counts only while the token is still pledged to that same pledgee, so a pledge released and made
    /// again (to anyone) never inherits it. `owed` fits 96 bits because the ledger's receivable amounts
    /// do and a pledge never owes more than the amount.
    struct PledgeDebt {
        address pledgee;
        uint96 owed;
    }

    /// @dev What one redemption would do, computed once for `redeem` and `redeemable`.
    struct Assessment {
        address holder;
        address pledgee;
        address currency;
        uint256 rootId;
        bytes32 poolId;
        uint64 maturity;
        bool frozen;
        uint256 amount;
        uint256 paid;
        uint256 entitled;
        uint256 payout;
        uint256 toHolder;
        uint256 toPledgee;
        uint256 pledgeOwedAfter;
        bool recorded;
        bool full;
    }

    IReceivableToken private immutable _ledger;
    uint64 private immutable _gracePeriod;
    uint8 private immutable _flagPledged;

    /// @dev Total deposited per pool; never above the pool's face (checked at deposit).
    mapping(bytes32 poolId => uint256) private _deposited;
    /// @dev What a receivable has been paid so far; written only by partial claims (a shortfall), so a
    /// redemption at full funding reads it once and never writes it.
    mapping(uint256 id => uint256) private _paid;
    mapping(uint256 id => PledgeDebt) private _pledges;

    /// @param gracePeriod_ Seconds after maturity before an unfunded receivable may be marked overdue.
    constructor(IReceivableToken ledger_, uint64 gracePeriod_) {
        _ledger = ledger_;
        _gracePeriod = gracePeriod_;
        _flagPledged = ledger_.FLAG_PLEDGED();
    }

    // ─── core enterprise ───────────────────────────────────────────────────────

    /// @inheritdoc IRepaymentVault
    function deposit(address currency, uint64 maturity, uint256 amount) external nonReentrant {
        if (amount == 0) revert VaultZeroAmount();
        bytes32 id = poolId(msg.sender, currency, maturity);
        uint256 face = _ledger.issuedFace(msg.sender, currency, maturity);
        uint256 deposited = _deposited[id];
        // `deposited <= face` always holds, so the subtraction cannot underflow; capping deposits at the
        // face keeps "credit used = confirmed minus repaid" exact and leaves no unclaimable surplus.
        if (amount > face - deposited) revert VaultDepositExceedsFace(id, face, deposited, amount);
        deposited += amount;
        _deposited[id] = deposited;
        _ledger.restoreCredit(msg.sender, amount);
        emit RepaymentDeposited(id, msg.sender, currency, maturity, amount, deposited, face);

        IERC20(currency).safeTransferFrom(msg.sender, address(this), amount);
    }

    // ─── holders ───────────────────────────────────────────────────────────────

    /// @inheritdoc IRepaymentVault
    function redeem(uint256 id) external nonReentrant returns (uint256 toHolder, uint256 toPledgee) {
        Assessment memory a = _assess(id);
        if (msg.sender != a.holder && (a.pledgee == address(0) || msg.sender != a.pledgee)) {
            revert VaultUnauthorizedRedeemer(msg.sender, id);
        }
        if (block.timestamp < a.maturity) revert VaultNotMatured(id, a.maturity, block.timestamp);
        if (a.frozen) revert VaultRootFrozen(a.rootId);
        if (a.payout == 0) revert VaultNothingToRedeem(id);

        // Effects, then the ledger (trusted), then the currency (untrusted) last.
        if (a.full) {
            if (a.paid != 0) delete _paid[id];
            if (a.recorded) delete _pledges[id];
            _ledger.burn(id);
        } else {
            _paid[id] = a.entitled;
            if (a.recorded) {
                if (a.pledgeOwedAfter == 0) {
                    // The pledgee is paid in full: the holder's claim is its own again.
                    delete _pledges[id];
                    _ledger.releasePledge(id);
                } else {
                    // Cannot truncate: the debt only shrinks from a recorded 96-bit value.
                    _pledges[id].owed = uint96(a.pledgeOwedAfter);
                }
            }
        }
        _emitRedeemed(id, a);

        IERC20 currency = IERC20(a.currency);
        if (a.toPledgee != 0) currency.safeTransfer(a.pledgee, a.toPledgee);
        if (a.toHolder != 0) currency.safeTransfer(a.holder, a.toHolder);
        return (a.toHolder, a.toPledgee);
    }

    /// @inheritdoc IRepaymentVault
    function repayPledge(uint256 id) external nonReentrant {
        IReceivableToken.Receivable memory receivable = _ledger.receivableOf(id);
        if (msg.sender != receivable.holder) revert VaultUnauthorizedRepayer(msg.sender, receivable.holder);
        address pledgee = receivable.counterparty;
        PledgeDebt memory debt = _pledges[id];
        if (receivable.flags & _flagPledged == 0 || debt.pledgee != pledgee) revert VaultNoPledgeDebt(id);
        uint256 owed = debt.owed;

        delete _pledges[id];
        _ledger.releasePledge(id);
        emit PledgeRepaid(id, msg.sender, pledgee, owed);

        IERC20(_ledger.rootOf(receivable.rootId).currency).safeTransferFrom(msg.sender, pledgee, owed);
    }

    // ─── anyone ────────────────────────────────────────────────────────────────

    /// @inheritdoc IRepaymentVault
    function markOverdue(uint256 rootId) external nonReentrant {
        // Reverts with the ledger's ReceivableNonexistent unless `rootId` is a confirmed root.
        IReceivableToken.Root memory root = _ledger.rootOf(rootId);
        if (root.overdue) revert VaultAlreadyOverdue(rootId);
        uint256 overdueAt = uint256(root.maturity) + _gracePeriod;
        if (block.timestamp < overdueAt) revert VaultNotOverdueYet(rootId, overdueAt, block.timestamp);
        bytes32 id = poolId(root.issuer, root.currency, root.maturity);
        uint256 face = _ledger.issuedFace(root.issuer, root.currency, root.maturity);
        uint256 deposited = _deposited[id];
        if (deposited >= face) revert VaultPoolFullyFunded(rootId, id);

        _ledger.markOverdue(rootId);
        emit RootMarkedOverdue(
            rootId, id, msg.sender, root.issuer, root.currency, root.maturity, deposited, face, block.timestamp
        );
    }

    // ─── financing settlement ──────────────────────────────────────────────────

    /// @inheritdoc IRepaymentVault
    function recordPledge(uint256 id, address holder, address pledgee, uint256 owed) external {
        if (!IAccessControl(address(_ledger)).hasRole(FINANCING_ROLE, msg.sender)) {
            revert VaultUnauthorizedRecorder(msg.sender);
        }
        _pledges[id] = PledgeDebt({pledgee: pledgee, owed: owed.toUint96()});
        emit PledgeRecorded(id, holder, pledgee, owed);
    }

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @inheritdoc IRepaymentVault
    function poolId(address issuer, address currency, uint64 maturity) public pure returns (bytes32) {
        return keccak256(abi.encode(issuer, currency, maturity));
    }

    /// @inheritdoc IRepaymentVault
    function poolOf(address issuer, address currency, uint64 maturity)
        external
        view
        returns (uint256 face, uint256 deposited)
    {
        return (_ledger.issuedFace(issuer, currency, maturity), _deposited[poolId(issuer, currency, maturity)]);
    }

    /// @inheritdoc IRepaymentVault
    function claimOf(uint256 id) external view returns (uint256 paid, address pledgee, uint256 pledgeOwed) {
        PledgeDebt memory debt = _pledges[id];
        return (_paid[id], debt.pledgee, debt.owed);
    }

    /// @inheritdoc IRepaymentVault
    function redeemable(uint256 id) external view returns (uint256 toHolder, uint256 toPledgee) {
        Assessment memory a = _assess(id);
        if (block.timestamp < a.maturity || a.frozen) return (0, 0);
        return (a.toHolder, a.toPledgee);
    }

    /// @inheritdoc IRepaymentVault
    function gracePeriod() external view returns (uint64) {
        return _gracePeriod;
    }

    /// @inheritdoc IRepaymentVault
    function ledger() external view returns (IReceivableToken) {
        return _ledger;
    }

    // ─── internal ──────────────────────────────────────────────────────────────

    /// @dev The accumulator: a receivable of `amount` in a pool funded `funded` out of `face` is entitled
    /// to floor(amount * funded / face) and is paid the difference to what it already had. Amounts are
    /// fixed from maturity on (nothing splits or moves), so the entitlement only grows with deposits.
    /// Summed over the pool, rounded-down shares never exceed `funded`; at full funding each share is
    /// exactly `amount`, which pays out every remainder carried so far.
    function _assess(uint256 id) private view returns (Assessment memory a) {
        IReceivableToken.Receivable memory receivable = _ledger.receivableOf(id);
        IReceivableToken.Root memory root = _ledger.rootOf(receivable.rootId);
        a.holder = receivable.holder;
        a.currency = root.currency;
        a.rootId = receivable.rootId;
        a.maturity = root.maturity;
        a.frozen = root.frozen;
        a.amount = receivable.amount;
        a.poolId = poolId(root.issuer, root.currency, root.maturity);

        uint256 face = _ledger.issuedFace(root.issuer, root.currency, root.maturity);
        uint256 funded = _deposited[a.poolId];
        a.paid = _paid[id];
        a.full = funded == face;
        a.entitled = a.full ? a.amount : Math.mulDiv(a.amount, funded, face);
        a.payout = a.entitled - a.paid;

        if (receivable.flags & _flagPledged != 0) {
            a.pledgee = receivable.counterparty;
            PledgeDebt memory debt = _pledges[id];
            a.recorded = debt.pledgee == a.pledgee;
            // A pledge made outside financing has no recorded debt: the pledgee's security then covers
            // the whole remaining claim, settled between the two off chain.
            uint256 owed = a.recorded ? debt.owed : a.amount - a.paid;
            a.toPledgee = Math.min(a.payout, owed);
            a.pledgeOwedAfter = owed - a.toPledgee;
        }
        a.toHolder = a.payout - a.toPledgee;
    }

    /// @dev Kept apart so the event's eleven fields do not crowd `redeem`'s stack.
    function _emitRedeemed(uint256 id, Assessment memory a) private {
        emit ReceivableRedeemed(
            id,
            a.rootId,
            a.holder,
            a.poolId,
            a.amount,
            a.toHolder,
            a.pledgee,
            a.toPledgee,
            a.entitled,
            a.pledgeOwedAfter,
            a.full
        );
    }
}
