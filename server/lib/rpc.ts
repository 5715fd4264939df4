// A minimal JSON-RPC client for the indexer: raw headers and logs (no ethers object wrapping on the
// hot path), JSON-RPC batches over HTTP, a timeout per request, and every failure classified as
// retryable (the node is down or slow), "range too large" (ask for fewer blocks) or a plain error.
// Anything with `send(method, params)` works as a transport: ethers' JsonRpcProvider, Hardhat's
// in-process `network.provider`, or createHttpTransport below.
import { InconsistentReadError, RangeTooLargeError, RetryableError } from "./errors";
import { quantityToNumber, toQuantity } from "./encode";
import { redactUrl, redactUrlsIn } from "./redact";

export interface RpcTransport {
  send(method: string, params: unknown[]): Promise<unknown>;
  /** Optional: many calls in one round trip. */
  sendBatch?(calls: { method: string; params: unknown[] }[]): Promise<unknown[]>;
}

export interface RawBlockHeader {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  logsBloom: string;
}

export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: bigint;
  logsBloom: string;
}

class JsonRpcResponseError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/** HTTP JSON-RPC with a per-request timeout and batching. */
export function createHttpTransport(url: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): RpcTransport {
  let id = 0;
  // Error messages name the endpoint without its key (they reach logs, last_error and /ready).
  const where = redactUrl(url);
  const attempt = (body: unknown) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  async function post(body: unknown): Promise<unknown> {
    let res: Response;
    try {
      try {
        res = await attempt(body);
      } catch (e) {
        // A kept-alive connection the server closed just as we reused it: every call here is a
        // read, so one immediate retry on a fresh connection is safe and saves a backoff.
        if (!/other side closed|ECONNRESET|socket hang up/i.test(String((e as Error & { cause?: unknown }).cause ?? e))) throw e;
        res = await attempt(body);
      }
    } catch (e) {
      const reason = (e as Error).cause ? String((e as Error & { cause: unknown }).cause) : (e as Error).message;
      throw new RetryableError(`RPC ${where} unreachable: ${redactUrlsIn(reason)}`);
    }
    if (!res.ok) throw new RetryableError(`RPC ${where} answered HTTP ${res.status}`);
    try {
      return await res.json();
    } catch {
      throw new RetryableError(`RPC ${where} sent a malformed response`);
    }
  }
  const unwrap = (r: { result?: unknown; error?: { code?: number; message?: string } }) => {
    if (r.error) throw new JsonRpcResponseError(r.error.message ?? "JSON-RPC error", r.error.code);
    return r.result;
  };
  return {
    async send(method, params) {
      return unwrap((await post({ jsonrpc: "2.0", id: ++id, method, params })) as never);
    },
    async sendBatch(calls) {
      if (calls.length === 0) return [];
      const first = id + 1;
      const body = calls.map((c) => ({ jsonrpc: "2.0", id: ++id, method: c.method, params: c.params }));
      const out = (await post(body)) as { id: number }[];
      if (!Array.isArray(out)) return [unwrap(out)];
      const byId = new Map(out.map((r) => [r.id, r]));
      return calls.map((_, i) => {
        const r = byId.get(first + i);
        if (!r) throw new RetryableError("RPC batch answer is missing a response");
        return unwrap(r as never);
      });
    },
  };
}

const RANGE_HINTS = /range|limit|too many|exceed|max.*results|response size|query timeout|block count/i;

/** Turns whatever a transport threw into the indexer's error kinds. */
export function classifyRpcError(e: unknown, method: string): Error {
  if (e instanceof RetryableError) return e;
  const err = e as { message?: string; code?: number | string };
  const message = String(err?.message ?? e);
  if (method === "eth_getLogs" && (err?.code === -32005 || RANGE_HINTS.test(message))) {
    return new RangeTooLargeError(`eth_getLogs refused the range: ${redactUrlsIn(message)}`, e);
  }
  // Everything else from the node (busy, internal error, connection reset) is worth retrying;
  // the indexer's backoff keeps a permanent failure visible in the logs without skipping a block.
  return new RetryableError(`RPC ${method} failed: ${redactUrlsIn(message)}`, e);
}

