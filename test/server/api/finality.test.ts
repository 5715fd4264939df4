/**
 * Issue 14 item 4: what a write's answer and the ids it created say while the indexer waits for
 * CONFIRMATIONS. On a chain that makes blocks only for transactions (this one), a block gains its
 * confirmations only when later blocks come: the answer names the block, follow-ups get a clear
 * 409 NotYetFinal naming it (to the write's parties; anyone else sees "not found"), and everything
 * works once the chain has moved on.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import request from "supertest";
import { bearer, createWorld, UNIT, type Actor, type World } from "./world";

describe("API: writes while the indexer waits for confirmations (CONFIRMATIONS=2)", function () {
  let w: World;
  let key = 0;
  const idem = () => `fin-${Date.now()}-${++key}`;
  const post = (actor: Actor, path: string, body: object = {}) => request(w.h.app).post(path).set(...bearer(actor)).set("Idempotency-Key", idem()).send(body);
  const get = (actor: { auth: string }, path: string) => request(w.h.app).get(path).set(...bearer(actor));
  /** Two more blocks, and the indexer catches up to head − 2: the blocks mined before them are now final. */
  const twoMoreBlocks = async () => {
    await ethers.provider.send("hardhat_mine", ["0x2"]);
    await w.indexer.syncTo();
  };

  before(async function () {
    w = await createWorld({ confirmations: 2 });
  });
  after(async function () {
    await w?.close();
  });

  it("tells every client how many confirmations the read views wait for", async function () {
    const chain = await request(w.h.app).get("/v1/chain").expect(200);
    expect(chain.body.confirmations).to.equal(2);
    expect(chain.body.indexedBlock).to.equal(chain.body.headBlock - 2);
  });

  it("answers a write at once with the block at which its effects are indexed, and follow-ups on what it created say which block they wait for", async function () {
    // The supplier registers: mined, not yet in the read views.
    const registered = await post(w.tier1, "/v1/invoices", {
      debtor: w.core.address,
      currency: w.currency,
      amount: (10_000n * UNIT).toString(),
      maturity: Number((await ethers.provider.getBlock("latest"))!.timestamp) + 90 * 86_400,
      invoiceNumber: "FIN-1",
    }).expect(201);
    expect(registered.body).to.include({ indexed: false, finalAtBlock: registered.body.blockNumber + 2 });
    const invoiceHash = registered.body.invoiceHash as string;

    // The debtor confirms at once: told which block the registration waits for, nothing sent.
    const early = await post(w.core, `/v1/invoices/${invoiceHash}/confirm`).expect(409);
    expect(early.body.error.code).to.equal("NotYetFinal");
    expect(early.body.error.details).to.include({ id: invoiceHash, blockNumber: registered.body.blockNumber, finalAtBlock: registered.body.finalAtBlock });
    expect(early.body.error.message).to.contain(`block ${registered.body.finalAtBlock}`);
    // An organisation that is no party sees nothing, as with any invoice it may not see.
    await get(w.tier3, `/v1/invoices/${invoiceHash}`).expect(404);

    await twoMoreBlocks();
    const confirmed = await post(w.core, `/v1/invoices/${invoiceHash}/confirm`).expect(201);
    expect(confirmed.body).to.include({ indexed: false, finalAtBlock: confirmed.body.blockNumber + 2 });
    const rootId = confirmed.body.rootId as string;

    // The new receivable: its parties (the supplier holding it, the debtor that confirmed it) and the
    // auditor are told it is not final yet; a split by the holder is refused the same way, unsent.
    for (const actor of [w.tier1, w.core, w.auditor]) {
      const res = await get(actor, `/v1/receivables/${rootId}`).expect(409);
      expect(res.body.error.code, actor.name).to.equal("NotYetFinal");
      expect(res.body.error.details).to.include({ id: rootId, blockNumber: confirmed.body.blockNumber, finalAtBlock: confirmed.body.finalAtBlock });
    }
    const nonce = await ethers.provider.getTransactionCount(w.tier1.address);
    const split = await post(w.tier1, `/v1/receivables/${rootId}/split`, { amount: (1_000n * UNIT).toString() }).expect(409);
    expect(split.body.error.code).to.equal("NotYetFinal");
    expect(await ethers.provider.getTransactionCount(w.tier1.address), "nothing was sent").to.equal(nonce);
    // Anyone else: "not found", not even that it exists.
    for (const actor of [w.tier3, w.bankA]) expect((await get(actor, `/v1/receivables/${rootId}`).expect(404)).body.error.code).to.equal("NotFound");
    // An id nobody minted stays "not found" for its would-be parties too.
    await get(w.tier1, `/v1/receivables/${BigInt(rootId) + (1n << 40n)}`).expect(404);

    await twoMoreBlocks();
    const root = await get(w.tier1, `/v1/receivables/${rootId}`).expect(200);
    expect(root.body).to.include({ id: rootId, holder: w.tier1.address });
    const later = await post(w.tier1, `/v1/receivables/${rootId}/split`, { amount: (1_000n * UNIT).toString() }).expect(201);
    expect(later.body.indexed).to.equal(false);
    await twoMoreBlocks();
    await get(w.tier1, `/v1/receivables/${later.body.childId}`).expect(200);

    // While the indexer is far behind (catching up, not waiting for confirmations), an id missing from the
    // read views is "not found" without asking the node to scan the long unindexed range.
    const another = await post(w.tier1, `/v1/receivables/${rootId}/split`, { amount: (1_000n * UNIT).toString() }).expect(201);
    await get(w.tier1, `/v1/receivables/${another.body.childId}`).expect(409);
    // 1,001 blocks, not indexed (one by one: Hardhat's hardhat_mine of many blocks leaves them unlinked).
    for (let i = 0; i < 1_001; i++) await ethers.provider.send("evm_mine", []);
    await get(w.tier1, `/v1/receivables/${another.body.childId}`).expect(404);
    await w.indexer.syncTo();
    await get(w.tier1, `/v1/receivables/${another.body.childId}`).expect(200);
  });
});
