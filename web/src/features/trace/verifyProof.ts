/**
 * Verifies a proof bundle in the browser with the same code as `scripts/verifyProofBundle.ts`, against
 * the chain through the API's read-only JSON-RPC relay (`POST /v1/chain/rpc`, with the session's cookie
 * and CSRF token): the bundle's events, blocks, signature and the debtor's registration are checked
 * against the node, not against the API's database. Loaded only when someone verifies.
 */
import { FetchRequest, JsonRpcProvider } from "ethers";
import { verifyProofBundle, type ProofBundle, type VerificationResult } from "../../../../server/domain/trace/proofBundle";
import { csrfHeader } from "../../lib/api/client";

export type { VerificationResult };

export async function verifyInBrowser(bundle: ProofBundle): Promise<VerificationResult> {
  const request = new FetchRequest(`${globalThis.location.origin}/v1/chain/rpc`);
  for (const [name, value] of Object.entries(csrfHeader())) request.setHeader(name, value);
  // One call per request (the relay takes no batches); the chain id the bundle names is checked by the verifier.
  const provider = new JsonRpcProvider(request, undefined, { batchMaxCount: 1 });
  try {
    return await verifyProofBundle(bundle, provider);
  } finally {
    provider.destroy();
  }
}
