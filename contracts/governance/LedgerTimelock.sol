// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title The ledger's parameter timelock
/// @notice OpenZeppelin's `TimelockController`, unchanged, compiled here so deployment has its factory. It
/// becomes the receivable token's DEFAULT_ADMIN_ROLE: parameter changes (currencies, ledger parameters,
/// the dispute period) and OPERATOR_ROLE grants are scheduled, wait `getMinDelay()` and are then executed,
/// so every organisation sees them coming. The embedded world deploys it with a zero delay.
contract LedgerTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
