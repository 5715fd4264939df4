/**
 * Money and time a user can read (issue 9, items 4 and 5), through the API against the real chain,
 * indexer and database: the chain's identity and clock, the currency list, and each organisation's
 * settlement-token balances and allowances.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { bearer, createWorld, DAY, type World } from "./world";

for (const dialect of testDialects()) describe(`API: chain, currencies and balances (${dialect})`, function () {
  let w: World;

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  describe("GET /v1/chain", function () {
    it("answers the chain id, head block, the chain's clock and the indexed block, without a credential", async function () {
      const res = await request(w.h.app).get("/v1/chain").expect(200);
      const head = await ethers.provider.getBlock("latest");
      expect(res.body).to.include({ chainId: "31337", headBlock: head?.number, headTimestamp: head?.timestamp, indexedBlock: head?.number, lagBlocks: 0 });
      expect(res.body.indexedTimestamp).to.equal(head?.timestamp);
      expect(res.body.headTime).to.equal(new Date((head?.timestamp ?? 0) * 1000).toISOString());
      expect(Math.abs(res.body.wallClock - Math.floor(Date.now() / 1000))).to.be.at.most(2);
      expect(res.headers["cache-control"]).to.equal("no-store");
    });

    it("shows a chain clock moved ahead of the wall clock", async function () {
      await w.advanceTime(30 * DAY);
      const res = await request(w.h.app).get("/v1/chain").expect(200);
      expect(res.body.chainAheadSeconds).to.be.at.least(30 * DAY - 5);
      expect(res.body.headTimestamp - res.body.wallClock).to.equal(res.body.chainAheadSeconds);
    });
  });

  describe("GET /v1/currencies", function () {
    it("lists the settlement currency with its symbol and decimals", async function () {
      const res = await request(w.h.app).get("/v1/currencies").set(...bearer(w.tier3)).expect(200);
      expect(res.body.items).to.deep.equal([{ address: w.currency, symbol: "LCASH", name: "Ledgerline Test Cash", decimals: 2, allowed: true }]);
    });
  });

  describe("GET /v1/balances", function () {
    it("answers the caller's balance and its allowances to the two contracts that pull cash", async function () {
      const res = await request(w.h.app).get("/v1/balances").set(...bearer(w.bankA)).expect(200);
      expect(res.body.address).to.equal(w.bankA.address);
      expect(res.body.blockNumber).to.equal(await ethers.provider.getBlockNumber());
      const [item] = res.body.items;
      expect(item.currency).to.include({ address: w.currency, symbol: "LCASH", decimals: 2 });
      expect(item.balance).to.equal((await w.cash.balanceOf(w.bankA.address)).toString());
      expect(item.allowances).to.deep.equal({
        financingSettlement: (await w.cash.allowance(w.bankA.address, w.addresses.financing)).toString(),
        repaymentVault: (await w.cash.allowance(w.bankA.address, w.addresses.vault)).toString(),
      });
      expect(item.openQuotesAdvance).to.equal("0");
      expect(res.headers["cache-control"]).to.equal("no-store");
    });

    it("follows a transfer of cash at once (read at the head, not from the index)", async function () {
      await (await w.cash.connect(w.tier3.signer).transfer(w.outsider.address, 12_345n)).wait();
      const res = await request(w.h.app).get("/v1/balances").set(...bearer(w.tier3)).expect(200);
      expect(res.body.items[0].balance).to.equal((await w.cash.balanceOf(w.tier3.address)).toString());
    });

    it("refuses an organisation another's balances (400), and lets the auditor name any organisation", async function () {
      const denied = await request(w.h.app).get(`/v1/balances?address=${w.bankA.address}`).set(...bearer(w.tier1)).expect(400);
      expect(denied.body.error.details.fields[0].field).to.equal("query.address");
      await request(w.h.app).get(`/v1/balances?address=${w.tier1.address}`).set(...bearer(w.tier1)).expect(200);
      const audited = await request(w.h.app).get(`/v1/balances?address=${w.bankA.address}`).set(...bearer(w.auditor)).expect(200);
      expect(audited.body.address).to.equal(w.bankA.address);
      const missing = await request(w.h.app).get("/v1/balances").set(...bearer(w.operator)).expect(400);
      expect(missing.body.error.details.fields[0].field).to.equal("query.address");
    });
  });
});
