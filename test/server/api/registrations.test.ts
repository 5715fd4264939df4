/**
 * Registration of transfers and pledges (issue 12 item 4): for each financing the PBOC registry record its
 * financier files (JSON and CSV), the number and date it records once, the status in the portfolio, the
 * risk view and the audit export, and the flag on financings left unregistered past the due days. Only the
 * financing's financier (and the operator and auditors, read only) sees it: anyone else reads 404.
 */
import { expect } from "chai";
import request from "supertest";
import { REGISTRATION_COLUMNS } from "../../../server/domain/financing/routes";
import { creditCodeCheckCharacter } from "../../../server/domain/organisations/creditCode";
import { testDialects } from "../db/fresh";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type Actor, type World } from "./world";

let key = 0;
const idem = () => `registration-${Date.now()}-${++key}`;
const day = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 10);

for (const dialect of testDialects()) describe(`API: registration of transfers and pledges (${dialect})`, function () {
  let w: World;
  let purchase: { quoteHash: string; financedId: string; rootId: string; advance: string };
  let pledge: { quoteHash: string; financedId: string; rootId: string; repayment: string };
  let executedSec: number;
  const bankCode = "91110000100000001" + creditCodeCheckCharacter("91110000100000001");

  /** tier1 finances 20,000.00 of a fresh 50,000.00 receivable with `bank`; returns the financing. */
  async function finance(bank: Actor, terms: { mode: "PURCHASE" | "PLEDGE"; advance: bigint; repayment?: bigint }) {
    const rootId = await confirmedReceivable(w, { supplier: w.tier1, amount: 50_000n * UNIT, maturityInDays: 180 });
    const opened = await request(w.h.app)
      .post("/v1/financing-requests")
      .set(...bearer(w.tier1))
      .send({ receivableId: rootId, amount: (20_000n * UNIT).toString(), mode: terms.mode, deadline: (await chainNow()) + 2 * DAY })
      .expect(201);
    const quoted = await request(w.h.app)
      .post(`/v1/financing-requests/${opened.body.id}/quotes`)
      .set(...bearer(bank))
      .send({ mode: terms.mode, advance: terms.advance.toString(), ...(terms.repayment === undefined ? {} : { repayment: terms.repayment.toString() }), expiry: (await chainNow()) + 5 * DAY })
      .expect(201);
    const accepted = await request(w.h.app).post(`/v1/quotes/${quoted.body.id}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).expect(200);
    return { quoteHash: accepted.body.quoteHash as string, financedId: accepted.body.financedId as string, rootId };
  }

  const record = (actor: Actor, quoteHash: string) => request(w.h.app).get(`/v1/financings/${quoteHash}/registration`).set(...bearer(actor));
  const put = (actor: Actor, quoteHash: string, body: unknown) => request(w.h.app).put(`/v1/financings/${quoteHash}/registration`).set(...bearer(actor)).send(body as object);

  before(async function () {
    w = await createWorld({ dialect });
    purchase = { ...(await finance(w.bankA, { mode: "PURCHASE", advance: 19_500n * UNIT })), advance: (19_500n * UNIT).toString() };
    pledge = { ...(await finance(w.bankB, { mode: "PLEDGE", advance: 18_000n * UNIT, repayment: 18_600n * UNIT })), repayment: (18_600n * UNIT).toString() };
    executedSec = Number((await w.db.prisma.financingExecution.findUniqueOrThrow({ where: { quoteHash: purchase.quoteHash } })).blockTimestamp);
    // Bank A has a profile (issue 12 item 1); tier 1 has none.
    await request(w.h.app)
      .put(`/v1/organisations/${w.bankA.address}/profile`)
      .set(...bearer(w.operator))
      .send({
        legalName: { zh: "甲银行股份有限公司", en: "Bank A Co., Ltd." },
        creditCode: bankCode,
        registeredAddress: "北京市西城区金融大街1号",
        contact: { name: "李经理", phone: "+86 10 5555 0100", email: "scf@bank-a.example" },
        bankAccount: { name: "甲银行股份有限公司", bank: "甲银行总行营业部", number: "6222020200112345678" },
      })
      .expect(200);
  });
  after(async function () {
    await w?.close();
  });

  describe("the record the financier files", function () {
    it("describes a purchase as a transfer: parties, the receivable with its invoice hash, number commitment and number, amounts, maturity, registration period", async function () {
      const res = await record(w.bankA, purchase.quoteHash).expect(200);
      const root = await w.db.prisma.receivableRoot.findUniqueOrThrow({ where: { rootId: purchase.rootId } });
      const invoice = await w.db.prisma.invoice.findUniqueOrThrow({ where: { id: `${root.supplier}:${root.invoiceHash}` } });
      const financed = await w.db.prisma.receivable.findUniqueOrThrow({ where: { id: purchase.financedId } });
      expect(res.body.financing).to.include({ quoteHash: purchase.quoteHash, mode: "PURCHASE", registrationType: "TRANSFER" });
      expect(res.body.parties.financier).to.include({
        address: w.bankA.address,
        capacity: "TRANSFEREE",
        role: "FINANCIER",
        name: "甲银行股份有限公司",
        nameEn: "Bank A Co., Ltd.",
        creditCode: bankCode,
        registeredAddress: "北京市西城区金融大街1号",
      });
      expect(res.body.parties.holder).to.include({ address: w.tier1.address, capacity: "TRANSFEROR", role: "SUPPLIER", name: null, creditCode: null });
      expect(res.body.parties.holder.kycHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(res.body.parties.debtor).to.include({ address: w.core.address, capacity: "DEBTOR", role: "CORE_ENTERPRISE" });
      expect(res.body.receivable).to.include({
        financedId: purchase.financedId,
        rootId: purchase.rootId,
        invoiceHash: root.invoiceHash,
        invoiceNumberCommitment: invoice.invoiceNumberHash,
        amount: (20_000n * UNIT).toString(),
        maturity: day(Number(financed.maturity)),
      });
      expect(res.body.receivable.invoiceNumberCommitment).to.match(/^0x[0-9a-f]{64}$/);
      expect(res.body.receivable.invoiceNumber).to.match(/^INV-\d+$/);
      expect(res.body.receivable.currency).to.deep.equal({ address: w.currency, symbol: await w.cash.symbol(), decimals: 2 });
      expect(res.body.amounts).to.deep.equal({ currency: w.currency, financed: (20_000n * UNIT).toString(), advance: purchase.advance, securedClaim: null });
      // 180 days to maturity: 6 months, plus the 6-month margin.
      expect(res.body.registrationPeriod.months).to.equal(12);
      expect(res.body.registration).to.deep.include({ status: "UNREGISTERED", registrationNumber: null, registeredOn: null, overdue: false, dueBy: day(executedSec + 10 * DAY) });
    });

    it("describes a pledge with the pledgor, the pledgee and the secured claim", async function () {
      const res = await record(w.bankB, pledge.quoteHash).expect(200);
      expect(res.body.financing).to.include({ mode: "PLEDGE", registrationType: "PLEDGE" });
      expect(res.body.parties.financier).to.include({ address: w.bankB.address, capacity: "PLEDGEE" });
      expect(res.body.parties.holder).to.include({ address: w.tier1.address, capacity: "PLEDGOR" });
      expect(res.body.amounts.securedClaim).to.equal(pledge.repayment);
    });

    it("gives the same record as one CSV row", async function () {
      const res = await request(w.h.app).get(`/v1/financings/${purchase.quoteHash}/registration?format=csv`).set(...bearer(w.bankA)).expect(200).expect("Content-Type", /text\/csv/);
      const lines = res.text.trim().split("\n");
      expect(lines).to.have.length(2);
      expect(lines[0]).to.equal(REGISTRATION_COLUMNS.join(","));
      // RFC 4180 cells: the description has commas, so it is quoted.
      const cells = [...lines[1]!.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, "").replace(/""/g, '"')).slice(0, REGISTRATION_COLUMNS.length);
      expect(cells[REGISTRATION_COLUMNS.indexOf("description")]).to.include(`invoice ${(await record(w.bankA, purchase.quoteHash)).body.receivable.invoiceHash}`);
      expect(cells[REGISTRATION_COLUMNS.indexOf("quoteHash")]).to.equal(purchase.quoteHash);
      expect(cells[REGISTRATION_COLUMNS.indexOf("registrationType")]).to.equal("TRANSFER");
      expect(cells[REGISTRATION_COLUMNS.indexOf("holderAddress")]).to.equal(w.tier1.address);
      expect(cells[REGISTRATION_COLUMNS.indexOf("financierName")]).to.equal("甲银行股份有限公司");
      expect(cells[REGISTRATION_COLUMNS.indexOf("financierCreditCode")]).to.equal(bankCode);
      expect(cells[REGISTRATION_COLUMNS.indexOf("registrationStatus")]).to.equal("UNREGISTERED");
    });

    it("shows it to the operator and auditors, and to nobody else but its financier: another financier, the holder, the debtor read 404", async function () {
      await record(w.operator, purchase.quoteHash).expect(200);
      await record(w.auditor, purchase.quoteHash).expect(200);
      for (const actor of [w.bankB, w.tier1, w.tier2, w.core]) {
        const res = await record(actor, purchase.quoteHash).expect(404);
        expect(res.body.error.code).to.equal("NotFound");
      }
      await record(w.bankA, pledge.quoteHash).expect(404);
      await record(w.bankA, `0x${"ab".repeat(32)}`).expect(404);
      expect((await record(w.bankA, "0x1234").expect(400)).body.error.details.fields[0].field).to.equal("params.quoteHash");
    });
  });

  describe("recording the registration", function () {
    const valid = () => ({ registrationNumber: "04512026112900012345", registeredOn: day(executedSec) });

    it("refuses another financier, the holder and the debtor (404), the operator and auditors (403), and records nothing", async function () {
      for (const actor of [w.bankB, w.tier1, w.core]) expect((await put(actor, purchase.quoteHash, valid()).expect(404)).body.error.code).to.equal("NotFound");
      for (const actor of [w.operator, w.auditor]) expect((await put(actor, purchase.quoteHash, valid()).expect(403)).body.error.code).to.equal("RoleNotAllowed");
      expect(await w.db.prisma.financingRegistration.count()).to.equal(0);
    });

    for (const [name, body, field] of [
      ["a number in lower case", { registrationNumber: "04512026abc", registeredOn: "2026-11-29" }, "body.registrationNumber"],
      ["a number too short", { registrationNumber: "0451", registeredOn: "2026-11-29" }, "body.registrationNumber"],
      ["a number with a dash", { registrationNumber: "0451-2026-1129-0001", registeredOn: "2026-11-29" }, "body.registrationNumber"],
      ["a date that does not exist", { registrationNumber: "04512026112900012345", registeredOn: "2026-02-30" }, "body.registeredOn"],
      ["a date with a time", { registrationNumber: "04512026112900012345", registeredOn: "2026-11-29T10:00:00Z" }, "body.registeredOn"],
      ["a missing date", { registrationNumber: "04512026112900012345" }, "body.registeredOn"],
    ] as const) {
      it(`refuses ${name} (400 naming ${field}) and records nothing`, async function () {
        const res = await put(w.bankA, purchase.quoteHash, body).expect(400);
        expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal([field]);
        expect(await w.db.prisma.financingRegistration.count()).to.equal(0);
      });
    }

    it("refuses a date before the financing or in the future (400 naming body.registeredOn)", async function () {
      for (const registeredOn of [day(executedSec - DAY), day((await chainNow()) + 2 * DAY)]) {
        const res = await put(w.bankA, purchase.quoteHash, { ...valid(), registeredOn }).expect(400);
        expect(res.body.error.details.fields[0].field).to.equal("body.registeredOn");
      }
      expect(await w.db.prisma.financingRegistration.count()).to.equal(0);
    });

    it("records it: the record, the portfolio and the audit log show it", async function () {
      const res = await put(w.bankA, purchase.quoteHash, valid()).expect(200);
      expect(res.body.registration).to.deep.include({ status: "REGISTERED", ...valid(), overdue: false });
      expect((await record(w.bankA, purchase.quoteHash).expect(200)).body.registration).to.deep.include({ status: "REGISTERED", ...valid() });
      const portfolio = await request(w.h.app).get("/v1/portfolio").set(...bearer(w.bankA)).expect(200);
      const item = portfolio.body.items.find((i: { quoteHash: string }) => i.quoteHash === purchase.quoteHash);
      expect(item.registration).to.deep.include({ status: "REGISTERED", ...valid() });
      const logged = await w.db.prisma.auditLog.findMany({ where: { action: "registration.record" } });
      const bankKey = await w.db.prisma.apiKey.findFirstOrThrow({ where: { organisation: w.bankA.address, label: "bankA" } });
      expect(logged.map((l) => [l.actor, l.target])).to.deep.equal([[`key:${bankKey.id}`, purchase.quoteHash]]);
    });

    it("answers the same values again as the first time, and other values with 409 RegistrationAlreadyRecorded", async function () {
      const again = await put(w.bankA, purchase.quoteHash, valid()).expect(200);
      expect(again.body.registration).to.deep.include({ status: "REGISTERED", ...valid() });
      const other = await put(w.bankA, purchase.quoteHash, { ...valid(), registrationNumber: "04512026112900099999" }).expect(409);
      expect(other.body.error).to.deep.include({ code: "RegistrationAlreadyRecorded" });
      expect(other.body.error.details).to.deep.equal(valid());
      expect(await w.db.prisma.financingRegistration.count()).to.equal(1);
      expect(await w.db.prisma.auditLog.count({ where: { action: "registration.record" } })).to.equal(1);
    });
  });

  describe("unregistered financings past the due days", function () {
    before(async function () {
      await w.advanceTime(11 * DAY);
    });

    it("are flagged in the portfolio; a registered one is not", async function () {
      const b = (await request(w.h.app).get("/v1/portfolio").set(...bearer(w.bankB)).expect(200)).body;
      expect(b.items.find((i: { quoteHash: string }) => i.quoteHash === pledge.quoteHash).registration).to.deep.include({ status: "UNREGISTERED", overdue: true });
      expect(b.unregisteredOverdue).to.equal(1);
      const a = (await request(w.h.app).get("/v1/portfolio").set(...bearer(w.bankA)).expect(200)).body;
      expect(a.items.find((i: { quoteHash: string }) => i.quoteHash === purchase.quoteHash).registration).to.deep.include({ status: "REGISTERED", overdue: false });
      expect(a.unregisteredOverdue).to.equal(0);
    });

    it("show in the risk view of another part of the same tree, as counts", async function () {
      const riskOf = async (rootId: string) => {
        const opened = await request(w.h.app)
          .post("/v1/financing-requests")
          .set(...bearer(w.tier1))
          .send({ receivableId: rootId, amount: (10_000n * UNIT).toString(), mode: "ANY", deadline: (await chainNow()) + 2 * DAY })
          .expect(201);
        const open = await request(w.h.app).get("/v1/financing-requests").set(...bearer(w.bankB)).expect(200);
        return open.body.items.find((i: { id: string }) => i.id === opened.body.id).risk.registrations;
      };
      expect(await riskOf(purchase.rootId)).to.deep.equal({ financings: 1, registered: 1, unregistered: 0, overdue: 0 });
      expect(await riskOf(pledge.rootId)).to.deep.equal({ financings: 1, registered: 0, unregistered: 1, overdue: 1 });
      const fresh = await confirmedReceivable(w, { supplier: w.tier1, amount: 20_000n * UNIT });
      expect(await riskOf(fresh)).to.deep.equal({ financings: 0, registered: 0, unregistered: 0, overdue: 0 });
    });

    it("are in the audit export of financings, with each registration", async function () {
      const res = await request(w.h.app)
        .get("/v1/audit/export?dataset=financings&format=json&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z")
        .set(...bearer(w.auditor))
        .expect(200);
      expect(res.body.columns).to.include.members(["registrationStatus", "registrationNumber", "registeredOn", "registrationOverdue"]);
      const row = (quoteHash: string) => res.body.rows.find((r: { quoteHash: string }) => r.quoteHash === quoteHash);
      expect(row(purchase.quoteHash)).to.include({ registrationStatus: "REGISTERED", registrationNumber: "04512026112900012345", registeredOn: day(executedSec), registrationOverdue: false });
      expect(row(pledge.quoteHash)).to.include({ registrationStatus: "UNREGISTERED", registrationNumber: null, registrationOverdue: true });
    });
  });
});
