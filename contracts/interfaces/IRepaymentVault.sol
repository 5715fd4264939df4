// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReceivableToken} from "./IReceivableToken.sol";

/// @title Ledgerline repayment vault
/// @notice Where core enterprises repay and holders redeem. Receivables are repaid per *pool*: all
/// receivables of one issuer (core enterprise), in one currency, maturing at one instant. The pool's face
/// is the ledger's `issuedFace(issuer, currency, maturity)`, final at maturity because nothing can be
/// confirmed into a pool whose maturity has passed.
///
/// The issuer deposits in one or several payments, before or after maturity; each deposit restores its
/// credit line by the amount deposited and can never take the pool beyond its face. From maturity on,
/// each receivable of the pool is entitled to `amount * deposited / face` (rounded down), of which it has
/// already been paid `paid`: a shortfall pays every holder the same fraction, and later deposits let them
/// claim the rest. Each claim is O(1), no loop over holders. Rounding never creates a base unit (the sum
/// of rounded-down shares never exceeds the deposit) and never loses one (at full funding every share is
/// exactly the amount, so the last claims pay out every carried remainder). Once the pool is fully
/// funded, redeeming burns the receivable and pays the rest of its face.
///
/// A pledged receivable (financed in `Pledge` mode) pays its pledgee first, up to what the pledgee is
/// still owed, and the holder the rest. The holder may repay the pledge early and have it released. A
/// recorded debt belongs to the financing pledge that created it (the ledger's PLEDGE_DEBT flag): once
/// that pledge is released, by anyone, the debt is gone for good, whatever pledge comes later.
///
/// Payouts are pushed, but one payee's refusal never stops another's: a transfer the currency refuses
/// (a blocklisted address, say) is credited to the payee's withdrawable balance instead (`PaymentCredited`),
/// which the payee later takes with `withdraw`. A suspended holder does not lock out its pledgee: the
/// pledgee is paid and the holder's own share waits in the pool until the holder is reactivated.
/// The holder's ERC-721 operators (`setApprovalForAll`) may redeem on its behalf; the money goes to the
/// holder (and its pledgee), never to the operator.
///
/// After maturity plus the deployment's grace period, anyone may mark a root receivable of a pool that is
/// not fully funded overdue; late deposits still let holders redeem, and the deposit that completes the
/// pool cures every tree of it that was marked overdue (`PoolCured`, `isCured`).
interface IRepaymentVault {
    // ─── events (the indexer's API: complete without reading storage) ─────────────

    /// @notice `issuer` deposited `amount` of `currency` into the pool (`issuer`, `currency`, `maturity`),
    /// whose total deposit is now `deposited` out of `face`. Its issuance was restored by `amount`.
    event RepaymentDeposited(
        bytes32 indexed poolId,
        address indexed issuer,
        address indexed currency,
        uint64 maturity,
        uint256 amount,
        uint256 deposited,
        uint256 face
    );

    /// @notice Receivable `id` (root `rootId`, pool `poolId`) paid out `toHolder` to `holder` and
    /// `toPledgee` to `pledgee` (zero address and 0 when not pledged). `paid` is the receivable's
    /// cumulative payout out of its `amount`; `pledgeOwed` what the pledgee is still owed afterwards.
    /// `burnt` is true when this was the final redemption (the token no longer exists).
    event ReceivableRedeemed(
        uint256 indexed id,
        uint256 indexed rootId,
        address indexed holder,
        bytes32 poolId,
        uint256 amount,
        uint256 toHolder,
        address pledgee,
        uint256 toPledgee,
        uint256 paid,
        uint256 pledgeOwed,
        bool burnt
    );

    /// @notice The financing settlement recorded that `holder` owes `pledgee` `owed` for the pledged
    /// receivable `id`.
    event PledgeRecorded(uint256 indexed id, address indexed holder, address indexed pledgee, uint256 owed);

    /// @notice `holder` paid `pledgee` the `amount` still owed for receivable `id`; the pledge is released.
    event PledgeRepaid(uint256 indexed id, address indexed holder, address indexed pledgee, uint256 amount);

    /// @notice `by` marked the lineage tree of `rootId` overdue: at `nowTimestamp`, past `maturity` plus
    /// the grace period, its pool had `deposited` of `face`.
    event RootMarkedOverdue(
        uint256 indexed rootId,
        bytes32 indexed poolId,
        address indexed by,
        address issuer,
        address currency,
        uint64 maturity,
        uint256 deposited,
        uint256 face,
        uint256 nowTimestamp
    );

    /// @notice A deposit completed the pool `poolId`, some tree of which had been marked overdue: every such
    /// tree is cured (paid in full, late) as of `nowTimestamp`.
    event PoolCured(
        bytes32 indexed poolId, address indexed issuer, address indexed currency, uint64 maturity, uint256 nowTimestamp
    );

    /// @notice `currency` refused to deliver `amount` to `payee` (for receivable `id`: its redemption or its
    /// pledge's repayment); the amount is credited to `payee`'s withdrawable balance, now `balance`.
    event PaymentCredited(
        uint256 indexed id, address indexed payee, address indexed currency, uint256 amount, uint256 balance
    );

    /// @notice `payee` withdrew its whole credited balance of `amount` in `currency`.
    event PaymentWithdrawn(address indexed payee, address indexed currency, uint256 amount);

