// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title A contract wallet standing for an organisation, for tests only
/// @notice Lets a test make a contract the holder, financier or core enterprise: `exec` forwards any call
/// (anyone may drive it, including a hostile token re-entering mid-transfer), and ERC-1271 approves the
/// digests `approveHash` listed, so a contract financier can sign quotes.
contract TestOrganisationWallet is IERC1271 {
    mapping(bytes32 hash => bool) public approvedHashes;

    function exec(address to, bytes calldata data) external returns (bytes memory) {
        // Bubbles the callee's revert data unchanged so tests can match its custom error.
        return Address.functionCall(to, data);
    }

    function approveHash(bytes32 hash) external {
        approvedHashes[hash] = true;
    }

    function isValidSignature(bytes32 hash, bytes memory) external view returns (bytes4) {
        return approvedHashes[hash] ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
