/**
 * The demo webhook receiver `npm start` runs next to the API: an HTTP server on 127.0.0.1 that checks each
 * delivery's `Ledgerline-Signature` with the subscription's secret (the way docs/api.md tells a receiver
 * to) and logs one line per delivery. `npm start` subscribes the demo core enterprise to every event type,
 * so confirming, offering, financing and repaying through the API or the web app shows up here.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifySignature, SIGNATURE_HEADER } from "../server/notifications/signature";

export interface DemoReceiver {
  url: string;
  /** The subscription's secret, set once it is created (deliveries before are logged as unverified). */
  secret: string | undefined;
  close(): Promise<void>;
}

export async function startDemoReceiver(o: { port: number; log: (line: string) => void }): Promise<DemoReceiver> {
  const receiver: DemoReceiver = {
    url: "",
    secret: undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = req.headers[SIGNATURE_HEADER.toLowerCase()];
      const ok = receiver.secret !== undefined && verifySignature({ secret: receiver.secret, header: typeof header === "string" ? header : undefined, body, nowSeconds: Math.floor(Date.now() / 1000) });
      if (!ok) {
        o.log(`webhook ✗ refused a delivery with a bad signature (${String(req.headers["ledgerline-event-id"] ?? "no event id")})`);
        res.statusCode = 400;
        res.end("bad signature");
        return;
      }
      const event = JSON.parse(body) as { id: string; type: string; data: Record<string, unknown>; retracts: string | null };
      const what = event.retracts !== null ? `retracts ${event.retracts}` : JSON.stringify(event.data);
      o.log(`webhook ← ${event.type} ${what.length > 160 ? `${what.slice(0, 157)}...` : what} (signature verified)`);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, "127.0.0.1", () => resolve());
  });
  server.unref();
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return receiver;
}
