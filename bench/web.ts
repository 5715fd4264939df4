// `npm run bench:web`: builds the web app and prints what its first load costs (JS + CSS, gzip) against
// the 250 KB budget, and the lazily loaded chunks; times the lineage layout in Node; then opens the
// holdings page and the lineage graph over 100,000 receivables in headless Chromium (bench/webPages.ts).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { benchWebPages, printPageFigures } from "./webPages";
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

// The lineage graph's layout of a 500-part tree (what the page computes before React Flow draws it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { layoutLineage } = require("../web/src/features/trace/layout") as typeof import("../web/src/features/trace/layout");
const parts: { id: string; parentId: string | null }[] = [{ id: (1n << 32n).toString(), parentId: null }];
for (let i = 1; i < 500; i++) parts.push({ id: ((1n << 32n) + BigInt(i)).toString(), parentId: parts[(i * 7919) % parts.length]!.id });
const runs: number[] = [];
for (let i = 0; i < 21; i++) {
  const started = process.hrtime.bigint();
  layoutLineage(parts);
  runs.push(Number(process.hrtime.bigint() - started) / 1e6);
}
runs.sort((a, b) => a - b);
console.log(`lineage layout, 500 parts (d3-hierarchy tidy tree, Node): median ${runs[10]!.toFixed(1)} ms, worst ${runs[20]!.toFixed(1)} ms of 21 runs`);

benchWebPages(path.join(root, "web", "dist"))
  .then((figures) => {
    if (!printPageFigures(figures)) process.exitCode = 1;
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
