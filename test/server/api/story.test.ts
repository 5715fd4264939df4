/**
 * The whole story of the financing issue, driven only through the API (every action is an HTTP call
 * by the organisation that takes it; the test only reads balances from the chain to check the end):
 * a core enterprise confirms 1,000,000.00; tier 1 keeps 600,000 and passes 400,000 to tier 2; tier 2
 * passes 100,000 to tier 3; tier 3 takes a purchase quote from bank A and tier 2 a pledge quote from
 * bank B; the core enterprise repays at maturity; everyone redeems; every balance ends exactly where
 * it should, and the auditor's proof bundle of tier 3's receivable verifies against the node.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { verifyProofBundle } from "../../../server/domain/trace/proofBundle";
import { bearer, chainNow, createWorld, DAY, UNIT, type Actor, type World } from "./world";

for (const dialect of testDialects()) describe(`API: the financing story end to end (${dialect})`, function () {
  let w: World;
  let n = 0;
  const idem = () => `s-${++n}-${Date.now()}`;
  const money = (x: bigint) => (x * UNIT).toString();

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  async function ok(req: request.Test, status: number) {
    const res = await req;
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    return res.body;
  }
  const post = (actor: Actor, path: string, body: object = {}) =>
    ok(request(w.h.app).post(path).set(...bearer(actor)).set("Idempotency-Key", idem()).send(body), path.endsWith("/accept") || path.endsWith("/redeem") ? 200 : 201);
  const get = (actor: { auth: string }, path: string) => ok(request(w.h.app).get(path).set(...bearer(actor)), 200);

  it("plays confirm → split down to tier 3 → purchase and pledge financing → repayment → redemption", async function () {
    const actors = [w.core, w.tier1, w.tier2, w.tier3, w.bankA, w.bankB];
    const before = new Map<string, bigint>();
    for (const a of actors) before.set(a.address, await w.cash.balanceOf(a.signer.address));

    // Tier 1 registers the invoice; the core enterprise confirms it.
    const maturity = (await chainNow()) + 90 * DAY;
    const { invoiceHash } = await post(w.tier1, "/v1/invoices", {
      debtor: w.core.address,
      currency: w.currency,
      amount: money(1_000_000n),
      maturity,
      invoiceNumber: "STORY-1",
      metadata: { goods: "engines" },
    });
    const pending = await get(w.core, "/v1/invoices?status=REGISTERED");
    expect(pending.items.map((i: { invoiceHash: string }) => i.invoiceHash)).to.include(invoiceHash);
    const { rootId } = await post(w.core, `/v1/invoices/${invoiceHash}/confirm`);

    // Tier 1 keeps 600,000 and passes 400,000 to tier 2, which accepts.
    const { offeredId: t2Id } = await post(w.tier1, `/v1/receivables/${rootId}/transfer`, { to: w.tier2.address, amount: money(400_000n) });
    await post(w.tier2, `/v1/receivables/${t2Id}/accept`);
    // Tier 2 passes 100,000 to tier 3, which accepts.
    const { offeredId: t3Id } = await post(w.tier2, `/v1/receivables/${t2Id}/transfer`, { to: w.tier3.address, amount: money(100_000n) });
    await post(w.tier3, `/v1/receivables/${t3Id}/accept`);
    expect((await get(w.tier3, `/v1/receivables/${t3Id}`)).tier).to.equal(3);

    // Tier 3 sells its 100,000 to bank A (purchase).
    const deadline = (await chainNow()) + 2 * DAY;
    const r3 = await post(w.tier3, "/v1/financing-requests", { receivableId: t3Id, amount: money(100_000n), mode: "PURCHASE", deadline });
    const market = await get(w.bankA, "/v1/financing-requests");
    expect(market.items.map((i: { id: string }) => i.id)).to.include(r3.id);
    const q3 = await post(w.bankA, `/v1/financing-requests/${r3.id}/quotes`, { advance: money(98_000n), expiry: deadline + DAY });
    const compare = await get(w.tier3, `/v1/financing-requests/${r3.id}/quotes`);
    expect(compare.items[0].effectiveAnnualRate.percent).to.match(/^[0-9]+\.[0-9]{4}$/);
    const accepted3 = await post(w.tier3, `/v1/quotes/${q3.id}/accept`);
    expect(accepted3.financedId).to.equal(t3Id);

    // Tier 2 pledges 200,000 of its 300,000 to bank B for 190,000, owing 195,000.
    const r2 = await post(w.tier2, "/v1/financing-requests", { receivableId: t2Id, amount: money(200_000n), mode: "PLEDGE", deadline });
    const q2 = await post(w.bankB, `/v1/financing-requests/${r2.id}/quotes`, { advance: money(190_000n), repayment: money(195_000n), expiry: deadline + DAY });
    const accepted2 = await post(w.tier2, `/v1/quotes/${q2.id}/accept`);
    const pledgedId = accepted2.financedId as string;
    const pledged = await get(w.tier2, `/v1/receivables/${pledgedId}`);
    expect(pledged).to.include({ holder: w.tier2.address, pledgee: w.bankB.address, status: "PLEDGED", amount: money(200_000n) });

    // The core enterprise sees what falls due and repays in full before maturity.
    const line = await get(w.core, `/v1/issuance-limits/${w.core.address}`);
    expect(line.upcomingMaturities.find((m: { maturity: number }) => m.maturity === maturity).outstanding).to.equal(money(1_000_000n));
    await post(w.core, "/v1/settlement/deposits", { currency: w.currency, maturity, amount: money(1_000_000n) });
    const pools = await get(w.core, "/v1/settlement/pools");
    expect(pools.items.find((p: { maturity: number }) => p.maturity === maturity)).to.include({ face: money(1_000_000n), deposited: money(1_000_000n), due: "0" });

    // At maturity every holder redeems.
    await w.advanceTime(maturity - (await chainNow()) + 1);
    const redeemed = [
      await post(w.tier1, `/v1/receivables/${rootId}/redeem`),
      await post(w.tier2, `/v1/receivables/${t2Id}/redeem`),
      await post(w.tier2, `/v1/receivables/${pledgedId}/redeem`),
      await post(w.bankA, `/v1/receivables/${t3Id}/redeem`),
    ];
    for (const r of redeemed) expect(r.currency).to.equal(w.currency);
    expect(redeemed.map((r) => [r.toHolder, r.toPledgee])).to.deep.equal([
      [money(600_000n), "0"],
      [money(100_000n), "0"],
      [money(5_000n), money(195_000n)],
      [money(100_000n), "0"],
    ]);

    // Every balance ends exactly where it should.
    const delta = async (a: Actor) => (await w.cash.balanceOf(a.signer.address)) - (before.get(a.address) as bigint);
    expect(await delta(w.core)).to.equal(-1_000_000n * UNIT);
    expect(await delta(w.tier1)).to.equal(600_000n * UNIT);
    expect(await delta(w.tier2)).to.equal((190_000n + 100_000n + 5_000n) * UNIT);
    expect(await delta(w.tier3)).to.equal(98_000n * UNIT);
    expect(await delta(w.bankA)).to.equal(2_000n * UNIT);
    expect(await delta(w.bankB)).to.equal(5_000n * UNIT);
    expect(await w.cash.balanceOf(w.addresses.vault)).to.equal(0n);

    // The banks' books show the cash received.
    const bookA = await get(w.bankA, "/v1/portfolio");
    expect(bookA.items.find((i: { financedId: string }) => i.financedId === t3Id)).to.include({ expected: money(100_000n), received: money(100_000n), status: "SETTLED" });
    const bookB = await get(w.bankB, "/v1/portfolio");
    expect(bookB.items.find((i: { financedId: string }) => i.financedId === pledgedId)).to.include({ expected: money(195_000n), received: money(195_000n), status: "SETTLED" });

    // The auditor traces the tree (all redeemed, every event with its tx hash) and verifies the proof bundle.
    const trace = await get(w.auditor, `/v1/receivables/${t3Id}/trace`);
    expect(trace.nodes.every((node: { status: string }) => node.status === "REDEEMED")).to.equal(true);
    expect(trace.financings).to.have.length(2);
    expect(trace.redemptions).to.have.length(4);
    const bundle = await get(w.auditor, `/v1/receivables/${t3Id}/proof`);
    const verdict = await verifyProofBundle(bundle, ethers.provider);
    expect(verdict.failures).to.deep.equal([]);
    const from = new Date(((await chainNow()) - 200 * DAY) * 1000).toISOString();
    const to = new Date(((await chainNow()) + DAY) * 1000).toISOString();
    const repayments = await get(w.auditor, `/v1/audit/export?dataset=repayments&from=${from}&to=${to}&format=json`);
    expect(repayments.rows.filter((r: { kind: string }) => r.kind === "REDEMPTION")).to.have.length(4);
  });

  it("marks an unpaid tree overdue after the grace period; every holder sees it and it can no longer move", async function () {
    const maturity = (await chainNow()) + 10 * DAY;
    const { invoiceHash } = await post(w.tier1, "/v1/invoices", { debtor: w.core.address, currency: w.currency, amount: money(3_000n), maturity, invoiceNumber: "STORY-3" });
    const { rootId } = await post(w.core, `/v1/invoices/${invoiceHash}/confirm`);
    const { offeredId } = await post(w.tier1, `/v1/receivables/${rootId}/transfer`, { to: w.tier2.address, amount: money(1_000n) });
    await post(w.tier2, `/v1/receivables/${offeredId}/accept`);
    const early = await request(w.h.app).post(`/v1/receivables/${rootId}/mark-overdue`).set(...bearer(w.tier1)).set("Idempotency-Key", idem());
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal("VaultNotOverdueYet");
    await w.advanceTime(maturity - (await chainNow()) + 8 * DAY);
    await ok(request(w.h.app).post(`/v1/receivables/${rootId}/mark-overdue`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()), 200);
    expect((await get(w.tier2, `/v1/receivables/${offeredId}`)).status).to.equal("OVERDUE");
    expect((await get(w.tier1, `/v1/receivables/${rootId}`)).overdue).to.equal(true);
    // The ledger checks the tree when a claim changes hands: the offer is made, its acceptance refused.
    const offered = await post(w.tier2, `/v1/receivables/${offeredId}/transfer`, { to: w.tier3.address, amount: money(1_000n) });
    const moved = await request(w.h.app).post(`/v1/receivables/${offered.offeredId}/accept`).set(...bearer(w.tier3)).set("Idempotency-Key", idem());
    expect(moved.status).to.equal(409);
    expect(moved.body.error.code).to.equal("ReceivableOverdue");
    const split = await request(w.h.app).post(`/v1/receivables/${rootId}/split`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ amount: money(100n) });
    expect(split.body.error.code).to.equal("ReceivableOverdue");
  });

  it("lets a pledgor repay its pledge early, releasing it", async function () {
    const maturity = (await chainNow()) + 60 * DAY;
    const { invoiceHash } = await post(w.tier1, "/v1/invoices", { debtor: w.core.address, currency: w.currency, amount: money(10_000n), maturity, invoiceNumber: "STORY-2" });
    const { rootId } = await post(w.core, `/v1/invoices/${invoiceHash}/confirm`);
    const deadline = (await chainNow()) + DAY;
    const req = await post(w.tier1, "/v1/financing-requests", { receivableId: rootId, amount: money(10_000n), mode: "PLEDGE", deadline });
    const q = await post(w.bankB, `/v1/financing-requests/${req.id}/quotes`, { advance: money(9_000n), repayment: money(9_300n), expiry: deadline });
    const { financedId } = await post(w.tier1, `/v1/quotes/${q.id}/accept`);
    const bankBefore = await w.cash.balanceOf(w.bankB.signer.address);
    const repaid = await ok(request(w.h.app).post(`/v1/receivables/${financedId}/repay-pledge`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()), 200);
    expect(repaid.repaid).to.equal(money(9_300n));
    expect(await w.cash.balanceOf(w.bankB.signer.address)).to.equal(bankBefore + 9_300n * UNIT);
    const after = await get(w.tier1, `/v1/receivables/${financedId}`);
    expect(after.pledgee).to.equal(null);
    // Another supplier cannot repay someone else's pledge: it cannot even see it.
    await request(w.h.app).post(`/v1/receivables/${financedId}/repay-pledge`).set(...bearer(w.tier3)).set("Idempotency-Key", idem()).expect(404);
  });
});
