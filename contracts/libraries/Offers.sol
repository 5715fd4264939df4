// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IReceivableToken} from "../interfaces/IReceivableToken.sol";
import {EnforcedPause, LedgerLayout} from "./LedgerLayout.sol";
import {Organisations} from "./Organisations.sol";

/// @title Offers: how an open offer or a pledge ends
/// @notice A linked library (run by DELEGATECALL in the receivable token's storage), so the token stays
/// under the 24 KiB code limit: rejection by the receiver, cancellation by the sender, reclaiming after
/// the deadline by anyone, and the release of a pledge. Making and accepting offers and pledging stay in
/// the token (their gas is budgeted). Its events and errors are the token's. It must never be called other
/// than by the token.
library Offers {
    bytes32 private constant _FINANCING_ROLE = keccak256("FINANCING_ROLE");
    bytes32 private constant _SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");

    /// @dev Releases the pledge on `id`: by its pledgee, or by the financing settlement or the repayment
    /// vault (asked of the token `self`, only when the caller is not the pledgee). The financing pledge's
    /// debt marker goes with it: a later pledge never inherits the debt.
    function releasePledge(LedgerLayout.Ledger storage ledger, address self, address caller, uint256 id) external {
        if (ledger.params.paused) revert EnforcedPause();
        LedgerLayout.StoredReceivable storage r = ledger.receivables[id];
        uint256 head = r.head;
        if (head == 0) revert IReceivableToken.ReceivableNonexistent(id);
        uint256 state = LedgerLayout.live(head, r.state);
        uint8 flags = LedgerLayout.flagsOf(state);
        if (flags & LedgerLayout.FLAG_PLEDGED == 0) revert IReceivableToken.ReceivableNotPledged(id);
        address pledgee = LedgerLayout.counterpartyOf(state);
        if (
            caller != pledgee && !IAccessControl(self).hasRole(_FINANCING_ROLE, caller)
                && !IAccessControl(self).hasRole(_SETTLEMENT_ROLE, caller)
        ) {
            revert IReceivableToken.ReceivableUnauthorized(caller, id);
        }
        r.state = LedgerLayout.withTerms(
            state, address(0), 0, flags & ~(LedgerLayout.FLAG_PLEDGED | LedgerLayout.FLAG_PLEDGE_DEBT)
        );
        emit IReceivableToken.PledgeReleased(id, LedgerLayout.holderOf(head), pledgee);
    }

    /// @dev Ends the open offer of `id` for `reason`; `caller` must be the receiver (Rejected) or the sender
    /// (Cancelled); anyone may reclaim an expired offer. `self` is the token (the escrow address).
    function end(
        LedgerLayout.Ledger storage ledger,
        mapping(address => Organisations.Account) storage accounts,
        address self,
        address caller,
        uint256 id,
        IReceivableToken.OfferEnd reason
    ) external {
        LedgerLayout.StoredReceivable storage r = ledger.receivables[id];
        uint256 head = r.head;
        if (head == 0) revert IReceivableToken.ReceivableNonexistent(id);
        uint256 state = LedgerLayout.live(head, r.state);
        uint8 flags = LedgerLayout.flagsOf(state);
        if (flags & LedgerLayout.FLAG_OFFERED == 0) revert IReceivableToken.ReceivableNotOffered(id);
        address holder = LedgerLayout.holderOf(head);
        address to = LedgerLayout.counterpartyOf(state);
        if (reason == IReceivableToken.OfferEnd.Rejected) {
            if (caller != to) revert IReceivableToken.ReceivableUnauthorized(caller, id);
        } else if (reason == IReceivableToken.OfferEnd.Cancelled) {
            if (caller != holder) revert IReceivableToken.ReceivableUnauthorized(caller, id);
        } else {
            uint64 deadline = LedgerLayout.offerDeadlineOf(state);
            if (block.timestamp <= deadline) revert IReceivableToken.ReceivableOfferNotExpired(id, deadline);
        }
        if (ledger.params.paused) revert EnforcedPause();
        r.state = LedgerLayout.withTerms(state, address(0), 0, flags & ~LedgerLayout.FLAG_OFFERED);
        // Back from escrow: the sender's count rises (cannot overflow: at most the ids ever minted).
        unchecked {
            accounts[holder].receivableCount += 1;
        }
        emit IERC721.Transfer(self, holder, id);
        emit IReceivableToken.OfferEnded(id, holder, to, reason);
    }
}
