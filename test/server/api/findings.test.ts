/**
 * The smaller findings of the black-box probe (issue 9, item 6), each played against the real API,
 * chain, indexer and database: pools listed before their first deposit, deep metadata refused at
 * validation, documents served as attachments, no-store on secrets, status filters applied before
 * paging, incoming offers paged, offers to unregistered addresses refused up front, the audit export's
 * default period and invoice hash, and SIWE_DOMAIN's default.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { keccak256, Wallet } from "ethers";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { loadApiConfig } from "../../../server/config/api";
import { invoiceNumberCommitment, invoiceNumberHashOf } from "../../../server/lib/typedData";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, UNIT, type Actor, type World } from "./world";

describe("API configuration: SIWE_DOMAIN", function () {
  it("defaults to where the API listens, as npm start serves it", function () {
    expect(loadApiConfig({}).SIWE_DOMAIN).to.equal("127.0.0.1:3000");
    expect(loadApiConfig({ API_PORT: "4100" }).SIWE_DOMAIN).to.equal("127.0.0.1:4100");
    expect(loadApiConfig({ API_PORT: "4100", SIWE_DOMAIN: "ledger.example.com" }).SIWE_DOMAIN).to.equal("ledger.example.com");
  });
});

for (const dialect of testDialects()) describe(`API: findings of the black-box probe (${dialect})`, function () {
  let w: World;
  let n = 0;
  const idem = () => `p-${Date.now()}-${++n}`;
  const post = (actor: Actor, path: string, body: object = {}) => request(w.h.app).post(path).set(...bearer(actor)).set("Idempotency-Key", idem()).send(body);
  /** Tier 1 registers an invoice of 1.00 on the core enterprise, due in 30 days. */
  const registerInvoice = async (fields: { invoiceNumber: string; metadata?: object; invoiceHash?: string; maturity?: number }) =>
    post(w.tier1, "/v1/invoices", { debtor: w.core.address, currency: w.currency, amount: "100", maturity: (await chainNow()) + 30 * DAY, ...fields });

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  it("lists a maturity pool before its first deposit, with what is due", async function () {
    const rootId = await confirmedReceivable(w, { supplier: w.tier1, amount: 7_000n * UNIT, maturityInDays: 77 });
    const { maturity } = (await request(w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(w.core)).expect(200)).body;
    const pools = await request(w.h.app).get("/v1/settlement/pools").set(...bearer(w.core)).expect(200);
    const pool = pools.body.items.find((p: { maturity: number }) => p.maturity === maturity);
    const vault = await ethers.getContractAt("RepaymentVault", w.addresses.vault);
    expect(pool).to.deep.equal({
      poolId: await vault.poolId(w.core.signer.address, w.currency, maturity),
      currency: w.currency,
      maturity,
      face: (7_000n * UNIT).toString(),
      deposited: "0",
      due: (7_000n * UNIT).toString(),
      overdue: false,
      cured: false,
      closed: false,
    });
  });

  it("refuses a confirmation into a maturity pool that holds money: 409 ReceivablePoolClosed naming the pool, the invoice stays registered (issue 8, F9)", async function () {
    const maturity = (await chainNow()) + 45 * DAY;
    const first = await registerInvoice({ invoiceNumber: "F9-1", maturity });
    const second = await registerInvoice({ invoiceNumber: "F9-2", maturity });
    expect([first.status, second.status], first.text + second.text).to.deep.equal([201, 201]);
    await post(w.core, `/v1/invoices/${first.body.invoiceHash}/confirm`).expect(201);
    await post(w.core, "/v1/settlement/deposits", { currency: w.currency, maturity, amount: "100" }).expect(201);
    const pools = await request(w.h.app).get("/v1/settlement/pools").set(...bearer(w.core)).expect(200);
    expect(pools.body.items.find((p: { maturity: number }) => p.maturity === maturity)).to.include({ face: "100", deposited: "100", closed: true });

    const refused = await post(w.core, `/v1/invoices/${second.body.invoiceHash}/confirm`);
    expect(refused.status, refused.text).to.equal(409);
    expect(refused.body.error.code).to.equal("ReceivablePoolClosed");
    expect(refused.body.error.details.args).to.deep.equal({ issuer: w.core.signer.address, currency: ethers.getAddress(w.currency), maturity: String(maturity) });
    const invoice = await request(w.h.app).get(`/v1/invoices/${second.body.invoiceHash}`).set(...bearer(w.core)).expect(200);
    expect(invoice.body.status).to.equal("REGISTERED");
    // A registration into the closed pool is refused the same way.
    const late = await registerInvoice({ invoiceNumber: "F9-3", maturity });
    expect(late.status, late.text).to.equal(409);
    expect(late.body.error.code).to.equal("ReceivablePoolClosed");
  });

  describe("nobody but the genuine parties can block an invoice (issue 8, F3)", function () {
    it("a squatter's registration of the same hash blocks neither the supplier nor its debtor, who names the genuine one", async function () {
      const invoiceHash = keccak256(Buffer.from(`F3 genuine document ${Date.now()}`));
      const maturity = (await chainNow()) + 40 * DAY;
      const body = { debtor: w.core.address, currency: w.currency, amount: "100", maturity, invoiceNumber: "F3-GENUINE", invoiceHash };
      // Tier 2 registers tier 1's document hash first, naming the same debtor.
      const squat = await post(w.tier2, "/v1/invoices", { ...body, amount: "999", invoiceNumber: "F3-SQUAT" });
      expect(squat.status, squat.text).to.equal(201);
      const genuine = await post(w.tier1, "/v1/invoices", body);
      expect(genuine.status, genuine.text).to.equal(201);

      // Two registrations are visible to the debtor: it must say which one it means.
      const ambiguous = await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.core));
      expect(ambiguous.status, ambiguous.text).to.equal(409);
      expect(ambiguous.body.error.code).to.equal("InvoiceRegistrationAmbiguous");
      expect(ambiguous.body.error.details.suppliers).to.have.members([w.tier1.address.toLowerCase(), w.tier2.address.toLowerCase()]);
      // Each supplier sees only its own.
      const own = await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.tier2)).expect(200);
      expect(own.body).to.include({ supplier: w.tier2.address.toLowerCase(), amount: "999" });

      // The debtor states the number its books hold; a wrong one is refused before anything is signed.
      const wrong = await post(w.core, `/v1/invoices/${invoiceHash}/confirm?supplier=${w.tier1.address}`, { invoiceNumber: "F3-SQUAT" });
      expect(wrong.status, wrong.text).to.equal(409);
      expect(wrong.body.error.code).to.equal("InvoiceNumberMismatch");
      const confirmed = await post(w.core, `/v1/invoices/${invoiceHash}/confirm?supplier=${w.tier1.address}`, { invoiceNumber: " f3-genuine " });
      expect(confirmed.status, confirmed.text).to.equal(201);
      const shown = await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.core)).expect(200);
      expect(shown.body).to.include({ supplier: w.tier1.address.toLowerCase(), status: "CONFIRMED", rootId: confirmed.body.rootId });
      expect(shown.body.invoiceNumberHash).to.equal(invoiceNumberHashOf("F3-GENUINE"));

      // The squatter's registration is dead (a hash confirms once); the debtor clears it.
      await post(w.core, `/v1/invoices/${invoiceHash}/reject?supplier=${w.tier2.address}`, { reason: "not our supplier's" }).expect(200);
      const rejected = await request(w.h.app).get(`/v1/invoices/${invoiceHash}?supplier=${w.tier2.address}`).set(...bearer(w.tier2)).expect(200);
      expect(rejected.body.status).to.equal("REJECTED");
    });

    it("refuses the same invoice number of the same supplier under a second document hash: 409 ReceivableInvoiceNumberAlreadyConfirmed", async function () {
      const maturity = (await chainNow()) + 40 * DAY;
      const first = await registerInvoice({ invoiceNumber: "F3-NUM-1", maturity, metadata: { copy: 1 } });
      const second = await registerInvoice({ invoiceNumber: " f3-num-1 ", maturity, metadata: { copy: 2 } });
      // Registration is refused only once the number is confirmed: both announce it for now.
      expect([first.status, second.status], first.text + second.text).to.deep.equal([201, 201]);
      expect(second.body.invoiceHash).to.not.equal(first.body.invoiceHash);
      const confirmed = await post(w.core, `/v1/invoices/${first.body.invoiceHash}/confirm`);
      expect(confirmed.status, confirmed.text).to.equal(201);
      const refused = await post(w.core, `/v1/invoices/${second.body.invoiceHash}/confirm`);
      expect(refused.status, refused.text).to.equal(409);
      expect(refused.body.error.code).to.equal("ReceivableInvoiceNumberAlreadyConfirmed");
      expect(refused.body.error.details.args).to.deep.equal({
        commitment: invoiceNumberCommitment(w.core.signer.address, w.tier1.signer.address, invoiceNumberHashOf("F3-NUM-1")),
        rootId: confirmed.body.rootId,
      });
      const still = await request(w.h.app).get(`/v1/invoices/${second.body.invoiceHash}`).set(...bearer(w.core)).expect(200);
      expect(still.body.status).to.equal("REGISTERED");
    });
  });

  it("refuses invoice metadata nested 5,000 deep (400 at validation), and oversized metadata", async function () {
    const deep = `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`;
    const body = `{"debtor":"${w.core.address}","currency":"${w.currency}","amount":"100","maturity":${(await chainNow()) + 30 * DAY},"invoiceNumber":"DEEP-1","metadata":${deep}}`;
    const res = await request(w.h.app).post("/v1/invoices").set(...bearer(w.tier1)).set("Idempotency-Key", idem()).set("Content-Type", "application/json").send(body);
    expect(res.status, res.text).to.equal(400);
    expect(res.body.error.details.fields[0].field).to.equal("body.metadata");
    const big = await registerInvoice({ invoiceNumber: "BIG-1", metadata: { notes: "x".repeat(40_000) } });
    expect(big.status).to.equal(400);
    expect(big.body.error.details.fields[0].field).to.equal("body.metadata");
    const ok = await registerInvoice({ invoiceNumber: "NESTED-OK", metadata: { lines: [{ sku: "A-1", refs: { po: "PO-9", parts: [1, 2] } }] } });
    expect(ok.status, ok.text).to.equal(201);
  });

  it("serves an uploaded document as an attachment of a fixed safe type, whatever type it was uploaded as", async function () {
    const document = Buffer.from("<html><script>alert(document.cookie)</script></html>", "utf8");
    const invoiceHash = keccak256(document);
    const registered = await registerInvoice({ invoiceNumber: "DOC-1", invoiceHash });
    expect(registered.status, registered.text).to.equal(201);
    await request(w.h.app).put(`/v1/invoices/${invoiceHash}/document`).set(...bearer(w.tier1)).set("Content-Type", "text/html").send(document).expect(200);
    const res = await request(w.h.app).get(`/v1/invoices/${invoiceHash}/document`).set(...bearer(w.core)).buffer(true).expect(200);
    expect(res.headers["content-type"]).to.equal("application/octet-stream");
    expect(res.headers["content-disposition"]).to.equal(`attachment; filename="invoice-${invoiceHash.slice(2)}.bin"`);
    expect(res.headers["x-content-type-options"]).to.equal("nosniff");
    expect(Buffer.from(res.body as Buffer).equals(document)).to.equal(true);
  });

  it("sends Cache-Control: no-store with a new API key and with a new session", async function () {
    const issued = await request(w.h.app).post("/v1/api-keys").set(...bearer(w.operator)).send({ kind: "AUDITOR", label: "no-store check" }).expect(201);
    expect(issued.headers["cache-control"]).to.equal("no-store");
    const session = await request(w.h.app).post("/v1/auth/sessions").send({ apiKey: issued.body.apiKey }).expect(201);
    expect(session.headers["cache-control"]).to.equal("no-store");
    const refused = await request(w.h.app).post("/v1/auth/sessions").send({ apiKey: "llk_nope" });
    expect(refused.headers["cache-control"]).to.equal("no-store");
  });

  describe("receivable lists", function () {
    let offeredAway: string;
    let active: string;

    before(async function () {
      // Tier 3 holds two parts: the older one it has offered on (OFFERED), the newer one ACTIVE.
      const rootId = await confirmedReceivable(w, { supplier: w.tier1, amount: 10_000n * UNIT, maturityInDays: 60 });
      offeredAway = (await post(w.tier1, `/v1/receivables/${rootId}/transfer`, { to: w.tier3.address, amount: (1_000n * UNIT).toString() })).body.offeredId;
      await post(w.tier3, `/v1/receivables/${offeredAway}/accept`).expect(200);
      active = (await post(w.tier1, `/v1/receivables/${rootId}/transfer`, { to: w.tier3.address, amount: (2_000n * UNIT).toString() })).body.offeredId;
      await post(w.tier3, `/v1/receivables/${active}/accept`).expect(200);
      await post(w.tier3, `/v1/receivables/${offeredAway}/transfer`, { to: w.tier2.address, amount: (1_000n * UNIT).toString() }).expect(201);
      expect(BigInt(offeredAway) < BigInt(active)).to.equal(true);
    });

    it("filters by status in SQL before paging: limit=1&status=ACTIVE answers the ACTIVE part", async function () {
      const res = await request(w.h.app).get("/v1/receivables?limit=1&status=ACTIVE").set(...bearer(w.tier3)).expect(200);
      expect(res.body.items.map((i: { id: string }) => i.id)).to.deep.equal([active]);
      expect(res.body.nextCursor).to.equal(null);
      const offered = await request(w.h.app).get("/v1/receivables?limit=1&status=OFFERED").set(...bearer(w.tier3)).expect(200);
      expect(offered.body.items.map((i: { id: string; status: string }) => [i.id, i.status])).to.deep.equal([[offeredAway, "OFFERED"]]);
      const matured = await request(w.h.app).get("/v1/receivables?status=MATURED").set(...bearer(w.tier3)).expect(200);
      expect(matured.body.items).to.deep.equal([]);
    });

    it("pages the incoming offers with a cursor", async function () {
      const rootId = await confirmedReceivable(w, { supplier: w.tier1, amount: 10_000n * UNIT, maturityInDays: 60 });
      const offered: string[] = [];
      for (let i = 0; i < 3; i++) offered.push((await post(w.tier1, `/v1/receivables/${rootId}/transfer`, { to: w.bankB.address, amount: (1_000n * UNIT).toString() })).body.offeredId);
      const first = await request(w.h.app).get("/v1/offers?limit=2").set(...bearer(w.bankB)).expect(200);
      expect(first.body.items.map((i: { id: string }) => i.id)).to.deep.equal(offered.slice(0, 2));
      expect(first.body.nextCursor).to.be.a("string");
      const second = await request(w.h.app).get(`/v1/offers?limit=2&cursor=${first.body.nextCursor}`).set(...bearer(w.bankB)).expect(200);
      expect(second.body.items.map((i: { id: string }) => i.id)).to.deep.equal(offered.slice(2));
      expect(second.body.nextCursor).to.equal(null);
      await request(w.h.app).get("/v1/offers?cursor=!!!").set(...bearer(w.bankB)).expect(400);
    });
  });

  it("refuses an offer to an unregistered address up front (409), sending nothing", async function () {
    const rootId = await confirmedReceivable(w, { supplier: w.tier1, amount: 5_000n * UNIT, maturityInDays: 60 });
    const head = await ethers.provider.getBlockNumber();
    const nobody = Wallet.createRandom().address;
    const res = await post(w.tier1, `/v1/receivables/${rootId}/transfer`, { to: nobody, amount: (1_000n * UNIT).toString() });
    expect(res.status, res.text).to.equal(409);
    expect(res.body.error).to.deep.include({ code: "OfferReceiverNotRegistered", details: { to: nobody.toLowerCase() } });
    expect(await ethers.provider.getBlockNumber()).to.equal(head);
    expect((await request(w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(w.tier1)).expect(200)).body.amount).to.equal((5_000n * UNIT).toString());
  });

  it("exports the last 30 days by default, and the receivables CSV carries each invoice hash", async function () {
    const invoiceHash = (await request(w.h.app).get("/v1/invoices?status=CONFIRMED").set(...bearer(w.tier1)).expect(200)).body.items[0].invoiceHash as string;
    const rootId = (await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.tier1)).expect(200)).body.rootId as string;
    const json = await request(w.h.app).get("/v1/audit/export?dataset=receivables&format=json").set(...bearer(w.auditor)).expect(200);
    expect(Date.parse(json.body.to) - Date.parse(json.body.from)).to.equal(30 * DAY * 1000);
    expect(Date.parse(json.body.to)).to.be.greaterThan((await chainNow()) * 1000);
    expect(json.body.columns).to.include("invoiceHash");
    expect(json.body.rows.find((r: { receivableId: string }) => r.receivableId === rootId).invoiceHash).to.equal(invoiceHash);
    const csv = await request(w.h.app).get("/v1/audit/export?dataset=receivables").set(...bearer(w.auditor)).expect(200);
    const [header, ...lines] = csv.text.trim().split("\n");
    const columns = (header as string).split(",");
    const row = lines.map((l) => l.split(",")).find((cells) => cells[columns.indexOf("receivableId")] === rootId);
    expect(row?.[columns.indexOf("invoiceHash")]).to.equal(invoiceHash);
    const empty = await request(w.h.app).get("/v1/audit/export?dataset=receivables&from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z").set(...bearer(w.auditor)).expect(400);
    expect(empty.body.error.details.fields[0].field).to.equal("query.from");
  });
});
