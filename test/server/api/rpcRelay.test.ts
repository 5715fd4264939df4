/**
 * The read-only JSON-RPC relay (`POST /v1/chain/rpc`) the web app verifies proof bundles through: the
 * shared verifier passes a genuine bundle and fails a tampered one over plain HTTP through the API, and
 * the relay answers nothing beyond what the verifier needs (need to know).
 */
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { ethers } from "hardhat";
import request from "supertest";
import { verifyProofBundle, type ProofBundle } from "../../../server/domain/trace/proofBundle";
import { bearer, confirmedReceivable, createWorld, UNIT, type Actor, type World } from "./world";

describe("API: the read-only JSON-RPC relay for proof verification", function () {
  let w: World;
  let server: http.Server;
  let rootId: string;
  const rpc = (actor: Actor | undefined, body: object) => {
    const r = request(w.h.app).post("/v1/chain/rpc");
    return (actor === undefined ? r : r.set(...bearer(actor))).send({ jsonrpc: "2.0", id: 1, ...body });
  };
  /** The provider a browser builds: JSON-RPC over HTTP to the API, one call per request, with the caller's credential. */
  const relayProvider = (actor: Actor) => {
    const req = new FetchRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chain/rpc`);
    req.setHeader("Authorization", `Bearer ${actor.auth}`);
    return new JsonRpcProvider(req, Network.from(31337), { staticNetwork: true, batchMaxCount: 1 });
  };

  before(async function () {
    w = await createWorld();
    server = http.createServer(w.h.app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    rootId = await confirmedReceivable(w, { amount: 500_000n * UNIT });
    await request(w.h.app).post(`/v1/receivables/${rootId}/split`).set(...bearer(w.tier1)).set("Idempotency-Key", "relay-split").send({ amount: (1_000n * UNIT).toString() }).expect(201);
  });
  after(async function () {
    await new Promise((r) => server?.close(r));
    await w?.close();
  });

  it("lets the holder verify its proof bundle through the API with the shared verifier, and fails a tampered one", async function () {
    const bundle = (await request(w.h.app).get(`/v1/receivables/${rootId}/proof`).set(...bearer(w.tier1)).expect(200)).body as ProofBundle;
    const provider = relayProvider(w.tier1);
    try {
      const result = await verifyProofBundle(bundle, provider);
      expect(result.failures).to.deep.equal([]);
      expect(result.ok).to.equal(true);
      expect(result.checked.join("\n")).to.contain("registered core enterprise");
      const tampered = JSON.parse(JSON.stringify(bundle)) as ProofBundle;
      tampered.invoice.amount = (BigInt(tampered.invoice.amount) + 1n).toString();
      const refused = await verifyProofBundle(tampered, provider);
      expect(refused.ok).to.equal(false);
      expect(refused.failures).to.not.deep.equal([]);
    } finally {
      provider.destroy();
    }
  });

  it("answers a block without its transaction list, which would lead to everyone else's transactions", async function () {
    const head = await ethers.provider.getBlockNumber();
    const res = await rpc(w.tier2, { method: "eth_getBlockByNumber", params: [`0x${head.toString(16)}`, true] }).expect(200);
    expect(res.body.result.hash).to.equal((await ethers.provider.getBlock(head))!.hash);
    expect(res.body.result.transactions).to.deep.equal([]);
  });

  it("relays eth_call only to the ledger's organisationOf", async function () {
    const ledger = w.ctx.chain.ledger;
    const ok = await rpc(w.tier2, { method: "eth_call", params: [{ to: w.addresses.ledger, data: ledger.interface.encodeFunctionData("organisationOf", [w.core.address]) }, "latest"] }).expect(200);
    expect(ledger.interface.decodeFunctionResult("organisationOf", ok.body.result as string)[0].role).to.equal(1n);
    // Another function of the ledger, or another contract (someone's cash balance): refused.
    const balance = w.cash.interface.encodeFunctionData("balanceOf", [w.bankA.address]);
    for (const call of [{ to: w.currency, data: balance }, { to: w.addresses.ledger, data: ledger.interface.encodeFunctionData("receivableOf", [BigInt(rootId)]) }]) {
      const res = await rpc(w.tier2, { method: "eth_call", params: [call, "latest"] }).expect(403);
      expect(res.body.error.code).to.equal("RpcCallNotRelayed");
    }
  });

  it("refuses every method the verifier does not need, and anyone without a credential", async function () {
    for (const method of ["eth_getLogs", "eth_sendRawTransaction", "eth_getBalance", "debug_traceTransaction", "hardhat_mine"]) {
      const res = await rpc(w.tier2, { method, params: [] }).expect(400);
      expect(res.body.error.code, method).to.equal("ValidationFailed");
    }
    await rpc(undefined, { method: "eth_chainId" }).expect(401);
  });

  it("reports the node's own JSON-RPC error as JSON-RPC does", async function () {
    const res = await rpc(w.tier2, { method: "eth_getTransactionReceipt", params: ["not-a-hash"] }).expect(200);
    expect(res.body.error.code).to.be.a("number");
    expect(res.body.result).to.equal(undefined);
  });
});
