// Verifies a receivable's proof bundle (downloaded from GET /v1/receivables/{id}/proof) against any
// JSON-RPC node, with no access to Ledgerline's database:
//   npx ts-node --transpile-only scripts/verifyProofBundle.ts <bundle.json> [rpc-url]
// (rpc-url defaults to $RPC_URL or http://127.0.0.1:8545). Exits 0 when every check passes, 1 with
// the reasons otherwise.
import fs from "node:fs";
import { JsonRpcProvider } from "ethers";
import { verifyProofBundle, type ProofBundle } from "../server/domain/trace/proofBundle";

export { verifyProofBundle };

async function main(): Promise<void> {
  const [file, url = process.env.RPC_URL ?? "http://127.0.0.1:8545"] = process.argv.slice(2);
  if (file === undefined) {
    console.error("usage: verifyProofBundle <bundle.json> [rpc-url]");
    process.exit(2);
  }
  const bundle = JSON.parse(fs.readFileSync(file, "utf8")) as ProofBundle;
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: false });
  const result = await verifyProofBundle(bundle, provider);
  for (const line of result.checked) console.log(`ok    ${line}`);
  for (const line of result.failures) console.log(`FAIL  ${line}`);
  console.log(result.ok ? `VALID: receivable ${bundle.receivableId} traces to invoice ${bundle.invoice.invoiceHash}` : "INVALID");
  provider.destroy();
  process.exit(result.ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(2);
  });
}