    // ─── errors ────────────────────────────────────────────────────────────────

    error VaultZeroAmount();
    /// @notice Depositing `amount` would take the pool beyond its face.
    error VaultDepositExceedsFace(bytes32 poolId, uint256 face, uint256 deposited, uint256 amount);
    /// @notice Receivable `id` matures at `maturity`; it cannot be redeemed before.
    error VaultNotMatured(uint256 id, uint64 maturity, uint256 nowTimestamp);
    /// @notice Nothing is claimable for `id` at the pool's present funding.
    error VaultNothingToRedeem(uint256 id);
    /// @notice Only the holder of `id`, its ERC-721 operators or its pledgee may redeem it.
    error VaultUnauthorizedRedeemer(address caller, uint256 id);
    /// @notice The lineage tree of `rootId` is frozen (a dispute): nothing is paid out.
    error VaultRootFrozen(uint256 rootId);
    /// @notice `rootId` becomes overdue-markable at `overdueAt`.
    error VaultNotOverdueYet(uint256 rootId, uint256 overdueAt, uint256 nowTimestamp);
    /// @notice The tree of `rootId` is already marked overdue.
    error VaultAlreadyOverdue(uint256 rootId);
    /// @notice The pool of `rootId` is fully funded; it cannot be overdue.
    error VaultPoolFullyFunded(uint256 rootId, bytes32 poolId);
    /// @notice `caller` may not record pledges (only the financing settlement may).
    error VaultUnauthorizedRecorder(address caller);
    /// @notice Receivable `id` is not pledged under a recorded pledge debt.
    error VaultNoPledgeDebt(uint256 id);
    /// @notice Only the holder of `id` may repay its pledge.
    error VaultUnauthorizedRepayer(address caller, address holder);
    /// @notice `payee` has no credited balance in `currency`.
    error VaultNothingToWithdraw(address payee, address currency);

    // ─── core enterprise ───────────────────────────────────────────────────────

    /// @notice The caller (a core enterprise) deposits `amount` of `currency` for its receivables maturing at
    /// `maturity`, pulled with its ERC-20 allowance to this contract; restores its credit line by `amount`.
    function deposit(address currency, uint64 maturity, uint256 amount) external;

    // ─── holders ───────────────────────────────────────────────────────────────

    /// @notice The holder of `id` (or one of its ERC-721 operators, or its pledgee) claims what the pool's
    /// funding entitles it to; at full funding this burns the receivable. Pays the pledgee first, up to
    /// what it is owed, and the holder the rest. While the holder is suspended only the pledgee is paid
    /// (the holder's share stays in the pool) and nothing burns. A payment the currency refuses is
    /// credited to its payee's withdrawable balance instead.
    /// @return toHolder Paid to the holder.
    /// @return toPledgee Paid to the pledgee.
    function redeem(uint256 id) external returns (uint256 toHolder, uint256 toPledgee);

    /// @notice The holder of pledged `id` pays the pledgee what it is still owed (from the holder's ERC-20
    /// allowance to this contract, through the vault) and the pledge is released. Should the currency
    /// refuse to deliver to the pledgee, the amount is credited to the pledgee's withdrawable balance.
    function repayPledge(uint256 id) external;

    /// @notice The caller takes its whole credited balance in `currency` (payments the currency once
    /// refused to deliver to it). Reverts, keeping the balance, while the currency still refuses.
    function withdraw(address currency) external;

    // ─── anyone ────────────────────────────────────────────────────────────────

    /// @notice Marks the tree of `rootId` overdue once maturity plus the grace period has passed and its
    /// pool is not fully funded.
    function markOverdue(uint256 rootId) external;

    // ─── financing settlement ──────────────────────────────────────────────────

    /// @notice Records that `holder` of the pledged receivable `id` owes `pledgee` `owed`. Only a contract
    /// holding FINANCING_ROLE on the ledger (the financing settlement).
    function recordPledge(uint256 id, address holder, address pledgee, uint256 owed) external;

    // ─── views ─────────────────────────────────────────────────────────────────

    /// @notice The key of the pool (`issuer`, `currency`, `maturity`): keccak256 of their ABI encoding.
    function poolId(address issuer, address currency, uint64 maturity) external pure returns (bytes32);

    /// @notice The pool's face (total confirmed) and what its issuer has deposited so far.
    function poolOf(address issuer, address currency, uint64 maturity)
        external
        view
        returns (uint256 face, uint256 deposited);

    /// @notice What receivable `id` has been paid so far, and its live pledge debt: a recorded debt whose
    /// financing pledge is still in place (zero address and 0 otherwise).
    function claimOf(uint256 id) external view returns (uint256 paid, address pledgee, uint256 pledgeOwed);

    /// @notice What `payee` may withdraw in `currency`.
    function creditOf(address payee, address currency) external view returns (uint256);

    /// @notice The tree of `rootId` was marked overdue and its pool has since been fully funded.
    function isCured(uint256 rootId) external view returns (bool);

    /// @notice What `redeem(id)` would pay now (0, 0 before maturity or when frozen); while the holder is
    /// suspended, `toHolder` is what waits for it.
    function redeemable(uint256 id) external view returns (uint256 toHolder, uint256 toPledgee);

    /// @notice Seconds after maturity before an unfunded receivable may be marked overdue.
    function gracePeriod() external view returns (uint64);

    function ledger() external view returns (IReceivableToken);
}
