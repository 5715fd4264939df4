import "@nomicfoundation/hardhat-toolbox";
import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";

// The machine is offline: Hardhat cannot download compilers, so the exact
// version below is served by the solc-js build from the pinned `solc` npm package.
const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  if (args.solcVersion === SOLC_VERSION && solc.version().startsWith(SOLC_VERSION)) {
    return {
      compilerPath: require.resolve("solc/soljson.js"),
      isSolcJs: true,
      version: args.solcVersion,
      longVersion: solc.version(),
    };
  }
  return (await runSuper()) as unknown;
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
      viaIR: false,
    },
  },
  networks: {
    hardhat: {
      // Deterministic demo accounts; plenty of them for property tests and benchmarks.
      accounts: { count: 40 },
      // `npm start` starts its node's clock in the past (scripts/lib/localNode.ts): the demo story moves
      // the chain ahead to maturity, and the chain's clock then agrees with the wall clock.
      ...(process.env.LEDGERLINE_CHAIN_INITIAL_DATE === undefined ? {} : { initialDate: process.env.LEDGERLINE_CHAIN_INITIAL_DATE }),
    },
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
    // A second node implementation for the indexer's and the API's chain tests: Foundry's anvil, started
    // by scripts/testAnvil.ts (`npm run test:anvil`, part of `npm test`) with 40 unlocked accounts.
    anvil: { url: process.env.ANVIL_URL ?? "http://127.0.0.1:8546", timeout: 120_000 },
  },
  mocha: {
    // Contract tests and server tests both live under test/ (Hardhat loads every file there).
    timeout: 600_000,
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: { enabled: false },
};

export default config;
