/**
 * A read-only JSON-RPC relay to the API's chain node, so that a browser can verify a proof bundle against
 * the chain with the same code as `scripts/verifyProofBundle.ts` (the web app's "verify" button): the
 * bundle is checked against the node's blocks, receipts and the registry's state, not against our
 * database. (For a check independent of this server too, run the script against a node of your own.)
 *
 * Need to know holds: only the methods the verifier needs are relayed; a transaction or receipt is
 * answered only to whoever already holds its hash; a block is answered without its transaction list
 * (which would lead to every other organisation's transactions); `eth_call` reaches only the ledger's
 * `organisationOf` (what the directory shows anyway).
 */
import { z } from "zod";
import { defineRoute, type AnyRoute } from "../../api/route";
import { ACCESS_ROLES } from "../../auth/principal";
import { ChainUnavailableError, ForbiddenError } from "../../lib/appErrors";
import type { DomainContext } from "../context";

const RELAYED = ["eth_chainId", "net_version", "eth_blockNumber", "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_call"] as const;

const RpcRequest = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.number().int(), z.string().max(64)]),
    method: z.enum(RELAYED).meta({ description: "one of the read methods a proof bundle's verification needs" }),
    params: z.array(z.unknown()).max(3).default([]),
  })
  .strict()
  .meta({ id: "JsonRpcRequest" });

const RpcResponse = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.number().int(), z.string()]),
    result: z.unknown().optional(),
    error: z.object({ code: z.number().int(), message: z.string() }).optional(),
  })
  .meta({ id: "JsonRpcResponse" });

interface Sender {
  send(method: string, params: unknown[]): Promise<unknown>;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

/** The node's JSON-RPC error (a revert, a bad parameter), as JSON-RPC reports it. */
function rpcErrorOf(err: unknown): { code: number; message: string } | undefined {
  const e = err as { error?: { code?: unknown; message?: unknown }; info?: { error?: { code?: unknown; message?: unknown } }; code?: unknown; message?: unknown; shortMessage?: unknown };
  // ethers' JsonRpcProvider keeps the node's error inside; an EIP-1193 provider throws it as it is.
  const inner = e.error ?? e.info?.error ?? e;
  if (typeof inner.code === "number") return { code: inner.code, message: text(inner.message) };
  if (e.code === "CALL_EXCEPTION") return { code: 3, message: text(e.shortMessage) || "execution reverted" };
  return undefined;
}

export function rpcRelayRoute(ctx: DomainContext): AnyRoute {
  const ledger = ctx.chain.addresses.ledger.toLowerCase();
  const organisationOf = ctx.chain.ledger.interface.getFunction("organisationOf").selector;
  return defineRoute({
    method: "post",
    path: "/v1/chain/rpc",
    operationId: "chainRpc",
    summary: "Read-only JSON-RPC to the chain node, limited to what verifying a proof bundle needs (blocks without their transaction lists; eth_call only to the ledger's organisationOf)",
    tags: ["system"],
    access: { kind: "authenticated", roles: ACCESS_ROLES, duty: "any" },
    body: RpcRequest,
    response: { status: 200, description: "The node's JSON-RPC answer (a node error as its JSON-RPC `error`)", schema: RpcResponse },
    errors: [503],
    handler: async ({ body }) => {
      const params = [...body.params];
      if (body.method === "eth_call") {
        const call = params[0] as { to?: unknown; data?: unknown; input?: unknown } | undefined;
        const data = text(call?.data) || text(call?.input);
        if (text(call?.to).toLowerCase() !== ledger || !data.startsWith(organisationOf)) {
          throw new ForbiddenError("RpcCallNotRelayed", "the relay answers eth_call only for the ledger's organisationOf");
        }
      }
      // A block's transactions as hashes at most, and then dropped below.
      if (body.method === "eth_getBlockByNumber" || body.method === "eth_getBlockByHash") params[1] = false;
      const provider = ctx.chain.provider as unknown as Partial<Sender>;
      if (typeof provider.send !== "function") throw new ChainUnavailableError("this API's chain connection cannot relay JSON-RPC");
      let result: unknown;
      try {
        result = await provider.send.call(provider, body.method, params);
      } catch (err) {
        const error = rpcErrorOf(err);
        if (error === undefined) throw new ChainUnavailableError("the chain node does not answer", err);
        return { jsonrpc: "2.0" as const, id: body.id, error };
      }
      if ((body.method === "eth_getBlockByNumber" || body.method === "eth_getBlockByHash") && result !== null && typeof result === "object") {
        result = { ...(result as Record<string, unknown>), transactions: [] };
      }
      return { jsonrpc: "2.0" as const, id: body.id, result: result ?? null };
    },
  });
}
