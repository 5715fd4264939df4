// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IOrganisationRegistry} from "./interfaces/IOrganisationRegistry.sol";
import {IReceivableToken} from "./interfaces/IReceivableToken.sol";
import {IRepaymentVault} from "./interfaces/IRepaymentVault.sol";
import {LedgerLayout} from "./libraries/LedgerLayout.sol";

/// @dev The ledger's emergency switch (ReceivableToken.paused), which IReceivableToken does not declare.
interface ILedgerPause {
    function paused() external view returns (bool);
}

/// @title Ledgerline repayment vault
/// @notice Holds what core enterprises deposit until holders redeem. It holds SETTLEMENT_ROLE on the
/// receivable token. It must never pay out more than was deposited into a pool, nor pay any receivable
/// more than its face: the per-pool deposit and the per-receivable `paid` below are the only money state,
/// and every payout is derived from them with round-down arithmetic. What a currency refused to deliver
/// is the third: credited balances, which the vault keeps until their payees withdraw them.
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
    /// counts only while the ledger's PLEDGE_DEBT flag is set on the token, i.e. while the financing pledge
    /// that created it is in place: a pledge released and made again (to anyone, the same bank included)
    /// never inherits it. A record whose pledge was released is left in place and ignored. `owed` fits 96
    /// bits because the ledger's receivable amounts do and a pledge never owes more than the amount.
    struct PledgeDebt {
        address pledgee;
        uint96 owed;
    }

    /// @dev What one claim pays, and to whom.
    struct Payout {
        address holder;
        address pledgee;
        uint256 amount;
        uint256 entitled;
        uint256 toHolder;
        uint256 toPledgee;
        uint256 pledgeOwedAfter;
        /// @dev The receivable is pledged under a debt recorded by the financing settlement.
        bool recorded;
    }

    /// @dev The low 32 bits of a receivable id number it inside its tree; the rest is its root's id.
    uint256 private constant _SEQ_MASK = 0xffffffff;

    IReceivableToken private immutable _ledger;
    uint64 private immutable _gracePeriod;
    uint8 private immutable _flagPledged;
    uint8 private constant _FLAG_PLEDGE_DEBT = LedgerLayout.FLAG_PLEDGE_DEBT;

    /// @dev One slot per pool: what its issuer deposited (never above the face, checked at deposit) and,
    /// once a deposit was made at or after maturity, the face itself. A pool's face is final from its
    /// maturity on (nothing can be confirmed into a pool whose maturity has passed), so the copy saves
    /// every later redemption a call to the ledger; before maturity it is zero and the ledger is asked.
    /// `shortPaid` records that a claim was paid in part (a shortfall, or a pledgee paid while its holder
    /// waits); until then no receivable of the pool has a `paid` record, and a redemption need not read
    /// one. `overdue` records that a tree of the pool was marked overdue, so the deposit that completes the
    /// pool knows it cures. A face beyond 112 bits (5·10^33 base units) is out of any real range; the cast
    /// reverts rather than truncate.
    struct Pool {
        uint128 deposited;
        uint112 finalFace;
        bool shortPaid;
        bool overdue;
    }

    mapping(bytes32 poolId => Pool) private _pools;
    /// @dev What a receivable has been paid so far; written only by partial claims (a shortfall) and
    /// cleared by the final one.
    mapping(uint256 id => uint256) private _paid;
    mapping(uint256 id => PledgeDebt) private _pledges;
    /// @dev Payments a currency refused to deliver, until their payees withdraw them.
    mapping(address payee => mapping(address currency => uint256)) private _credits;

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
        Pool memory pool = _pools[id];
        uint256 deposited = pool.deposited;
        // `deposited <= face` always holds, so the subtraction cannot underflow; capping deposits at the
        // face keeps "credit used = confirmed minus repaid" exact and leaves no unclaimable surplus.
        if (amount > face - deposited) revert VaultDepositExceedsFace(id, face, deposited, amount);
        deposited += amount;
        pool.deposited = deposited.toUint128();
        if (block.timestamp >= maturity) pool.finalFace = face.toUint112();
        _pools[id] = pool;
        _ledger.restoreIssuance(msg.sender, currency, maturity, amount);
        emit RepaymentDeposited(id, msg.sender, currency, maturity, amount, deposited, face);
        if (pool.overdue && deposited == face) emit PoolCured(id, msg.sender, currency, maturity, block.timestamp);

        IERC20(currency).safeTransferFrom(msg.sender, address(this), amount);
    }

    // ─── holders ───────────────────────────────────────────────────────────────

    /// @inheritdoc IRepaymentVault
    function redeem(uint256 id) external nonReentrant returns (uint256 toHolder, uint256 toPledgee) {
        uint256 rootId = id & ~_SEQ_MASK;
        (IReceivableToken.Root memory root, bytes32 pool, Pool memory stored, uint256 face) = _poolOfRoot(rootId);
        if (block.timestamp < root.maturity) revert VaultNotMatured(id, root.maturity, block.timestamp);
        if (root.frozen) revert VaultRootFrozen(rootId);
        uint256 funded = stored.deposited;
        uint256 paid = stored.shortPaid ? _paid[id] : 0;

        // Effects, then the ledger (trusted), then the currency (untrusted) last.
        Payout memory p;
        bool burnt;
        if (funded == face) {
            // The final claim burns the receivable, and the burn returns what it burnt: the receivable is
            // read once. Should the caller not be entitled, the revert below undoes the burn with the rest.
            // A suspended holder cannot be burnt (the ledger's rule gate): its pledgee is paid below.
            try _ledger.burn(id) returns (IReceivableToken.Receivable memory receivable) {
                burnt = true;
                p = _payout(id, receivable, receivable.amount, paid);
                if (paid != 0) delete _paid[id];
                if (p.recorded) delete _pledges[id];
            } catch (bytes memory reason) {
                // Any other refusal is re-raised unchanged (OpenZeppelin's bubbling).
                if (bytes4(reason) != IOrganisationRegistry.RegistryOrganisationSuspended.selector) {
                    Address.verifyCallResult(false, reason);
                }
            }
        }
        if (!burnt) {
            p = _claimInPart(id, funded, face, paid);
            if (!stored.shortPaid) _pools[pool].shortPaid = true;
        }
        if (
            msg.sender != p.holder && (p.pledgee == address(0) || msg.sender != p.pledgee)
                && !_ledger.isApprovedForAll(p.holder, msg.sender)
        ) {
            revert VaultUnauthorizedRedeemer(msg.sender, id);
        }
        emit ReceivableRedeemed(
            id,
            rootId,
            p.holder,
            pool,
            p.amount,
            p.toHolder,
            p.pledgee,
            p.toPledgee,
            p.entitled,
            p.pledgeOwedAfter,
            burnt
        );

        if (p.toPledgee != 0) _pay(id, root.currency, p.pledgee, p.toPledgee);
        if (p.toHolder != 0) _pay(id, root.currency, p.holder, p.toHolder);
        return (p.toHolder, p.toPledgee);
    }

    /// @inheritdoc IRepaymentVault
    function repayPledge(uint256 id) external nonReentrant {
        IReceivableToken.Receivable memory receivable = _ledger.receivableOf(id);
        if (msg.sender != receivable.holder) revert VaultUnauthorizedRepayer(msg.sender, receivable.holder);
        address pledgee = receivable.counterparty;
        PledgeDebt memory debt = _pledges[id];
        if (!_isLive(receivable, debt)) revert VaultNoPledgeDebt(id);
        uint256 owed = debt.owed;

        delete _pledges[id];
        _ledger.releasePledge(id);
        emit PledgeRepaid(id, msg.sender, pledgee, owed);

        // Through the vault, so that a pledgee the currency refuses is credited rather than blocking the
        // holder's repayment (and the release it buys).
        address currency = _ledger.rootOf(receivable.rootId).currency;
        IERC20(currency).safeTransferFrom(msg.sender, address(this), owed);
        _pay(id, currency, pledgee, owed);
    }

    /// @inheritdoc IRepaymentVault
    function withdraw(address currency) external nonReentrant {
        if (ILedgerPause(address(_ledger)).paused()) revert Pausable.EnforcedPause();
        uint256 amount = _credits[msg.sender][currency];
        if (amount == 0) revert VaultNothingToWithdraw(msg.sender, currency);
        delete _credits[msg.sender][currency];
        emit PaymentWithdrawn(msg.sender, currency, amount);
        // A currency still refusing reverts the whole call, and the balance stays credited.
        IERC20(currency).safeTransfer(msg.sender, amount);
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
        Pool storage pool = _pools[id];
        uint256 deposited = pool.deposited;
        if (deposited >= face) revert VaultPoolFullyFunded(rootId, id);

        pool.overdue = true;
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
        return (_ledger.issuedFace(issuer, currency, maturity), _pools[poolId(issuer, currency, maturity)].deposited);
    }

    /// @inheritdoc IRepaymentVault
    function claimOf(uint256 id) external view returns (uint256 paid, address pledgee, uint256 pledgeOwed) {
        PledgeDebt memory debt = _pledges[id];
        paid = _paid[id];
        if (debt.pledgee == address(0)) return (paid, address(0), 0);
        // A burnt receivable has no pledge; the ledger's view reverts for it.
        try _ledger.receivableOf(id) returns (IReceivableToken.Receivable memory receivable) {
            if (_isLive(receivable, debt)) return (paid, debt.pledgee, debt.owed);
        } catch {}
        return (paid, address(0), 0);
    }

    /// @inheritdoc IRepaymentVault
    function creditOf(address payee, address currency) external view returns (uint256) {
        return _credits[payee][currency];
    }

    /// @inheritdoc IRepaymentVault
    function isCured(uint256 rootId) external view returns (bool) {
        (IReceivableToken.Root memory root,, Pool memory stored, uint256 face) = _poolOfRoot(rootId);
        return root.overdue && stored.deposited == face;
    }

    /// @inheritdoc IRepaymentVault
    function redeemable(uint256 id) external view returns (uint256 toHolder, uint256 toPledgee) {
        IReceivableToken.Receivable memory receivable = _ledger.receivableOf(id);
        (IReceivableToken.Root memory root,, Pool memory stored, uint256 face) = _poolOfRoot(receivable.rootId);
        if (block.timestamp < root.maturity || root.frozen) return (0, 0);
        uint256 funded = stored.deposited;
        uint256 entitled = funded == face ? receivable.amount : Math.mulDiv(receivable.amount, funded, face);
        Payout memory p = _payout(id, receivable, entitled, _paid[id]);
        return (p.toHolder, p.toPledgee);
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

    /// @dev The tree's shared terms, its pool's key, record and face. Reverts with the ledger's
    /// ReceivableNonexistent unless `rootId` is a confirmed root.
    function _poolOfRoot(uint256 rootId)
        private
        view
        returns (IReceivableToken.Root memory root, bytes32 pool, Pool memory stored, uint256 face)
    {
        root = _ledger.rootOf(rootId);
        pool = poolId(root.issuer, root.currency, root.maturity);
        stored = _pools[pool];
        face = stored.finalFace != 0 ? stored.finalFace : _ledger.issuedFace(root.issuer, root.currency, root.maturity);
    }

    /// @dev A claim that burns nothing: a shortfall's share, or the pledgee's part while the holder is
    /// suspended. The ledger's own rules apply here since it is not called to move anything (unless the
    /// claim frees a pledge): nothing is paid while it is paused, and a suspended holder's share waits.
    function _claimInPart(uint256 id, uint256 funded, uint256 face, uint256 paid) private returns (Payout memory p) {
        if (ILedgerPause(address(_ledger)).paused()) revert Pausable.EnforcedPause();
        IReceivableToken.Receivable memory receivable = _ledger.receivableOf(id);
        uint256 entitled = funded == face ? receivable.amount : Math.mulDiv(receivable.amount, funded, face);
        p = _payout(id, receivable, entitled, paid);
        if (!_ledger.organisationOf(receivable.holder).active) {
            // Only the pledgee, which ranks first, is paid; the holder's share stays in the pool.
            if (p.toPledgee == 0) revert IOrganisationRegistry.RegistryOrganisationSuspended(p.holder);
            p.toHolder = 0;
            p.entitled = paid + p.toPledgee;
        } else if (p.entitled == paid) {
            revert VaultNothingToRedeem(id);
        }
        _paid[id] = p.entitled;
        if (p.recorded) {
            if (p.pledgeOwedAfter == 0) {
                // The pledgee is paid in full: the holder's claim is its own again.
                delete _pledges[id];
                _ledger.releasePledge(id);
            } else {
                // Cannot truncate: the debt only shrinks from a recorded 96-bit value.
                _pledges[id].owed = uint96(p.pledgeOwedAfter);
            }
        }
    }

    /// @dev The accumulator: a receivable of `amount` in a pool funded `funded` out of `face` is entitled
    /// to floor(amount * funded / face) (its whole amount at full funding) and is paid the difference to
    /// what it already had. Amounts are fixed from maturity on (nothing splits or moves), so the
    /// entitlement only grows with deposits. Summed over the pool, rounded-down shares never exceed
    /// `funded`; at full funding each share is exactly `amount`, which pays out every remainder carried.
    /// A pledgee is paid first, up to what it is owed.
    function _payout(uint256 id, IReceivableToken.Receivable memory receivable, uint256 entitled, uint256 paid)
        private
        view
        returns (Payout memory p)
    {
        p.holder = receivable.holder;
        p.amount = receivable.amount;
        p.entitled = entitled;
        uint256 payout = entitled - paid;
        if (receivable.flags & _flagPledged != 0) {
            p.pledgee = receivable.counterparty;
            PledgeDebt memory debt = _pledges[id];
            p.recorded = _isLive(receivable, debt);
            // A pledge made outside financing has no recorded debt: the pledgee's security then covers
            // the whole remaining claim, settled between the two off chain.
            uint256 owed = p.recorded ? debt.owed : receivable.amount - paid;
            p.toPledgee = Math.min(payout, owed);
            p.pledgeOwedAfter = owed - p.toPledgee;
        }
        p.toHolder = payout - p.toPledgee;
    }

    /// @dev A recorded debt counts only while the financing pledge that created it is in place.
    function _isLive(IReceivableToken.Receivable memory receivable, PledgeDebt memory debt)
        private
        pure
        returns (bool)
    {
        return receivable.flags & _FLAG_PLEDGE_DEBT != 0 && debt.pledgee == receivable.counterparty;
    }

    /// @dev Pushes `amount` of `currency` to `payee`; what the currency refuses (a blocklisted payee, say)
    /// is credited to the payee's withdrawable balance, so one payee can never block another's payment.
    function _pay(uint256 id, address currency, address payee, uint256 amount) private {
        if (IERC20(currency).trySafeTransfer(payee, amount)) return;
        uint256 balance = _credits[payee][currency] + amount;
        _credits[payee][currency] = balance;
        emit PaymentCredited(id, payee, currency, amount, balance);
    }
}
