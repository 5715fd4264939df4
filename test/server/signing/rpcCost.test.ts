/**
 * What a burst of writes by one key costs the node (issue 9's write benchmark): a key's broadcasts go
 * out in rounds — everything committed while the previous round was on the wire, together — and a
 * waiting request asks for its receipt once, then only when a new block carries its transaction. Counted
 * on the JSON-RPC calls the signer registry makes to a real (in-process Hardhat) chain.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BrowserProvider, Wallet, type Eip1193Provider } from "ethers";
import { openDatabase, type Db } from "../../../server/db/client";
import { createSignerRegistry, type SignerRegistry } from "../../../server/signing/signers";
import { freshDatabase, type FreshDatabase } from "../db/fresh";

describe("signers: what a burst of writes by one key costs the node", function () {
  const calls = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  // Every call counted; a broadcast is held 100 ms on its way (a node across a network), so that what a
  // round does while one is on the wire shows.
  const counting: Eip1193Provider = {
    async request({ method, params }: { method: string; params?: unknown[] | Record<string, unknown> }) {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      if (method !== "eth_sendRawTransaction") return network.provider.request({ method, params: params });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 100));
        return await network.provider.request({ method, params: params });
      } finally {
        inFlight--;
      }
    },
  };
  let fresh: FreshDatabase;
  let db: Db;
  let registry: SignerRegistry;
  const key = Wallet.createRandom();
  const recipient = Wallet.createRandom().address;

  before(async function () {
    fresh = await freshDatabase("sqlite", "rpccost");
    db = await openDatabase({ url: fresh.url });
    await network.provider.request({ method: "hardhat_setBalance", params: [key.address, "0x56BC75E2D63100000"] });
    const provider = new BrowserProvider(counting, 31337, { staticNetwork: true, cacheTimeout: -1 });
    registry = createSignerRegistry({
      provider,
      organisations: new Map([[key.address.toLowerCase(), key]]),
      interfaces: [],
      sql: db.sql,
      chain: { chainKey: "31337:rpc-cost", chainId: 31337n },
      pollMs: 50,
      sweepMs: 0,
    });
  });
  after(async function () {
    await network.provider.request({ method: "evm_setAutomine", params: [true] });
    registry?.close();
    await db?.close();
    await fresh?.drop();
  });

  const burst = (n: number) => Array.from({ length: n }, () => registry.send(key.address, (s) => s.sendTransaction({ to: recipient, value: 1n })));

  it("broadcasts a burst in rounds, not one round trip per transaction, and every nonce lands once", async function () {
    calls.clear();
    maxInFlight = 0;
    const sent = await Promise.all(burst(10));
    // Automining, a transaction that reaches the node before the one with the previous nonce is refused
    // and sent again (one by one, in nonce order): a few more broadcasts than transactions.
    expect(calls.get("eth_sendRawTransaction")).to.be.within(10, 20);
    // One by one, at most one broadcast would ever be on the wire.
    expect(maxInFlight).to.be.greaterThan(1);
    const nonces = await Promise.all(sent.map(async (s) => (await network.provider.request({ method: "eth_getTransactionByHash", params: [s.txHash] }) as { nonce: string }).nonce));
    expect(new Set(nonces).size).to.equal(10);
  });

  it("asks for each receipt once while it waits and once when a block carries it, however long the wait", async function () {
    await network.provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      const before = calls.get("eth_sendRawTransaction") ?? 0;
      const pending = burst(10);
      // Wait until all ten are in the node's pool, then let 40 polls go by without a block.
      for (let i = 0; i < 200 && (calls.get("eth_sendRawTransaction") ?? 0) < before + 10; i++) await new Promise((r) => setTimeout(r, 20));
      calls.delete("eth_getTransactionReceipt");
      await new Promise((r) => setTimeout(r, 2_000));
      await network.provider.request({ method: "evm_mine", params: [] });
      const sent = await Promise.all(pending);
      expect(new Set(sent.map((s) => s.blockNumber)).size).to.equal(1);
      expect(calls.get("eth_getTransactionReceipt") ?? 0).to.be.at.most(20);
    } finally {
      await network.provider.request({ method: "evm_setAutomine", params: [true] });
    }
  });
});
