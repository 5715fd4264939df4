/**
 * Risk-sharing programmes through the API (issue 13 item 8): the indexer projects RiskProgramme's events,
 * and each programme's pool and positions — per funder, per financier, per enterprise — are served to its
 * participants and to the operator and the auditor, as JSON and as CSV; everyone else reads 404.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { financedIdFrom, signQuote, type Quote } from "../../../scripts/financingStory";
import { enrolmentFrom } from "../../../scripts/programmes";
import { fundedProgramme } from "./programmeWorld";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type World } from "./world";

for (const dialect of testDialects()) describe(`API: risk-sharing programmes (${dialect})`, function () {
  let w: World;
  let programmeId: string;
  let financedId: bigint;
  let enrolmentHash: string;
  const cert = ethers.id("high-tech enterprise certificate of tier1");

  before(async function () {
    w = await createWorld({ dialect });
    const id = await fundedProgramme(w, { quotas: [[w.bankA, 800_000n * UNIT]], whitelist: [w.tier1] });
    programmeId = id.toString();

    // Tier 1 sells 100,000.00 to bank A for 98,000.00, enrolled in the programme.
    const receivableId = BigInt(await confirmedReceivable(w, { supplier: w.tier1, amount: 100_000n * UNIT, maturityInDays: 60 }));
    const financing = await ethers.getContractAt("FinancingSettlement", w.addresses.financing);
    const quote: Quote = {
      receivableId,
      amount: 100_000n * UNIT,
      advance: 98_000n * UNIT,
      financier: w.bankA.signer.address,
      holder: w.tier1.signer.address,
      mode: 0,
      repayment: 0n,
      currency: w.currency,
      expiry: BigInt(await chainNow()) + BigInt(DAY),
      nonce: 9_001n,
      programmeId: id,
      evidenceHash: ethers.ZeroHash,
    };
    const receipt = await (await financing.connect(w.tier1.signer).acceptQuote(quote, await signQuote(financing, w.bankA.signer, quote))).wait();
    financedId = financedIdFrom(financing, receipt);
    enrolmentHash = await w.programmes.hashEnrolment(enrolmentFrom(w.programmes, receipt));
    await w.indexer.syncTo();
  });
  after(async function () {
    await w?.close();
  });

  const get = (path: string, who?: { auth: string }) => (who === undefined ? request(w.h.app).get(path) : request(w.h.app).get(path).set(...bearer(who)));

  describe("GET /v1/programmes", function () {
    it("lists the programme to the operator and the auditor with its pool: paid in, reserved, available", async function () {
      for (const who of [w.operator, w.auditor]) {
        const res = await get("/v1/programmes", who);
        expect(res.status).to.equal(200);
        const p = res.body.items.find((i: { id: string }) => i.id === programmeId);
        expect(p).to.not.equal(undefined);
        expect(p.committed).to.equal((1_000_000n * UNIT).toString());
        expect(p.paidIn).to.equal((1_000_000n * UNIT).toString());
        expect(p.balance).to.equal((1_000_000n * UNIT).toString());
        expect(BigInt(p.reserved) > 49_000n * UNIT).to.equal(true);
        expect(BigInt(p.available)).to.equal(BigInt(p.balance) - BigInt(p.reserved));
        expect(p.terms.coverageBps).to.equal(5_000);
        expect(p.version).to.equal(1);
      }
    });

    it("lists it to each participant: a funder, the participating financier, the whitelisted enterprise", async function () {
      for (const who of [w.selfCore, w.bankA, w.tier1]) {
        const res = await get("/v1/programmes", who);
        expect(res.status, who.name).to.equal(200);
        expect(res.body.items.map((i: { id: string }) => i.id), who.name).to.deep.equal([programmeId]);
      }
    });

    it("lists nothing to an organisation that takes no part", async function () {
      for (const who of [w.bankB, w.tier3, w.core]) {
        const res = await get("/v1/programmes", who);
        expect(res.status, who.name).to.equal(200);
        expect(res.body.items, who.name).to.deep.equal([]);
      }
    });

    it("refuses an unauthenticated caller", async function () {
      const res = await get("/v1/programmes");
      expect(res.status).to.equal(401);
    });
  });

  describe("GET /v1/programmes/{id}", function () {
    it("shows a participant every position: per funder, per financier, per enterprise", async function () {
      const res = await get(`/v1/programmes/${programmeId}`, w.bankA);
      expect(res.status).to.equal(200);
      expect(res.body.funders).to.deep.equal(
        [
          { funder: w.selfCore.address, committed: (600_000n * UNIT).toString(), paidIn: (600_000n * UNIT).toString() },
          { funder: w.outsider.address.toLowerCase(), committed: (400_000n * UNIT).toString(), paidIn: (400_000n * UNIT).toString() },
        ].sort((a, b) => a.funder.localeCompare(b.funder)),
      );
      expect(res.body.financiers).to.deep.equal([
        {
          financier: w.bankA.address,
          quota: (800_000n * UNIT).toString(),
          enrolled: (98_000n * UNIT).toString(),
          reserved: (49_000n * UNIT).toString(),
          compensationReceived: "0",
          recoveredToPool: "0",
          subsidiesReceived: "0",
        },
      ]);
      expect(res.body.enterprises).to.have.length(1);
      expect(res.body.enterprises[0]).to.include({ enterprise: w.tier1.address, certificateHash: cert, enrolled: (98_000n * UNIT).toString(), reserved: (49_000n * UNIT).toString() });
    });

    it("is the same for the whitelisted enterprise, the funder, the operator and the auditor", async function () {
      const reference = (await get(`/v1/programmes/${programmeId}`, w.bankA)).body;
      for (const who of [w.tier1, w.selfCore, w.operator, w.auditor]) {
        const res = await get(`/v1/programmes/${programmeId}`, who);
        expect(res.status, who.name).to.equal(200);
        expect(res.body, who.name).to.deep.equal(reference);
      }
    });

    it("reads 404 for a non-participant, as for a programme that does not exist", async function () {
      for (const who of [w.bankB, w.tier3]) {
        const res = await get(`/v1/programmes/${programmeId}`, who);
        expect(res.status, who.name).to.equal(404);
        expect(res.body.error.code).to.equal("NotFound");
      }
      const missing = await get("/v1/programmes/999", w.operator);
      expect(missing.status).to.equal(404);
      const bad = await get("/v1/programmes/not-a-number", w.operator);
      expect(bad.status).to.equal(400);
    });
  });

  describe("GET /v1/programmes/{id}/enrolments", function () {
    it("serves the enrolled financings as JSON, with the struct the contract hashed", async function () {
      const res = await get(`/v1/programmes/${programmeId}/enrolments`, w.tier1);
      expect(res.status).to.equal(200);
      expect(res.body.items).to.have.length(1);
      const e = res.body.items[0];
      expect(e).to.include({ financedId: financedId.toString(), status: "ENROLLED", coverage: (49_000n * UNIT).toString(), mode: "PURCHASE", financier: w.bankA.address });
      // The struct round-trips: what the API serves is what paySubsidy/claim take back.
      expect(await w.programmes.hashEnrolment(e.enrolment)).to.equal(enrolmentHash);
    });

    it("exports them as CSV for the funders' reporting", async function () {
      const res = await get(`/v1/programmes/${programmeId}/enrolments?format=csv`, w.selfCore);
      expect(res.status).to.equal(200);
      expect(res.headers["content-type"]).to.match(/^text\/csv/);
      const [header, row, end] = res.text.split("\n");
      expect(header!.split(",").slice(0, 3)).to.deep.equal(["financedId", "programmeId", "version"]);
      expect(row!.split(",")[0]).to.equal(financedId.toString());
      expect(row).to.contain("ENROLLED");
      expect(end).to.equal("");
    });

    it("reads 404 for a non-participant", async function () {
      const res = await get(`/v1/programmes/${programmeId}/enrolments?format=csv`, w.bankB);
      expect(res.status).to.equal(404);
    });
  });
});
