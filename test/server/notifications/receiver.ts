/**
 * A real HTTP webhook receiver for the tests, on 127.0.0.1 and a free port: records every request (headers
 * and raw body) and answers as told — a status, or never (to hold a delivery in flight).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac, timingSafeEqual } from "node:crypto";

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; organisation: string; data: Record<string, unknown>; retracts: string | null; chain: unknown };
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The status to answer with, or "hang" to keep the request open. */
  answer: number | "hang";
  /** Resolves with the first request (already received or arriving) that `pred` accepts. */
  waitFor(pred: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const hanging = new Set<http.ServerResponse>();
  const state: Receiver = {
    url: "",
    received,
    answer: 200,
    async waitFor(pred, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`receiver: nothing matching within ${timeoutMs} ms (received ${received.length}: ${received.map((r) => r.json.type).join(", ")})`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 50);
          waiters.add(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body, json: JSON.parse(body) as Received["json"] });
      for (const w of [...waiters]) w();
      waiters.clear();
      if (state.answer === "hang") {
        hanging.add(res);
        return;
      }
      res.statusCode = state.answer;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return state;
}

/**
 * The signature check a receiver writes from the documentation alone — node:crypto, not the server's
 * module: `Ledgerline-Signature: t=<seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, t within 5 minutes.
 */
export function independentlyVerified(secret: string, header: string | string[] | undefined, body: string): boolean {
  if (typeof header !== "string") return false;
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  const mac = createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(`${m[1]}.${body}`, "utf8")).digest();
  return timingSafeEqual(mac, Buffer.from(m[2]!, "hex"));
}
