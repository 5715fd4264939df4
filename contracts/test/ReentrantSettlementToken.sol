// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A hostile settlement token, for tests only
/// @notice On every transfer it calls back into `reentryTarget` with preset calldata before moving the balance,
/// the way a malicious or hook-bearing token (ERC-777 style) could. The outcome of the re-entrant call is
/// recorded rather than bubbled, so a test can see both that the attack was refused and that the outer
/// operation still settled exactly once.
contract ReentrantSettlementToken is ERC20 {
    address public reentryTarget;
    bytes public payload;
    /// @dev How many more transfers will attack; each attack consumes one so the token cannot loop.
    uint256 public attacksLeft;
    bool public lastAttackSucceeded;
    bytes public lastAttackResult;
    uint256 public attacksMade;

    uint8 private immutable _decimals;

    constructor(uint8 decimals_) ERC20("Reentrant", "EVIL") {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Anyone mints: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the token: the next `times` transfers call `target_` with `payload_`.
    function arm(address target_, bytes calldata payload_, uint256 times) external {
        reentryTarget = target_;
        payload = payload_;
        attacksLeft = times;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (attacksLeft > 0 && from != address(0)) {
            attacksLeft -= 1;
            attacksMade += 1;
            // The re-entrant call runs with this token as msg.sender, in the middle of the outer call.
            (bool ok, bytes memory result) = reentryTarget.call(payload);
            lastAttackSucceeded = ok;
            lastAttackResult = result;
        }
        super._update(from, to, value);
    }
}