export interface Rpc {
  blockNumber(): Promise<number>;
  chainId(): Promise<number>;
  /** null when the chain has no such block (it is shorter). */
  header(number: number): Promise<BlockHeader | null>;
  headers(numbers: number[]): Promise<(BlockHeader | null)[]>;
  logsInRange(from: number, to: number, addresses: string[]): Promise<RawLog[]>;
  logsOfBlock(blockHash: string, addresses: string[]): Promise<RawLog[]>;
}

function toHeader(raw: RawBlockHeader | null): BlockHeader | null {
  if (!raw) return null;
  return {
    number: quantityToNumber(raw.number),
    hash: raw.hash.toLowerCase(),
    parentHash: raw.parentHash.toLowerCase(),
    timestamp: BigInt(raw.timestamp),
    logsBloom: raw.logsBloom,
  };
}

export function createRpc(transport: RpcTransport): Rpc {
  const call = async <T>(method: string, params: unknown[]): Promise<T> => {
    try {
      return (await transport.send(method, params)) as T;
    } catch (e) {
      throw classifyRpcError(e, method);
    }
  };
  const batch = async <T>(calls: { method: string; params: unknown[] }[]): Promise<T[]> => {
    if (transport.sendBatch && calls.length > 1) {
      try {
        return (await transport.sendBatch(calls)) as T[];
      } catch (e) {
        throw classifyRpcError(e, calls[0]!.method);
      }
    }
    const out: T[] = [];
    for (const c of calls) out.push(await call<T>(c.method, c.params));
    return out;
  };
  return {
    async blockNumber() {
      return quantityToNumber(await call<string>("eth_blockNumber", []));
    },
    async chainId() {
      return quantityToNumber(await call<string>("eth_chainId", []));
    },
    async header(n) {
      return toHeader(await call<RawBlockHeader | null>("eth_getBlockByNumber", [toQuantity(n), false]));
    },
    async headers(numbers) {
      const out: (BlockHeader | null)[] = [];
      // Bounded batches: some nodes cap batch size.
      for (let i = 0; i < numbers.length; i += 500) {
        const chunk = numbers.slice(i, i + 500);
        const raws = await batch<RawBlockHeader | null>(chunk.map((n) => ({ method: "eth_getBlockByNumber", params: [toQuantity(n), false] })));
        out.push(...raws.map(toHeader));
      }
      return out;
    },
    async logsInRange(from, to, addresses) {
      return call<RawLog[]>("eth_getLogs", [{ fromBlock: toQuantity(from), toBlock: toQuantity(to), address: addresses }]);
    },
    async logsOfBlock(blockHash, addresses) {
      try {
        return await call<RawLog[]>("eth_getLogs", [{ blockHash, address: addresses }]);
      } catch (e) {
        // The block left the chain between reading its header and its logs.
        if (/unknown block|not found|cannot find/i.test((e as Error).message)) throw new InconsistentReadError(`block ${blockHash} vanished while reading its logs`);
        throw e;
      }
    },
  };
}

/** Whether a block's logs bloom may contain a log of one of `addresses` (false positives possible, no false negatives). */
export function bloomMayContain(logsBloom: string, addresses: string[], keccak: (hex: string) => string): boolean {
  const bloom = logsBloom.slice(2);
  if (/^0*$/.test(bloom)) return false;
  return addresses.some((a) => {
    const h = keccak(a).slice(2);
    for (let i = 0; i < 6; i += 2) {
      const bit = parseInt(h.slice(i * 2, i * 2 + 4), 16) & 0x7ff;
      // Bit 0 is the last bit of the 256-byte big-endian bloom.
      const byte = 255 - (bit >> 3);
      const value = parseInt(bloom.slice(byte * 2, byte * 2 + 2), 16);
      if ((value & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  });
}
