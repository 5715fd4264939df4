// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title ERC-3525 semi-fungible token (https://eips.ethereum.org/EIPS/eip-3525)
/// @dev ERC-165 identifier 0xd5358140. A token has an id, a value and a slot; tokens of one slot are
/// value-compatible. Ledgerline's slot is the receivable's root id (same debtor, currency and maturity).
interface IERC3525 is IERC721 {
    event TransferValue(uint256 indexed _fromTokenId, uint256 indexed _toTokenId, uint256 _value);
    event ApprovalValue(uint256 indexed _tokenId, address indexed _operator, uint256 _value);
    event SlotChanged(uint256 indexed _tokenId, uint256 indexed _oldSlot, uint256 indexed _newSlot);

    function valueDecimals() external view returns (uint8);
    function balanceOf(uint256 _tokenId) external view returns (uint256);
    function slotOf(uint256 _tokenId) external view returns (uint256);
    function approve(uint256 _tokenId, address _operator, uint256 _value) external payable;
    function allowance(uint256 _tokenId, address _operator) external view returns (uint256);
    function transferFrom(uint256 _fromTokenId, uint256 _toTokenId, uint256 _value) external payable;
    function transferFrom(uint256 _fromTokenId, address _to, uint256 _value) external payable returns (uint256);
}
