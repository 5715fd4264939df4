// Starts and stops a local Hardhat JSON-RPC node as a child process.
// Used by `npm start` (the embedded system) and by benchmarks; never by production deployments,
// which point RPC_URL at a real network instead.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { JsonRpcProvider } from "ethers";

export interface LocalNode {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartLocalNodeOptions {
  port: number;
  /** Milliseconds to wait for the node to answer eth_chainId. */
  readyTimeoutMs?: number;
  /** Forward the node's own log lines to this process's stderr. */
  verbose?: boolean;
  /** The chain's clock at its genesis (default: now); later blocks follow the wall clock from there. */
  initialDate?: Date;
}

const HARDHAT_BIN = path.join(__dirname, "..", "..", "node_modules", ".bin", "hardhat");

export async function startLocalNode({ port, readyTimeoutMs = 60_000, verbose = false, initialDate }: StartLocalNodeOptions): Promise<LocalNode> {
  const url = `http://127.0.0.1:${port}`;
  await assertPortFree(url);
  const child = spawn(HARDHAT_BIN, ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: path.join(__dirname, "..", ".."),
    env: initialDate === undefined ? process.env : { ...process.env, LEDGERLINE_CHAIN_INITIAL_DATE: initialDate.toISOString() },
    stdio: ["ignore", verbose ? "inherit" : "pipe", "inherit"],
  });
  // Drain stdout so the node never blocks on a full pipe.
  child.stdout?.resume();
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`the local Hardhat node exited before answering on ${url}`);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the local Hardhat node did not answer on ${url} within ${readyTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    url,
    process: child,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await done;
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

async function assertPortFree(url: string): Promise<void> {
  if (await answers(url)) {
    throw new Error(`something already answers JSON-RPC on ${url}; stop it or set CHAIN_PORT to another port`);
  }
}

/** A TCP port nothing listens on right now (for nodes and servers started by tests and benchmarks). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The chain never changes under a local node, so the provider detects the network once instead of per call. */
export function localProvider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 200 });
}

/**
 * Moves a development node's clock forward to the wall clock if it is behind (never back: block
 * timestamps only grow). Returns the chain's and the wall clock's time afterwards, in unix seconds.
 */
export async function alignChainClock(provider: JsonRpcProvider): Promise<{ chain: number; wall: number }> {
  const wall = Math.floor(Date.now() / 1000);
  const latest = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  if (Number(latest.timestamp) < wall) {
    await provider.send("evm_setNextBlockTimestamp", [wall]);
    await provider.send("evm_mine", []);
  }
  const after = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  return { chain: Number(after.timestamp), wall: Math.floor(Date.now() / 1000) };
}
