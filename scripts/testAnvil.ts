// Runs the chain-facing server tests against Foundry's anvil, the second Ethereum node implementation
// (issue 9 item 8): the indexer's reorganisation and crash tests (with anvil_reorg making real reorgs)
// and the API story. Starts anvil on a free port with Hardhat's test mnemonic and 40 accounts, runs
// `hardhat test --network anvil <files>`, stops anvil. `npm test` runs it after the Hardhat suite.
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const FILES = ["test/server/indexer/reorg.test.ts", "test/server/indexer/crash.test.ts", "test/server/api/story.test.ts"];

async function main(): Promise<void> {
  const anvil = spawn(path.join(ROOT, "node_modules", ".bin", "anvil"), ["--host", "127.0.0.1", "--port", "0", "--accounts", "40", "--mnemonic", "test test test test test test test test test test test junk"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`anvil did not start:\n${out}`)), 30_000);
    anvil.once("exit", (code) => reject(new Error(`anvil exited with ${code}:\n${out}`)));
    const onData = (b: Buffer) => {
      out += b.toString("utf8");
      const m = /Listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        anvil.stdout.off("data", onData).resume();
        resolve(Number(m[1]));
      }
    };
    anvil.stdout.on("data", onData);
  });
  console.log(`anvil on 127.0.0.1:${port}: ${FILES.join(", ")}`);
  const code = await new Promise<number>((resolve) => {
    const files = process.argv.length > 2 ? process.argv.slice(2) : FILES;
    const test = spawn(process.execPath, [path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "bootstrap.js"), "test", "--network", "anvil", "--no-compile", ...files], {
      cwd: ROOT,
      env: { ...process.env, ANVIL_URL: `http://127.0.0.1:${port}` },
      stdio: "inherit",
    });
    test.once("exit", (c) => resolve(c ?? 1));
  });
  anvil.removeAllListeners("exit");
  anvil.kill("SIGTERM");
  process.exitCode = code;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
