// `npm run bench:web`: builds the web app and prints what its first load costs (JS + CSS, gzip) against
// the 250 KB budget, and the lazily loaded chunks.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { FIRST_LOAD_BUDGET_BYTES, measureFirstLoad } from "./webSize";

const root = path.join(__dirname, "..");
execFileSync(process.execPath, [path.join(path.dirname(require.resolve("vite/package.json")), "bin", "vite.js"), "build", "web", "--logLevel", "error"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" },
});
const result = measureFirstLoad(path.join(root, "web", "dist"));
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log("first load (what index.html references):");
for (const f of result.files) console.log(`  ${f.file.padEnd(44)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzip).padStart(9)}`);
console.log(`  ${"total".padEnd(44)} ${"".padStart(10)}  gzip ${kb(result.totalGzip).padStart(9)}  (budget ${kb(FIRST_LOAD_BUDGET_BYTES)}: ${result.totalGzip <= FIRST_LOAD_BUDGET_BYTES ? "ok" : "OVER"})`);
console.log("loaded when needed:");
for (const f of result.lazy) console.log(`  ${f.file.padEnd(44)} gzip ${kb(f.gzip).padStart(9)}`);
if (result.totalGzip > FIRST_LOAD_BUDGET_BYTES) process.exitCode = 1;
