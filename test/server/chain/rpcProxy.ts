// A JSON-RPC proxy for tests: an HTTP endpoint in front of any node (Hardhat's in-process provider or
// another node's URL) that counts what it is asked, can rewrite answers (a node that lies, e.g. about a
// block's parent hash) and can be pointed at another node while clients stay connected (a node reset).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RpcTransport } from "../../../server/lib/rpc";

export type Rewrite = (method: string, params: unknown[], result: unknown) => unknown;

export interface RpcProxy {
  url: string;
  /** Requests by JSON-RPC method since the last reset (a batch counts each call). */
  counts: Map<string, number>;
  total(): number;
  resetCounts(): void;
  /** Changes the answer of every later call; `undefined` stops rewriting. */
  rewrite: Rewrite | undefined;
  /** Sends every later call to another node. */
  upstream: RpcTransport;
  close(): Promise<void>;
}

interface Call {
  jsonrpc: "2.0";
  id: unknown;
  method: string;
  params?: unknown[];
}

export async function startRpcProxy(upstream: RpcTransport): Promise<RpcProxy> {
  const proxy = {
    counts: new Map<string, number>(),
    rewrite: undefined as Rewrite | undefined,
    upstream,
  };
  const answer = async (c: Call) => {
    proxy.counts.set(c.method, (proxy.counts.get(c.method) ?? 0) + 1);
    const params = c.params ?? [];
    try {
      let result = await proxy.upstream.send(c.method, params);
      if (proxy.rewrite) result = proxy.rewrite(c.method, params, result);
      return { jsonrpc: "2.0", id: c.id, result: result ?? null };
    } catch (e) {
      const err = e as { code?: unknown; message?: string };
      return { jsonrpc: "2.0", id: c.id, error: { code: typeof err.code === "number" ? err.code : -32000, message: err.message ?? String(e) } };
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Call | Call[];
        const out = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(out, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      })().catch((e: unknown) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    total: () => [...proxy.counts.values()].reduce((a, b) => a + b, 0),
    resetCounts: () => proxy.counts.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Rewrites the header of block `number` (as eth_getBlockByNumber / eth_getBlockByHash return it). */
export function rewriteBlock(number: number, change: (block: Record<string, unknown>) => Record<string, unknown>): Rewrite {
  return (method, _params, result) => {
    if (!method.startsWith("eth_getBlockBy") || result === null || typeof result !== "object") return result;
    const block = result as Record<string, unknown>;
    return Number(block.number) === number ? change({ ...block }) : result;
  };
}
