/**
 * Money and time a user can read (issue 9, items 4 and 5), through the API against the real chain,
 * indexer and database: the chain's identity and clock, the currency list, each organisation's
 * settlement-token balances and allowances, the local-chain faucet, and quotes the financier cannot
 * pay refused when posted (the holder never learns the bank's balance).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { moneyRoutes } from "../../../server/domain/money/routes";
import { isLocalDevelopmentChain } from "../../../server/lib/deployment";
import { createHarness } from "./harness";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type Actor, type World } from "./world";

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
  describe("POST /v1/faucet", function () {
    let k = 0;
    const faucet = (who: { auth: string }, body: object, key = `faucet-${Date.now()}-${++k}`) =>
      request(w.h.app).post("/v1/faucet").set(...bearer(who)).set("Idempotency-Key", key).send(body);

    it("lets the operator mint test cash on the local chain, once per Idempotency-Key", async function () {
      const fresh = Wallet.createRandom().address.toLowerCase();
      const res = await faucet(w.operator, { to: fresh, amount: (1_000n * UNIT).toString() }, "faucet-once-1");
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({ to: fresh, currency: w.currency, amount: (1_000n * UNIT).toString(), balance: (1_000n * UNIT).toString(), indexed: true });
      const again = await faucet(w.operator, { to: fresh, amount: (1_000n * UNIT).toString() }, "faucet-once-1");
      expect(again.status).to.equal(201);
      expect(again.headers["idempotent-replayed"]).to.equal("true");
      expect(await w.cash.balanceOf(fresh)).to.equal(1_000n * UNIT);
    });

    it("mints only the deployment's test token, and no more than the cap per call", async function () {
      const other = await faucet(w.operator, { to: w.tier1.address, amount: "1", currency: w.addresses.ledger });
      expect(other.status).to.equal(409);
      expect(other.body.error.code).to.equal("FaucetCurrencyNotMintable");
      const huge = await faucet(w.operator, { to: w.tier1.address, amount: (10n ** 30n).toString() });
      expect(huge.status).to.equal(400);
      expect(huge.body.error.details.fields[0].field).to.equal("body.amount");
    });

    it("is refused to anyone but the operator (403)", async function () {
      const res = await faucet(w.bankA, { to: w.bankA.address, amount: "1" });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("RoleNotAllowed");
    });

    it("is refused on any network that is not a local development chain (403 FaucetNotAvailable), and mints nothing", async function () {
      // The same routes as a server on another network would mount them: the gate is decided at start-up.
      const elsewhere = await createHarness({ db: w.db, domainRoutes: moneyRoutes(w.ctx, w.domain.services.currencies, { localChain: false }) });
      const key = (await elsewhere.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "OPERATOR" }, label: "op elsewhere" })).token;
      const before = await w.cash.balanceOf(w.tier2.address);
      const res = await request(elsewhere.app)
        .post("/v1/faucet")
        .set("Authorization", `Bearer ${key}`)
        .set("Idempotency-Key", `faucet-elsewhere-${Date.now()}`)
        .send({ to: w.tier2.address, amount: "100" });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("FaucetNotAvailable");
      expect(await w.cash.balanceOf(w.tier2.address)).to.equal(before);
    });

    it("decides 'local' from chain id 31337 and the deployment record's flag together", function () {
      expect(isLocalDevelopmentChain(31337n, { local: true })).to.equal(true);
      expect(isLocalDevelopmentChain(31337n, {})).to.equal(false);
      expect(isLocalDevelopmentChain(1n, { local: true })).to.equal(false);
      expect(isLocalDevelopmentChain(20261125n, { local: true })).to.equal(false);
    });
  });

  describe("a quote the financier cannot pay", function () {
    let receivableId: string;
    let requestId: string;
    let n = 0;
    const idem = () => `m-${Date.now()}-${++n}`;

    before(async function () {
      receivableId = await confirmedReceivable(w, { supplier: w.tier1, amount: 50_000n * UNIT, maturityInDays: 180 });
      const res = await request(w.h.app)
        .post("/v1/financing-requests")
        .set(...bearer(w.tier1))
        .send({ receivableId, amount: (20_000n * UNIT).toString(), mode: "ANY", deadline: (await chainNow()) + 2 * DAY })
        .expect(201);
      requestId = res.body.id;
    });

    async function drain(bank: Actor): Promise<bigint> {
      const all = await w.cash.balanceOf(bank.address);
      await (await w.cash.connect(bank.signer).transfer(w.outsider.address, all)).wait();
      return all;
    }
    async function refill(bank: Actor, amount: bigint) {
      await (await w.cash.connect(w.outsider).transfer(bank.address, amount)).wait();
    }
    const quote = async (bank: Actor, body: object) =>
      request(w.h.app)
        .post(`/v1/financing-requests/${requestId}/quotes`)
        .set(...bearer(bank))
        .send({ mode: "PURCHASE", expiry: (await chainNow()) + 5 * DAY, ...body });

    it("is refused when posted (409) with the shortfall, to the financier, and no quote is created", async function () {
      const had = await drain(w.bankB);
      try {
        await (await w.cash.connect(w.outsider).transfer(w.bankB.address, 5_000n * UNIT)).wait();
        const res = await quote(w.bankB, { advance: (19_000n * UNIT).toString() });
        expect(res.status, JSON.stringify(res.body)).to.equal(409);
        expect(res.body.error.code).to.equal("FinancierInsufficientFunds");
        expect(res.body.error.details).to.deep.equal({ currency: w.currency, advance: (19_000n * UNIT).toString(), balance: (5_000n * UNIT).toString(), shortfall: (14_000n * UNIT).toString() });
        expect(await w.db.prisma.financingQuote.count({ where: { requestId, financier: w.bankB.address } })).to.equal(0);
        // Within its means the same bank quotes.
        const ok = await quote(w.bankB, { advance: (4_000n * UNIT).toString() });
        expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
      } finally {
        await refill(w.bankB, had - 5_000n * UNIT);
      }
    });

    it("refuses a financier keeping its own key whose allowance is short, naming the shortfall", async function () {
      const own = Wallet.createRandom().connect(ethers.provider);
      await request(w.h.app)
        .post("/v1/organisations")
        .set(...bearer(w.operator))
        .set("Idempotency-Key", idem())
        .send({ address: own.address, role: "FINANCIER", kycHash: ethers.id("kyc:own-key bank") })
        .expect(201);
      await request(w.h.app)
        .post("/v1/faucet")
        .set(...bearer(w.operator))
        .set("Idempotency-Key", idem())
        .send({ to: own.address, amount: (50_000n * UNIT).toString() })
        .expect(201);
      const auth = (await w.h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: own.address.toLowerCase(), admin: true }, label: "own-key bank" })).token;
      const fields = { mode: "PURCHASE", advance: (19_000n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY };
      const draft = await request(w.h.app).post(`/v1/financing-requests/${requestId}/quote-drafts`).set("Authorization", `Bearer ${auth}`).send(fields);
      expect(draft.status, JSON.stringify(draft.body)).to.equal(201);
      const { domain, types, message } = draft.body.typedData;
      const signature = await own.signTypedData(domain, types, message);
      const res = await request(w.h.app)
        .post(`/v1/financing-requests/${requestId}/quotes`)
        .set("Authorization", `Bearer ${auth}`)
        .send({ ...fields, draftId: draft.body.draftId, signature });
      expect(res.status, JSON.stringify(res.body)).to.equal(409);
      expect(res.body.error.code).to.equal("FinancierInsufficientFunds");
      expect(res.body.error.details).to.include({ balance: (50_000n * UNIT).toString(), allowance: "0", spender: w.addresses.financing, shortfall: (19_000n * UNIT).toString() });
    });

    it("tells the holder only that the financier cannot pay, never the bank's balance", async function () {
      const posted = await quote(w.bankA, { advance: (19_500n * UNIT).toString() });
      expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
      const had = await drain(w.bankA);
      try {
        await (await w.cash.connect(w.outsider).transfer(w.bankA.address, 123_456n)).wait();
        const res = await request(w.h.app).post(`/v1/quotes/${posted.body.id}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem());
        expect(res.status, res.text).to.equal(409);
        expect(res.body.error).to.deep.equal({
          code: "FinancierCannotPay",
          message: "the financier cannot pay this quote's advance at the moment; accept another quote or ask the financier",
          details: { quoteId: posted.body.id, financier: w.bankA.address },
        });
        expect(res.text).to.not.include("123456");
        expect((await request(w.h.app).get(`/v1/receivables/${receivableId}`).set(...bearer(w.tier1)).expect(200)).body.financed).to.equal(false);
      } finally {
        await refill(w.bankA, had - 123_456n);
      }
    });
  });
});
