// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC3525} from "../interfaces/IERC3525.sol";
import {IReceivableToken} from "../interfaces/IReceivableToken.sol";
import {EnforcedPause, LedgerLayout} from "./LedgerLayout.sol";

/// @title Approvals: ERC-721 approvals and ERC-3525 value allowances of the receivable token
/// @notice A linked library (run by DELEGATECALL in the token's storage), so the token stays under the
/// 24 KiB code limit. Its events and errors are the token's. It must never be called other than by the
/// token.
/// @dev A value allowance remembers who granted it (`grantor`, packed with the value in one slot) and is
/// honoured only while that grantor may still act for the token: the holder, one of its operators, or
/// the token's ERC-721 approved address. So revoking an approval (or an operator) revokes every value
/// allowance that address granted, without a loop (ERC-3525's approved address may grant allowances; a
/// wallet user expects revocation to revoke).
library Approvals {
    /// @dev A stored allowance of this value means "unlimited": no receivable amount reaches it.
    uint256 internal constant UNLIMITED = type(uint96).max;
    uint256 private constant _VALUE_SHIFT = 160;

    /// @dev ERC-721 `approve`: the holder or one of its operators approves `to` for `tokenId`.
    function approveToken(LedgerLayout.Ledger storage ledger, address caller, uint256 tokenId, address to) external {
        _requireNotPaused(ledger);
        (uint256 head, uint256 state) = _load(ledger, tokenId);
        address holder = LedgerLayout.holderOf(head);
        if (caller != holder && !ledger.operatorApprovals[holder][caller]) revert IERC721Errors.ERC721InvalidApprover(caller);
        uint8 flags = LedgerLayout.flagsOf(state);
        // While offered or pledged the counterparty field names the receiver or the pledgee.
        if (flags & LedgerLayout.FLAG_OFFERED != 0) {
            revert IReceivableToken.ReceivableIsOffered(tokenId, LedgerLayout.counterpartyOf(state));
        }
        if (flags & LedgerLayout.FLAG_PLEDGED != 0) {
            revert IReceivableToken.ReceivableIsPledged(tokenId, LedgerLayout.counterpartyOf(state));
        }
        ledger.receivables[tokenId].state = LedgerLayout.withTerms(state, to, 0, flags);
        emit IERC721.Approval(holder, to, tokenId);
    }

    function setApprovalForAll(LedgerLayout.Ledger storage ledger, address caller, address operator, bool approved)
        external
    {
        _requireNotPaused(ledger);
        if (operator == address(0)) revert IERC721Errors.ERC721InvalidOperator(operator);
        ledger.operatorApprovals[caller][operator] = approved;
        emit IERC721.ApprovalForAll(caller, operator, approved);
    }

    /// @dev ERC-3525 `approve(tokenId, operator, value)` by `caller`, who must be able to act for the token.
    function approveValue(
        LedgerLayout.Ledger storage ledger,
        address caller,
        uint256 tokenId,
        address operator,
        uint256 value
    ) external {
        _requireNotPaused(ledger);
        (uint256 head, uint256 state) = _load(ledger, tokenId);
        address holder = LedgerLayout.holderOf(head);
        if (!isAuthorized(ledger, caller, holder, state)) revert IERC721Errors.ERC721InvalidApprover(caller);
        if (operator == holder || operator == address(0)) revert IERC721Errors.ERC721InvalidOperator(operator);
        // An acceptance keeps the epoch, so an allowance given during an open offer would outlive it
        // and bind the receiver: none may be given until the offer is settled.
        if (LedgerLayout.flagsOf(state) & LedgerLayout.FLAG_OFFERED != 0) {
            revert IReceivableToken.ReceivableIsOffered(tokenId, LedgerLayout.counterpartyOf(state));
        }
        uint256 stored = value > UNLIMITED ? UNLIMITED : value;
        ledger.valueAllowances[tokenId][LedgerLayout.epochOf(state)][operator] =
            uint256(uint160(caller)) | (stored << _VALUE_SHIFT);
        emit IERC3525.ApprovalValue(tokenId, operator, value);
    }

    /// @dev What `operator` may still spend of `tokenId`: zero once its grantor can no longer act for it.
    function allowance(LedgerLayout.Ledger storage ledger, uint256 tokenId, address operator)
        external
        view
        returns (uint256)
    {
        (uint256 head, uint256 state) = _load(ledger, tokenId);
        (, uint256 value) = _liveAllowance(ledger, tokenId, LedgerLayout.holderOf(head), state, operator);
        return value == UNLIMITED ? type(uint256).max : value;
    }

    /// @dev Spends `value` of `spender`'s allowance on `tokenId` (the token checked the spender cannot act
    /// for the token otherwise); reverts when it does not cover `value`.
    function spendAllowance(
        LedgerLayout.Ledger storage ledger,
        address spender,
        uint256 tokenId,
        uint256 head,
        uint256 state,
        uint256 value
    ) external {
        (mapping(address => uint256) storage allowances, uint256 allowed) =
            _liveAllowance(ledger, tokenId, LedgerLayout.holderOf(head), state, spender);
        if (allowed < value) revert IReceivableToken.ReceivableUnauthorized(spender, tokenId);
        if (allowed != UNLIMITED) {
            // Cannot underflow: checked just above. Only the value bits change; the grantor stays.
            unchecked {
                allowances[spender] -= value << _VALUE_SHIFT;
            }
        }
    }

    /// @dev The holder, its operators, or the ERC-721 approved address (when neither offered nor pledged).
    function isAuthorized(LedgerLayout.Ledger storage ledger, address caller, address holder, uint256 state)
        internal
        view
        returns (bool)
    {
        return caller == holder || ledger.operatorApprovals[holder][caller]
            || (
                LedgerLayout.counterpartyOf(state) == caller
                    && LedgerLayout.flagsOf(state) & (LedgerLayout.FLAG_OFFERED | LedgerLayout.FLAG_PLEDGED) == 0
            );
    }

    function _liveAllowance(
        LedgerLayout.Ledger storage ledger,
        uint256 tokenId,
        address holder,
        uint256 state,
        address operator
    ) private view returns (mapping(address => uint256) storage allowances, uint256 value) {
        allowances = ledger.valueAllowances[tokenId][LedgerLayout.epochOf(state)];
        uint256 stored = allowances[operator];
        // The grantor must still be able to act for the token, or what it granted has lapsed.
        if (stored == 0 || !isAuthorized(ledger, address(uint160(stored)), holder, state)) return (allowances, 0);
        value = stored >> _VALUE_SHIFT;
    }

    function _load(LedgerLayout.Ledger storage ledger, uint256 tokenId) private view returns (uint256 head, uint256 state) {
        LedgerLayout.StoredReceivable storage r = ledger.receivables[tokenId];
        head = r.head;
        if (head == 0) revert IERC721Errors.ERC721NonexistentToken(tokenId);
        state = LedgerLayout.live(head, r.state);
    }

    function _requireNotPaused(LedgerLayout.Ledger storage ledger) private view {
        if (ledger.params.paused) revert EnforcedPause();
    }
}
