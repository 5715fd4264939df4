// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title Ledgerline test settlement token
/// @notice An ERC-20 (with EIP-2612 permit) that stands for cash in the embedded world and in tests: a
/// tokenized deposit or stable-value token. Only the operator mints. Production points the ledger at a
/// real settlement token instead; no Ledgerline contract depends on anything but plain ERC-20 behaviour.
contract SettlementToken is ERC20, ERC20Permit, AccessControl {
    /// @notice May mint (the platform operator in the embedded world).
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    uint8 private immutable _decimals;

    /// @param decimals_ Base units per whole unit as a power of ten (0, 2, 6, 18, ...): fixed for life.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address admin)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        _decimals = decimals_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(OPERATOR_ROLE, admin);
    }

    /// @notice Creates `amount` base units for `to`. Operator only.
    function mint(address to, uint256 amount) external onlyRole(OPERATOR_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
