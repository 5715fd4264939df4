// Starts and stops Foundry's anvil (the `@foundry-rs/anvil` npm package ships the binary), the second
// Ethereum node implementation: on a free port, stopped by its process id. Used by tests, `npm run
// test:anvil` and `BENCH_NODE=anvil`; a consortium chain is reached through RPC_URL instead.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ANVIL = path.resolve(__dirname, "..", "..", "node_modules", ".bin", "anvil");

export interface Anvil {
  url: string;
  port: number;
  process: ChildProcess;
  /** JSON-RPC straight to the node (anvil_* and evm_* methods included). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts anvil on 127.0.0.1 at a free port; `args` are extra flags (e.g. `--timestamp`, `--chain-id`,
 * `--block-time 1` for interval mining instead of a block per transaction).
 */
export async function startAnvil(args: string[] = []): Promise<Anvil> {
  const child = spawn(ANVIL, ["--host", "127.0.0.1", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  // The port anvil bound is in its banner ("Listening on 127.0.0.1:PORT"; --silent would hide it).
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`anvil did not start: ${out}`)), 20_000);
    const fail = (e: unknown) => {
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(`anvil exited (${String(e)}): ${out}`));
    };
    child.once("error", fail);
    child.once("exit", fail);
    const onData = (b: Buffer) => {
      out += b.toString("utf8");
      const m = /Listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.off("exit", fail);
        // Keep draining its output (a full pipe would block anvil) without keeping it.
        child.stdout.off("data", onData).resume();
        child.stderr.off("data", onData).resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  let id = 0;
  return {
    url,
    port,
    process: child,
    async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
      });
      const body = (await response.json()) as { result?: T; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result as T;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
