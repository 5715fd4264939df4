// solidity-coverage (`npm run coverage:contracts`): the test contracts are not measured, and the gas-budget
// tests do not run (instrumentation adds gas to every statement, so their budgets cannot hold there; they
// run in `npm test`).
module.exports = {
  skipFiles: ["test"],
  mocha: { grep: "gas budgets", invert: true },
};
