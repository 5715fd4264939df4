/**
 * The operator's administration of the ledger through the API (issue 12 item 7): pause and unpause,
 * allowed currencies, ledger parameters — each shown by the chain and the read API after the change,
 * refused to everyone but the operator (403) and on bad input (400, nothing changes), a repeated change
 * answered with the contract's decoded error (or 409 LedgerSettingUnchanged), and each in the audit log
 * with the credential that made it. A paused ledger refuses another organisation's write with the decoded
 * `EnforcedPause`, never a 503. With a timelock as the ledger's admin (as `deploySystem` deploys it) a
 * change is scheduled, waits its delay and is executed.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import request from "supertest";
import { SettlementToken__factory } from "../../../typechain-types";
import { testDialects } from "../db/fresh";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type Actor, type World } from "./world";

let key = 0;
const idem = () => `ledger-admin-${Date.now()}-${++key}`;

async function actionsOf(w: World, action: string) {
  const res = await request(w.h.app).get("/v1/audit/export?dataset=actions&format=json&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z").set(...bearer(w.auditor)).expect(200);
  return (res.body.rows as { actor: string; actorLabel: string | null; action: string; target: string | null; txHash: string | null; detail: string | null }[]).filter((r) => r.action === action);
}

async function operatorCredential(w: World): Promise<string> {
  const keyRow = await w.db.prisma.apiKey.findFirst({ where: { subjectKind: "OPERATOR", label: "operator" } });
  return `key:${keyRow?.id}`;
}

for (const dialect of testDialects()) describe(`API: operator administration of the ledger (${dialect})`, function () {
  let w: World;
  let others: Actor[];

  before(async function () {
    w = await createWorld({ dialect });
    others = [w.core, w.tier1, w.bankA];
  });
  after(async function () {
    await w?.close();
  });

  const ledgerStatus = async () => (await request(w.h.app).get("/v1/ledger").set(...bearer(w.tier1)).expect(200)).body;

  it("shows every member the ledger running, its parameters and that the operator's key administers it", async function () {
    const status = await ledgerStatus();
    expect(status.paused).to.equal(false);
    expect(status.parameters).to.deep.equal({ minPartAmount: "100", maxDepth: 10, defaultOfferWindow: 7 * DAY });
    expect(status.admin).to.deep.equal({ address: w.operator.address, kind: "OPERATOR", minDelaySeconds: null });
    await request(w.h.app).get("/v1/ledger").expect(401);
  });

  describe("pause and unpause", function () {
    it("refuses every role but the operator (403 RoleNotAllowed) and leaves the ledger running", async function () {
      for (const actor of [...others, w.auditor]) {
        for (const path of ["/v1/ledger/pause", "/v1/ledger/unpause"]) {
          const res = await request(w.h.app).post(path).set(...bearer(actor)).set("Idempotency-Key", idem()).expect(403);
          expect(res.body.error.code).to.equal("RoleNotAllowed");
        }
      }
      expect((await ledgerStatus()).paused).to.equal(false);
    });

    it("pauses: the chain and the read API show it, another organisation's write is refused with EnforcedPause (409, not 503), and unpausing lets it through", async function () {
      const rootId = await confirmedReceivable(w, { amount: 10_000n * UNIT });
      await request(w.h.app).post("/v1/ledger/pause").set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(200);
      expect(await (await ethers.getContractAt("ReceivableToken", w.addresses.ledger)).paused()).to.equal(true);
      expect((await ledgerStatus()).paused).to.equal(true);

      const split = await request(w.h.app).post(`/v1/receivables/${rootId}/split`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ amount: (1_000n * UNIT).toString() }).expect(409);
      expect(split.body.error).to.include({ code: "EnforcedPause" });
      const invoice = await request(w.h.app)
        .post("/v1/invoices")
        .set(...bearer(w.tier2))
        .set("Idempotency-Key", idem())
        .send({ debtor: w.core.address, currency: w.currency, amount: "100000", maturity: (await chainNow()) + 90 * DAY, invoiceNumber: "INV-PAUSED", metadata: {} })
        .expect(409);
      expect(invoice.body.error.code).to.equal("EnforcedPause");

      const again = await request(w.h.app).post("/v1/ledger/pause").set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(409);
      expect(again.body.error.code).to.equal("EnforcedPause");

      await request(w.h.app).post("/v1/ledger/unpause").set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(200);
      expect((await ledgerStatus()).paused).to.equal(false);
      await request(w.h.app).post(`/v1/receivables/${rootId}/split`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ amount: (1_000n * UNIT).toString() }).expect(201);
      const twice = await request(w.h.app).post("/v1/ledger/unpause").set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(409);
      expect(twice.body.error.code).to.equal("ExpectedPause");
    });

    it("records pause and unpause in the audit log with the operator's credential and the transaction", async function () {
      const actor = await operatorCredential(w);
      for (const action of ["ledger.pause", "ledger.unpause"]) {
        const rows = await actionsOf(w, action);
        expect(rows).to.have.length(1);
        expect(rows[0]).to.include({ actor, actorLabel: "operator", target: w.addresses.ledger });
        const receipt = await ethers.provider.getTransactionReceipt(rows[0]!.txHash as string);
        expect(receipt?.status).to.equal(1);
      }
    });
  });

  describe("allowed currencies", function () {
    let token: string;

    before(async function () {
      const [admin] = await ethers.getSigners();
      const deployed = await new SettlementToken__factory(admin).deploy("Digital yuan deposit", "eCNY", 2, admin!.address);
      token = (await deployed.getAddress()).toLowerCase();
    });

    const put = (actor: Actor, address: string, body: unknown) => request(w.h.app).put(`/v1/currencies/${address}`).set(...bearer(actor)).set("Idempotency-Key", idem()).send(body as object);
    const listed = async () => (await request(w.h.app).get("/v1/currencies").set(...bearer(w.tier1)).expect(200)).body.items as { address: string; symbol: string; allowed: boolean }[];

    it("refuses every role but the operator (403) and changes nothing", async function () {
      for (const actor of [...others, w.auditor]) {
        expect((await put(actor, token, { allowed: true }).expect(403)).body.error.code).to.equal("RoleNotAllowed");
      }
      expect(await w.ctx.chain.ledger.isCurrencyAllowed(token)).to.equal(false);
      expect((await listed()).map((c) => c.address)).to.not.include(token);
    });

    it("refuses bad input with the field named (400) and changes nothing: a malformed address, a missing flag, an address that is not a token", async function () {
      const malformed = await put(w.operator, "0x1234", { allowed: true }).expect(400);
      expect(malformed.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal(["params.address"]);
      const missing = await put(w.operator, token, {}).expect(400);
      expect(missing.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.allowed"]);
      const notToken = Wallet.createRandom().address.toLowerCase();
      const eoa = await put(w.operator, notToken, { allowed: true }).expect(400);
      expect(eoa.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal(["params.address"]);
      expect(await w.ctx.chain.ledger.isCurrencyAllowed(notToken)).to.equal(false);
      expect((await listed()).map((c) => c.address)).to.not.include.members([token, notToken]);
    });

    it("allows a currency: the chain and GET /v1/currencies show it, and invoices may be registered in it", async function () {
      const res = await put(w.operator, token, { allowed: true }).expect(200);
      expect(res.body).to.include({ state: "APPLIED", operationId: null, readyAt: null, call: null, indexed: true });
      expect(await w.ctx.chain.ledger.isCurrencyAllowed(token)).to.equal(true);
      expect((await listed()).find((c) => c.address === token)).to.include({ symbol: "eCNY", allowed: true });
      await request(w.h.app)
        .post("/v1/invoices")
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({ debtor: w.core.address, currency: token, amount: "100000", maturity: (await chainNow()) + 90 * DAY, invoiceNumber: "INV-ECNY-1", metadata: {} })
        .expect(201);
    });

    it("answers allowing it again with 409 LedgerSettingUnchanged and sends nothing", async function () {
      const before = await ethers.provider.getBlockNumber();
      const res = await put(w.operator, token, { allowed: true }).expect(409);
      expect(res.body.error.code).to.equal("LedgerSettingUnchanged");
      expect(await ethers.provider.getBlockNumber()).to.equal(before);
    });

    it("disallows it: listed as not allowed, and a new invoice in it is refused with the contract's error", async function () {
      await put(w.operator, token, { allowed: false }).expect(200);
      expect(await w.ctx.chain.ledger.isCurrencyAllowed(token)).to.equal(false);
      expect((await listed()).find((c) => c.address === token)).to.include({ allowed: false });
      const refused = await request(w.h.app)
        .post("/v1/invoices")
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({ debtor: w.core.address, currency: token, amount: "100000", maturity: (await chainNow()) + 90 * DAY, invoiceNumber: "INV-ECNY-2", metadata: {} })
        .expect(409);
      expect(refused.body.error.code).to.equal("ReceivableCurrencyNotAllowed");
      expect((await put(w.operator, token, { allowed: false }).expect(409)).body.error.code).to.equal("LedgerSettingUnchanged");
    });

    it("records both changes in the audit log with the operator's credential", async function () {
      const actor = await operatorCredential(w);
      const allowed = await actionsOf(w, "currency.allow");
      const disallowed = await actionsOf(w, "currency.disallow");
      expect(allowed.map((r) => [r.actor, r.target])).to.deep.equal([[actor, token]]);
      expect(disallowed.map((r) => [r.actor, r.target])).to.deep.equal([[actor, token]]);
    });
  });

  describe("ledger parameters", function () {
    const put = (actor: Actor, body: unknown) => request(w.h.app).put("/v1/ledger-parameters").set(...bearer(actor)).set("Idempotency-Key", idem()).send(body as object);
    const chainParameters = async () => {
      const [minPartAmount, maxDepth, defaultOfferWindow] = await w.ctx.chain.ledger.ledgerParameters();
      return { minPartAmount: minPartAmount.toString(), maxDepth: Number(maxDepth), defaultOfferWindow: Number(defaultOfferWindow) };
    };
    const original = { minPartAmount: "100", maxDepth: 10, defaultOfferWindow: 7 * DAY };

    it("refuses every role but the operator (403) and changes nothing", async function () {
      for (const actor of [...others, w.auditor]) {
        expect((await put(actor, { minPartAmount: "500", maxDepth: 4, defaultOfferWindow: DAY }).expect(403)).body.error.code).to.equal("RoleNotAllowed");
      }
      expect(await chainParameters()).to.deep.equal(original);
    });

    for (const [name, body, field] of [
      ["a zero minimum part", { minPartAmount: "0", maxDepth: 4, defaultOfferWindow: DAY }, "body.minPartAmount"],
      ["a minimum part over 96 bits", { minPartAmount: (1n << 96n).toString(), maxDepth: 4, defaultOfferWindow: DAY }, "body.minPartAmount"],
      ["a minimum part as a number", { minPartAmount: 500, maxDepth: 4, defaultOfferWindow: DAY }, "body.minPartAmount"],
      ["a depth of zero", { minPartAmount: "500", maxDepth: 0, defaultOfferWindow: DAY }, "body.maxDepth"],
      ["a depth over 255", { minPartAmount: "500", maxDepth: 256, defaultOfferWindow: DAY }, "body.maxDepth"],
      ["a zero offer window", { minPartAmount: "500", maxDepth: 4, defaultOfferWindow: 0 }, "body.defaultOfferWindow"],
      ["a fractional offer window", { minPartAmount: "500", maxDepth: 4, defaultOfferWindow: 1.5 }, "body.defaultOfferWindow"],
      ["a missing offer window", { minPartAmount: "500", maxDepth: 4 }, "body.defaultOfferWindow"],
    ] as const) {
      it(`refuses ${name} (400 naming ${field}) and changes nothing`, async function () {
        const res = await put(w.operator, body).expect(400);
        expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal([field]);
        expect(await chainParameters()).to.deep.equal(original);
      });
    }

    it("sets them: the chain and GET /v1/ledger-parameters show the new values, and a split below the new minimum is refused", async function () {
      const next = { minPartAmount: (500n * UNIT).toString(), maxDepth: 4, defaultOfferWindow: 3 * DAY };
      const res = await put(w.operator, next).expect(200);
      expect(res.body.state).to.equal("APPLIED");
      expect(await chainParameters()).to.deep.equal(next);
      expect((await request(w.h.app).get("/v1/ledger-parameters").set(...bearer(w.tier2)).expect(200)).body).to.deep.equal(next);
      expect((await ledgerStatus()).parameters).to.deep.equal(next);
      const rootId = await confirmedReceivable(w, { amount: 10_000n * UNIT });
      const split = await request(w.h.app).post(`/v1/receivables/${rootId}/split`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ amount: (100n * UNIT).toString() }).expect(409);
      expect(split.body.error.code).to.equal("ReceivablePartTooSmall");
    });

    it("answers the same values again with 409 LedgerSettingUnchanged, and records the change with its previous values", async function () {
      const current = await chainParameters();
      expect((await put(w.operator, current).expect(409)).body.error.code).to.equal("LedgerSettingUnchanged");
      const rows = await actionsOf(w, "ledgerParameters.set");
      expect(rows).to.have.length(1);
      expect(rows[0]!.actor).to.equal(await operatorCredential(w));
      expect(JSON.parse(rows[0]!.detail as string)).to.deep.include({ ...current, previous: original, state: "APPLIED" });
      await put(w.operator, original).expect(200);
      expect(await chainParameters()).to.deep.equal(original);
    });
  });
});

describe("API: ledger changes through a timelock (as deploySystem deploys it)", function () {
  let w: World;
  const delay = 2 * DAY;

  before(async function () {
    w = await createWorld({ timelockDelay: BigInt(delay) });
  });
  after(async function () {
    await w?.close();
  });

  it("schedules a parameter change, refuses to execute it before its delay, executes it after, and only once", async function () {
    const status = (await request(w.h.app).get("/v1/ledger").set(...bearer(w.operator)).expect(200)).body;
    expect(status.admin).to.include({ kind: "TIMELOCK", minDelaySeconds: delay });
    expect(status.admin.address).to.not.equal(w.operator.address);

    const next = { minPartAmount: "700", maxDepth: 6, defaultOfferWindow: 2 * DAY };
    const scheduled = await request(w.h.app).put("/v1/ledger-parameters").set(...bearer(w.operator)).set("Idempotency-Key", idem()).send(next).expect(200);
    expect(scheduled.body.state).to.equal("SCHEDULED");
    expect(scheduled.body.operationId).to.match(/^0x[0-9a-f]{64}$/);
    expect(scheduled.body.readyAt).to.be.at.least((await chainNow()) + delay - 5);
    expect((await request(w.h.app).get("/v1/ledger-parameters").set(...bearer(w.tier1)).expect(200)).body).to.deep.equal({ minPartAmount: "100", maxDepth: 10, defaultOfferWindow: 7 * DAY });

    const { data, salt } = scheduled.body.call;
    const early = await request(w.h.app).post("/v1/ledger/changes/execute").set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ data, salt }).expect(409);
    expect(early.body.error).to.deep.include({ code: "LedgerChangeNotReady" });
    expect(early.body.error.details.readyAt).to.equal(scheduled.body.readyAt);
    await request(w.h.app).post("/v1/ledger/changes/execute").set(...bearer(w.bankA)).set("Idempotency-Key", idem()).send({ data, salt }).expect(403);

    await w.advanceTime(delay);
    const executed = await request(w.h.app).post("/v1/ledger/changes/execute").set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ data, salt }).expect(200);
    expect(executed.body).to.include({ state: "APPLIED", operationId: scheduled.body.operationId });
    expect((await request(w.h.app).get("/v1/ledger-parameters").set(...bearer(w.tier1)).expect(200)).body).to.deep.equal(next);

    const twice = await request(w.h.app).post("/v1/ledger/changes/execute").set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ data, salt }).expect(409);
    expect(twice.body.error.code).to.equal("LedgerChangeAlreadyExecuted");
  });

  it("answers a change never scheduled with 404, and a call that is not a ledger change with 400", async function () {
    const data = w.ctx.chain.ledger.interface.encodeFunctionData("setLedgerParameters", [900n, 3, DAY]);
    await request(w.h.app).post("/v1/ledger/changes/execute").set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ data, salt: ethers.id("never") }).expect(404);
    const other = w.ctx.chain.ledger.interface.encodeFunctionData("pause");
    const res = await request(w.h.app).post("/v1/ledger/changes/execute").set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ data: other, salt: ethers.id("x") }).expect(400);
    expect(res.body.error.details.fields[0].field).to.equal("body.data");
  });

  it("pauses without the timelock: pausing is the operator's own role", async function () {
    await request(w.h.app).post("/v1/ledger/pause").set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(200);
    expect((await request(w.h.app).get("/v1/ledger").set(...bearer(w.tier1)).expect(200)).body.paused).to.equal(true);
    await request(w.h.app).post("/v1/ledger/unpause").set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(200);
  });
});

describe("API: ledger changes through a timelock without delay (the embedded world's deployment)", function () {
  let w: World;

  before(async function () {
    w = await createWorld({ timelockDelay: 0n });
  });
  after(async function () {
    await w?.close();
  });

  it("schedules and executes a currency change in one request, applied at once", async function () {
    const [admin] = await ethers.getSigners();
    const token = (await (await new SettlementToken__factory(admin).deploy("Hong Kong dollar", "HKD", 2, admin!.address)).getAddress()).toLowerCase();
    const res = await request(w.h.app).put(`/v1/currencies/${token}`).set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ allowed: true }).expect(200);
    expect(res.body.state).to.equal("APPLIED");
    expect(res.body.operationId).to.match(/^0x[0-9a-f]{64}$/);
    expect(await w.ctx.chain.ledger.isCurrencyAllowed(token)).to.equal(true);
    const listed = (await request(w.h.app).get("/v1/currencies").set(...bearer(w.core)).expect(200)).body.items as { address: string; allowed: boolean }[];
    expect(listed.find((c) => c.address === token)?.allowed).to.equal(true);
  });
});
