// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A settlement token with a blocklist, for tests only
/// @notice Behaves like USDC's `Blacklistable`: a blocklisted address can neither send nor receive, and
/// any transfer touching one reverts. Tests use it to show that one blocked payee cannot stop another's
/// payment.
contract BlocklistSettlementToken is ERC20 {
    /// @notice `account` is blocklisted: it can neither send nor receive.
    error BlocklistedAccount(address account);

    event Blocklisted(address indexed account, bool blocked);

    mapping(address account => bool) public isBlocklisted;

    uint8 private immutable _decimals;

    constructor(uint8 decimals_) ERC20("Blocklisting Dollar", "BUSD") {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Anyone mints: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Anyone (un)blocks: it is a test token; the issuer of a real one keeps this to itself.
    function setBlocklisted(address account, bool blocked) external {
        isBlocklisted[account] = blocked;
        emit Blocklisted(account, blocked);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (isBlocklisted[from]) revert BlocklistedAccount(from);
        if (isBlocklisted[to]) revert BlocklistedAccount(to);
        super._update(from, to, value);
    }
}
