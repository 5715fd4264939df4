// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IReceivableToken} from "../interfaces/IReceivableToken.sol";
import {EnforcedPause, LedgerLayout} from "./LedgerLayout.sol";
import {Organisations} from "./Organisations.sol";

/// @title Disputes: a freeze with an owner and an end (and the other whole-tree state, overdue)
/// @notice A linked library (run by DELEGATECALL in the receivable token's storage), so the token stays
/// under the 24 KiB code limit. Its events and errors are the token's. It must never be called other than
/// by the token: it trusts the token to tell it whether the caller holds OPERATOR_ROLE.
/// @dev A dispute freezes a whole lineage tree in O(1): it sets the root's FROZEN flag, which every
/// movement reads anyway. The record says who raised it, on what evidence and when. A dispute the debtor
/// raised lapses `disputePeriod` seconds after it was raised unless the operator upholds it first; the
/// flag then stays set but reads as "not frozen" (`isFrozen`), so nothing has to happen on chain for the
/// tree to move and redeem again. A debtor raises at most one dispute per tree, so it cannot chain
/// disputes into a freeze without end; the operator may raise one whenever none is live.
library Disputes {
    using Organisations for mapping(address => Organisations.Account);

    /// @dev `caller` raises a dispute on `rootId` with `evidenceHash` (the evidence document's hash).
    /// `isOperator`: the caller holds OPERATOR_ROLE; otherwise it must be the tree's debtor, active.
    function raise(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        address caller,
        bool isOperator,
        uint256 rootId,
        bytes32 evidenceHash,
        uint256 disputePeriod
    ) external {
        _requireNotPaused(ledger);
        LedgerLayout.StoredRoot storage root = existingRoot(ledger, rootId);
        uint64 rootSeq = uint64(rootId >> 32);
        LedgerLayout.Dispute storage dispute = ledger.disputes[rootSeq];
        if (root.flags & LedgerLayout.ROOT_FROZEN != 0 && isLive(dispute)) {
            revert IReceivableToken.ReceivableFrozen(rootId);
        }
        uint256 expiresAt;
        if (!isOperator) {
            if (caller != root.issuer) revert IReceivableToken.ReceivableUnauthorized(caller, rootId);
            // A suspended debtor cannot freeze anything.
            accounts.requireActive(caller);
            if (dispute.debtorRaised) revert IReceivableToken.ReceivableDisputeAlreadyRaised(rootId, caller);
            // Cannot overflow: block.timestamp and a uint32 period are both far below 2^40.
            expiresAt = block.timestamp + disputePeriod;
        }
        root.flags |= LedgerLayout.ROOT_FROZEN;
        // Casts are exact: timestamps fit 40 bits until the year 36,000.
        ledger.disputes[rootSeq] = LedgerLayout.Dispute({
            raiser: caller,
            raisedAt: uint40(block.timestamp),
            expiresAt: uint40(expiresAt),
            upheld: false,
            debtorRaised: dispute.debtorRaised || !isOperator,
            evidenceHash: evidenceHash
        });
        emit IReceivableToken.DisputeRaised(rootId, caller, evidenceHash, uint64(expiresAt));
    }

    /// @dev The operator resolves the live dispute on `rootId`: `uphold` keeps the tree frozen with no
    /// end (until a later release); otherwise the tree is released at once.
    function resolve(LedgerLayout.Ledger storage ledger, address operator, uint256 rootId, bool uphold) external {
        _requireNotPaused(ledger);
        LedgerLayout.StoredRoot storage root = existingRoot(ledger, rootId);
        LedgerLayout.Dispute storage dispute = ledger.disputes[uint64(rootId >> 32)];
        if (root.flags & LedgerLayout.ROOT_FROZEN == 0 || !isLive(dispute)) {
            revert IReceivableToken.ReceivableNotFrozen(rootId);
        }
        if (uphold) {
            if (dispute.upheld) revert IReceivableToken.ReceivableFrozen(rootId);
            dispute.upheld = true;
            dispute.expiresAt = 0;
            emit IReceivableToken.DisputeUpheld(rootId, operator);
        } else {
            root.flags &= ~LedgerLayout.ROOT_FROZEN;
            emit IReceivableToken.DisputeReleased(rootId, operator);
        }
    }

    /// @dev Marks the whole tree of `rootId` overdue (the vault checked maturity, grace and payment).
    /// Every descendant reads this flag on every move: the whole tree is overdue at once.
    function markOverdue(LedgerLayout.Ledger storage ledger, uint256 rootId) external {
        _requireNotPaused(ledger);
        LedgerLayout.StoredRoot storage root = existingRoot(ledger, rootId);
        uint8 flags = root.flags;
        if (flags & LedgerLayout.ROOT_OVERDUE != 0) revert IReceivableToken.ReceivableOverdue(rootId);
        root.flags = flags | LedgerLayout.ROOT_OVERDUE;
        emit IReceivableToken.RootOverdue(rootId);
    }

    /// @dev Whether a dispute whose tree carries the FROZEN flag still holds it: upheld, raised by the
    /// operator (no end), or a debtor's still within its period.
    function isLive(LedgerLayout.Dispute storage dispute) internal view returns (bool) {
        uint40 expiresAt = dispute.expiresAt;
        return expiresAt == 0 || block.timestamp <= expiresAt;
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

    function _requireNotPaused(LedgerLayout.Ledger storage ledger) private view {
        if (ledger.params.paused) revert EnforcedPause();
    }
}
