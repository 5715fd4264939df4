/**
 * A retried write never moves money twice (issue 9, item 9) and a stored answer is bound to the chain
 * it was given on (item 2): once a transaction is sent, the Idempotency-Key stays bound to it (hash and
 * nonce are recorded before the broadcast); a retry after a 503 or a crash reports that transaction's
 * outcome; answers from another chain are not replayed; failures that depend on state are not stored;
 * records expire after the retention period.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { bearer, confirmedReceivable, createWorld, UNIT, type World } from "./world";

let n = 0;
const idem = (label: string) => `${label}-${++n}-${Date.now()}`;

for (const dialect of testDialects()) describe(`API: a retried write never sends twice (${dialect})`, function () {
  let w: World;
  let maturity: number;

  before(async function () {
    // Requests give up waiting for a receipt after 1.5 s, so a chain that stops mining answers 503 quickly.
    w = await createWorld({ dialect, signerOptions: { receiptTimeoutMs: 1_500, staleMs: 500 } });
    const rootId = await confirmedReceivable(w, { amount: 1_000_000n * UNIT, maturityInDays: 120 });
    maturity = (await request(w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(w.tier1))).body.maturity as number;
  });
  after(async function () {
    await network.provider.send("evm_setAutomine", [true]);
    await w?.close();
  });

  const deposit = (key: string, amount: bigint) =>
    request(w.h.app)
      .post("/v1/settlement/deposits")
      .set(...bearer(w.core))
      .set("Idempotency-Key", key)
      .send({ currency: w.currency, maturity, amount: (amount * UNIT).toString() });
  const deposited = async () => {
    const pools = await request(w.h.app).get("/v1/settlement/pools").set(...bearer(w.core));
    return BigInt(pools.body.items.find((p: { maturity: number }) => p.maturity === maturity)?.deposited ?? "0");
  };
  const boundTo = (key: string) =>
    w.db.sql.query<{ tx_hash: string; nonce: string | number }>(`SELECT "tx_hash", "nonce" FROM "signer_transaction" WHERE "idempotency_key" = ?`, [key]);

  /** Sends a deposit while the chain does not mine: it is broadcast, then the request answers 503. */
  async function depositThat503s(key: string, amount: bigint) {
    await network.provider.send("evm_setAutomine", [false]);
    try {
      const res = await deposit(key, amount);
      expect(res.status, JSON.stringify(res.body)).to.equal(503);
      expect(res.body.error.code).to.equal("TransactionNotYetMined");
      return res.body.error.details.txHash as string;
    } finally {
      await network.provider.send("evm_mine", []);
      await network.provider.send("evm_setAutomine", [true]);
    }
  }

  it("a broadcast-then-503 retry does not send twice", async function () {
    const key = idem("deposit");
    const before = await deposited();
    const txHash = await depositThat503s(key, 10_000n);
    // The key was bound to the transaction before it was broadcast.
    expect((await boundTo(key)).map((r) => r.tx_hash)).to.deep.equal([txHash]);

    const retry = await deposit(key, 10_000n);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    expect(retry.body.txHash).to.equal(txHash);
    expect(await deposited()).to.equal(before + 10_000n * UNIT);
    // And from now on the answer is stored: replayed, still one transaction.
    const again = await deposit(key, 10_000n);
    expect(again.status).to.equal(201);
    expect(again.headers["idempotent-replayed"]).to.equal("true");
    expect(again.body.txHash).to.equal(txHash);
    expect(await boundTo(key)).to.have.length(1);
    expect(await deposited()).to.equal(before + 10_000n * UNIT);
  });

  it("recovers a PENDING record left by a crash from its stored transaction", async function () {
    const key = idem("crash");
    const before = await deposited();
    const txHash = await depositThat503s(key, 7_000n);
    // What a process killed after broadcasting leaves: the record PENDING, its request long gone.
    await w.db.sql.run(`UPDATE "idempotency_record" SET "state" = 'PENDING', "created_at_ms" = ? WHERE "key" = ?`, [Date.now() - 10 * 60_000, key]);
    const retry = await deposit(key, 7_000n);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    expect(retry.body.txHash).to.equal(txHash);
    expect(await deposited()).to.equal(before + 7_000n * UNIT);
  });

  it("answers 409 IdempotencyInProgress to a retry while the first request still waits for its transaction", async function () {
    const key = idem("inflight");
    const before = await deposited();
    await network.provider.send("evm_setAutomine", [false]);
    let first: Promise<request.Response> | undefined;
    try {
      first = deposit(key, 300n).then((r) => r);
      while ((await boundTo(key)).length === 0) await new Promise((r) => setTimeout(r, 20));
      const retry = await deposit(key, 300n);
      expect(retry.status, JSON.stringify(retry.body)).to.equal(409);
      expect(retry.body.error.code).to.equal("IdempotencyInProgress");
      const other = await deposit(key, 301n);
      expect(other.status).to.equal(422);
    } finally {
      await network.provider.send("evm_mine", []);
      await network.provider.send("evm_setAutomine", [true]);
    }
    expect((await first).status).to.equal(201);
    expect(await deposited()).to.equal(before + 300n * UNIT);
  });

  it("does not replay an answer given on another chain", async function () {
    const key = idem("chain");
    const first = await deposit(key, 1_000n);
    expect(first.status).to.equal(201);
    const before = await deposited();
    // The record as a previous chain (npm start again: a new genesis) would have left it.
    await w.db.sql.run(`UPDATE "idempotency_record" SET "chain" = ? WHERE "key" = ?`, [ethers.id("another chain"), key]);
    const retry = await deposit(key, 1_000n);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    expect(retry.headers["idempotent-replayed"]).to.equal(undefined);
    // On this chain the transaction still exists, bound to the key: reported, not sent again.
    expect(retry.body.txHash).to.equal(first.body.txHash);
    expect(await deposited()).to.equal(before);
  });

  it("does not replay an answer whose block a reorganisation replaced", async function () {
    const key = idem("reorg");
    const first = await deposit(key, 500n);
    expect(first.status).to.equal(201);
    // The block the answer reports is no longer the chain's block at that height.
    await w.db.sql.run(`UPDATE "idempotency_record" SET "block_hash" = ? WHERE "key" = ?`, [ethers.id("an orphaned block"), key]);
    const before = await deposited();
    const retry = await deposit(key, 500n);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    expect(retry.headers["idempotent-replayed"]).to.equal(undefined);
    expect(retry.body.txHash).to.equal(first.body.txHash);
    expect(await deposited()).to.equal(before);
  });

  it("does not store a failure that depends on state (insufficient balance): the retry is judged again", async function () {
    const key = idem("balance");
    // The core enterprise keeps 100.00 (the rest parked with the operator), then deposits 1,000.00.
    const balance = await w.cash.balanceOf(w.core.address);
    await (await w.cash.connect(w.core.signer).transfer(w.operator.signer.address, balance - 100n * UNIT)).wait();
    const amount = 1_000n;
    const refused = await deposit(key, amount);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
    expect(refused.body.error.code).to.equal("ERC20InsufficientBalance");
    await (await w.cash.connect(w.operator.signer).transfer(w.core.address, balance - 100n * UNIT)).wait();
    const before = await deposited();
    const retry = await deposit(key, amount);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
    expect(retry.headers["idempotent-replayed"]).to.equal(undefined);
    expect(await deposited()).to.equal(before + amount * UNIT);
  });

  it("forgets a record after the retention period", async function () {
    const key = idem("old");
    const first = await deposit(key, 100n);
    expect(first.status).to.equal(201);
    const retention = w.h.config.API_IDEMPOTENCY_RETENTION_HOURS * 3_600_000;
    await w.db.sql.run(`UPDATE "idempotency_record" SET "created_at_ms" = ? WHERE "key" = ?`, [Date.now() - retention - 1_000, key]);
    await w.db.sql.run(`UPDATE "signer_transaction" SET "idempotency_key" = NULL, "idempotency_scope" = NULL WHERE "idempotency_key" = ?`, [key]);
    // Past retention the key is free again, even for another request.
    const reused = await deposit(key, 200n);
    expect(reused.status, JSON.stringify(reused.body)).to.equal(201);
    expect(reused.body.txHash).to.not.equal(first.body.txHash);
  });
});
