// Runs the chain-facing server tests against Foundry's anvil, the second Ethereum node implementation
// (issue 9 item 8): the indexer's reorganisation and crash tests (with anvil_reorg making real reorgs)
// and the API story. Starts anvil on a free port with Hardhat's test mnemonic and 40 accounts, runs
// `hardhat test --network anvil <files>`, stops anvil. `npm test` runs it after the Hardhat suite.
import { spawn } from "node:child_process";
import path from "node:path";
import { startAnvil } from "./lib/anvil";

const ROOT = path.resolve(__dirname, "..");
const FILES = ["test/server/indexer/reorg.test.ts", "test/server/indexer/crash.test.ts", "test/server/api/story.test.ts"];

async function main(): Promise<void> {
  const anvil = await startAnvil(["--accounts", "40", "--mnemonic", "test test test test test test test test test test test junk"]);
  console.log(`anvil on ${anvil.url}: ${FILES.join(", ")}`);
  const code = await new Promise<number>((resolve) => {
    const files = process.argv.length > 2 ? process.argv.slice(2) : FILES;
    const test = spawn(process.execPath, [path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "bootstrap.js"), "test", "--network", "anvil", "--no-compile", ...files], {
      cwd: ROOT,
      env: { ...process.env, ANVIL_URL: anvil.url },
      stdio: "inherit",
    });
    test.once("exit", (c) => resolve(c ?? 1));
  });
  await anvil.stop();
  process.exitCode = code;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
