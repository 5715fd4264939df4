/**
 * People and duties inside an organisation, maker-checker (issue 12 item 2), through the API on the
 * real system: users with duties and keys of their own, thresholds, prepared actions approved by a
 * checker other than their maker, expiry, rejection, and two checkers approving at once (through two
 * API processes) sending exactly one transaction. Each route's object-level (BOLA) and duty (BFLA)
 * denials; the mechanical pass over every route's duty is in coverage.test.ts.
 */
import { expect } from "chai";
import request from "supertest";
import { testDialects } from "../db/fresh";
import type { OrganisationPrincipal } from "../../../server/auth/principal";
import { executeGoverned, parseStored } from "../../../server/domain/approvals/governed";
import { ChainUnavailableError } from "../../../server/lib/appErrors";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, registerInvoice, UNIT, type Actor, type World } from "./world";

interface User {
  id: string;
  auth: string;
}

for (const dialect of testDialects()) describe(`API: users, duties and maker-checker (${dialect})`, function () {
  let w: World;
  let seq = 0;
  const idem = () => `mc-${Date.now()}-${++seq}`;
  const app = () => request(w.h.app);

  /** An admin of `org` adds a user with `duties` and gives it a key. */
  async function user(org: Actor, name: string, duties: string[]): Promise<User> {
    const created = await app().post("/v1/users").set(...bearer(org)).send({ name, duties });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const key = await app().post(`/v1/users/${created.body.id}/api-keys`).set(...bearer(org)).send({ label: `${name}'s key` }).expect(201);
    expect(key.body.userId).to.equal(created.body.id);
    return { id: created.body.id as string, auth: key.body.apiKey as string };
  }

  async function setThresholds(org: Actor, thresholds: { action: string; amount: bigint }[], approvalWindowSeconds?: number) {
    const res = await app()
      .put("/v1/thresholds")
      .set(...bearer(org))
      .send({ thresholds: thresholds.map((t) => ({ action: t.action, currency: w.currency, amount: t.amount.toString() })), ...(approvalWindowSeconds === undefined ? {} : { approvalWindowSeconds }) });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  async function prepare(by: User, body: Record<string, unknown>) {
    return app().post("/v1/prepared-actions").set(...bearer(by)).set("Idempotency-Key", idem()).send(body);
  }

  async function approve(by: User, id: string, on = w.h.app) {
    return request(on).post(`/v1/prepared-actions/${id}/approve`).set(...bearer(by)).set("Idempotency-Key", idem()).send();
  }

  async function invoiceStatus(hash: string) {
    return (await app().get(`/v1/invoices/${hash}`).set(...bearer(w.core)).expect(200)).body.status as string;
  }

  async function auditRows(action: string, target?: string) {
    const res = await app().get("/v1/audit/export?dataset=actions&format=json").set(...bearer(w.auditor)).expect(200);
    return (res.body.rows as { action: string; target: string | null; user: string | null; userName: string | null; txHash: string | null; detail: string | null }[]).filter(
      (r) => r.action === action && (target === undefined || r.target === target),
    );
  }

  let coreMaker: User;
  let coreChecker: User;
  let coreChecker2: User;
  let coreViewer: User;
  let tier1Maker: User;
  let tier1Checker: User;
  let tier1Checker2: User;
  let bankMaker: User;
  let bankChecker: User;
  let otherChecker: User;

  before(async function () {
    w = await createWorld({ dialect });
    coreMaker = await user(w.core, "Core maker", ["maker"]);
    coreChecker = await user(w.core, "Core checker", ["checker"]);
    coreChecker2 = await user(w.core, "Core checker 2", ["checker", "viewer"]);
    coreViewer = await user(w.core, "Core viewer", ["viewer"]);
    tier1Maker = await user(w.tier1, "Tier 1 maker", ["maker"]);
    tier1Checker = await user(w.tier1, "Tier 1 checker", ["checker"]);
    tier1Checker2 = await user(w.tier1, "Tier 1 checker 2", ["checker"]);
    bankMaker = await user(w.bankA, "Bank maker", ["maker", "viewer"]);
    bankChecker = await user(w.bankA, "Bank checker", ["checker"]);
    otherChecker = await user(w.bankB, "Other bank checker", ["checker", "admin"]);
  });
  after(async function () {
    await w?.close();
  });

  describe("users and their duties", function () {
    it("lets an admin list its organisation's users with their duties, its own keys' users included", async function () {
      const res = await app().get("/v1/users").set(...bearer(w.core)).expect(200);
      const byName = new Map((res.body.items as { name: string; duties: string[]; organisation: string }[]).map((u) => [u.name, u]));
      expect(byName.get("Core maker")?.duties).to.deep.equal(["maker"]);
      expect(byName.get("Core checker 2")?.duties).to.deep.equal(["checker", "viewer"]);
      // The organisation's key issued without a user (as every key was before users) is a user with every duty.
      expect(byName.get("core")?.duties).to.deep.equal(["admin", "maker", "checker", "viewer"]);
      expect([...byName.values()].every((u) => u.organisation === w.core.address)).to.equal(true);
      expect([...byName.keys()]).to.not.include("Tier 1 maker");
    });

    it("tells each user who it is and what it may do (GET /v1/me)", async function () {
      const me = await app().get("/v1/me").set(...bearer(coreChecker)).expect(200);
      expect(me.body).to.deep.include({ role: "CORE_ENTERPRISE", organisation: w.core.address, admin: false });
      expect(me.body.user).to.deep.equal({ id: coreChecker.id, name: "Core checker", duties: ["checker"] });
    });

    it("refuses a viewer or a maker an admin's job (403 DutyRequired), and changes nothing", async function () {
      for (const who of [coreViewer, coreMaker, coreChecker]) {
        const res = await app().post("/v1/users").set(...bearer(who)).send({ name: "intruder", duties: ["admin"] }).expect(403);
        expect(res.body.error).to.deep.include({ code: "DutyRequired" });
        expect(res.body.error.details.required).to.equal("admin");
        expect((await app().put(`/v1/users/${who.id}/duties`).set(...bearer(who)).send({ duties: ["admin"] }).expect(403)).body.error.code).to.equal("DutyRequired");
        expect((await app().post("/v1/api-keys").set(...bearer(who)).send({ label: "mine" }).expect(403)).body.error.code).to.equal("DutyRequired");
        expect((await app().put("/v1/thresholds").set(...bearer(who)).send({ thresholds: [] }).expect(403)).body.error.code).to.equal("DutyRequired");
      }
      const users = await app().get("/v1/users").set(...bearer(w.core)).expect(200);
      expect(users.body.items.map((u: { name: string }) => u.name)).to.not.include("intruder");
      expect((await app().get("/v1/me").set(...bearer(coreViewer)).expect(200)).body.user.duties).to.deep.equal(["viewer"]);
    });

    it("answers 404 for another organisation's user, whatever the admin asks of it", async function () {
      const paths = [
        () => app().get(`/v1/users/${coreMaker.id}`).set(...bearer(w.bankB)),
        () => app().put(`/v1/users/${coreMaker.id}/duties`).set(...bearer(w.bankB)).send({ duties: ["viewer"] }),
        () => app().post(`/v1/users/${coreMaker.id}/disable`).set(...bearer(w.bankB)),
        () => app().post(`/v1/users/${coreMaker.id}/api-keys`).set(...bearer(w.bankB)).send({ label: "stolen" }),
        () => app().post("/v1/api-keys").set(...bearer(w.bankB)).send({ label: "stolen", userId: coreMaker.id }),
      ];
      for (const call of paths) {
        const res = await call();
        expect([res.status, res.body.error?.code], JSON.stringify(res.body)).to.deep.equal([404, "NotFound"]);
      }
      // Another organisation's key naming a user of its own organisation that does not exist: the same 404.
      expect((await app().get("/v1/users/usr_0000000000000000").set(...bearer(w.bankB)).expect(404)).body.error.code).to.equal("NotFound");
      expect((await app().get("/v1/me").set(...bearer(coreMaker)).expect(200)).body.user.duties).to.deep.equal(["maker"]);
    });

    it("applies a change of duties to the user's next request", async function () {
      const temp = await user(w.core, "Temp", ["viewer"]);
      await app().post("/v1/prepared-actions").set(...bearer(temp)).set("Idempotency-Key", idem()).send({ action: "settlement.deposit", body: {} }).expect(403);
      const changed = await app().put(`/v1/users/${temp.id}/duties`).set(...bearer(w.core)).send({ duties: ["maker", "viewer"] }).expect(200);
      expect(changed.body.duties).to.deep.equal(["maker", "viewer"]);
      expect((await app().get("/v1/me").set(...bearer(temp)).expect(200)).body.user.duties).to.deep.equal(["maker", "viewer"]);
    });

    it("disables a user: its keys stop working at once", async function () {
      const temp = await user(w.core, "Leaver", ["maker"]);
      const session = await app().post("/v1/auth/sessions").send({ apiKey: temp.auth }).expect(201);
      const res = await app().post(`/v1/users/${temp.id}/disable`).set(...bearer(w.core)).expect(200);
      expect(res.body.disabledAt).to.be.a("string");
      expect((await app().get("/v1/me").set(...bearer(temp)).expect(401)).body.error.code).to.equal("CredentialInvalid");
      await app().get("/v1/me").set("Authorization", `Bearer ${session.body.token}`).expect(401);
      const key = await app().post(`/v1/users/${temp.id}/api-keys`).set(...bearer(w.core)).send({ label: "again" }).expect(409);
      expect(key.body.error.code).to.equal("UserDisabled");
    });

    it("never leaves an organisation without an enabled admin (409 LastAdmin)", async function () {
      const me = await app().get("/v1/me").set(...bearer(w.tier3)).expect(200);
      const own = me.body.user.id as string;
      const demote = await app().put(`/v1/users/${own}/duties`).set(...bearer(w.tier3)).send({ duties: ["maker"] }).expect(409);
      expect(demote.body.error.code).to.equal("LastAdmin");
      expect((await app().post(`/v1/users/${own}/disable`).set(...bearer(w.tier3)).expect(409)).body.error.code).to.equal("LastAdmin");
      expect((await app().get("/v1/me").set(...bearer(w.tier3)).expect(200)).body.user.duties).to.include("admin");
      // With a second admin, the first may step down.
      const second = await user(w.tier3, "Second admin", ["admin"]);
      await app().put(`/v1/users/${own}/duties`).set(...bearer(second)).send({ duties: ["maker", "checker", "viewer"] }).expect(200);
      expect((await app().get("/v1/me").set(...bearer(w.tier3)).expect(200)).body.admin).to.equal(false);
      await app().put(`/v1/users/${own}/duties`).set(...bearer(second)).send({ duties: ["admin", "maker", "checker", "viewer"] }).expect(200);
    });

    it("refuses duties that are unknown, repeated or none (400 naming the field)", async function () {
      for (const duties of [[], ["root"], ["maker", "maker"]]) {
        const res = await app().post("/v1/users").set(...bearer(w.core)).send({ name: "x", duties }).expect(400);
        expect(res.body.error.details.fields[0].field).to.match(/^body\.duties/);
      }
    });
  });

  describe("thresholds", function () {
    it("need no checker until an admin sets them, and every user of the organisation reads them", async function () {
      const res = await app().get("/v1/thresholds").set(...bearer(coreViewer)).expect(200);
      expect(res.body).to.deep.equal({ organisation: w.core.address, approvalWindowSeconds: 86_400, thresholds: [], updatedBy: null, updatedAt: null });
    });

    it("are set by an admin as a whole, per action and currency, in base units", async function () {
      const body = await setThresholds(w.bankA, [{ action: "QUOTE", amount: 1_000n * UNIT }]);
      expect(body.thresholds).to.deep.equal([{ action: "QUOTE", currency: w.currency, amount: (1_000n * UNIT).toString() }]);
      expect(body.updatedBy.name).to.equal("bankA");
      const seen = await app().get("/v1/thresholds").set(...bearer(bankMaker)).expect(200);
      expect(seen.body.thresholds).to.deep.equal(body.thresholds);
      // Another organisation's are its own, even when it names bank A: `organisation` is for the operator and auditors.
      expect((await app().get("/v1/thresholds").set(...bearer(w.bankB)).expect(200)).body.thresholds).to.deep.equal([]);
      const named = await app().get(`/v1/thresholds?organisation=${w.bankA.address}`).set(...bearer(w.bankB)).expect(200);
      expect(named.body).to.deep.include({ organisation: w.bankB.address, thresholds: [] });
      const users = await app().get(`/v1/users?organisation=${w.bankA.address}`).set(...bearer(w.bankB)).expect(200);
      expect(users.body.items.every((u: { organisation: string }) => u.organisation === w.bankB.address)).to.equal(true);
      // The auditor reads bank A's.
      const audited = await app().get(`/v1/thresholds?organisation=${w.bankA.address}`).set(...bearer(w.auditor)).expect(200);
      expect(audited.body.thresholds).to.deep.equal(body.thresholds);
    });

    it("refuses a repeated action and currency, a negative or fractional amount, an out-of-range window", async function () {
      const bad = [
        { thresholds: [{ action: "QUOTE", currency: w.currency, amount: "1" }, { action: "QUOTE", currency: w.currency, amount: "2" }] },
        { thresholds: [{ action: "QUOTE", currency: w.currency, amount: "-1" }] },
        { thresholds: [{ action: "QUOTE", currency: w.currency, amount: "1.5" }] },
        { thresholds: [{ action: "SPLIT", currency: w.currency, amount: "1" }] },
        { thresholds: [], approvalWindowSeconds: 59 },
      ];
      for (const body of bad) {
        const res = await app().put("/v1/thresholds").set(...bearer(w.bankA)).send(body).expect(400);
        expect(res.body.error.details.fields[0].field).to.match(/^body\./);
      }
      expect((await app().get("/v1/thresholds").set(...bearer(w.bankA)).expect(200)).body.thresholds).to.have.length(1);
    });
  });

  describe("a maker alone", function () {
    before(async function () {
      await setThresholds(w.core, [
        { action: "CONFIRMATION", amount: 1_000n * UNIT },
        { action: "DEPOSIT", amount: 1_000n * UNIT },
      ]);
      await setThresholds(w.tier1, [{ action: "TRANSFER", amount: 500n * UNIT }]);
      await setThresholds(w.bankA, [{ action: "QUOTE", amount: 500n * UNIT }]);
    });
    after(async function () {
      // The prepared actions below confirm larger invoices with the organisations' own keys.
      await setThresholds(w.core, [{ action: "DEPOSIT", amount: 1_000n * UNIT }]);
    });

    it("cannot confirm above the threshold: 403 ApprovalRequired, and the invoice stays unconfirmed", async function () {
      const hash = await registerInvoice(w, { amount: 5_000n * UNIT });
      const res = await app().post(`/v1/invoices/${hash}/confirm`).set(...bearer(coreMaker)).set("Idempotency-Key", idem()).send({}).expect(403);
      expect(res.body.error.code).to.equal("ApprovalRequired");
      expect(res.body.error.details).to.deep.equal({ action: "invoice.confirm", currency: w.currency, amount: (5_000n * UNIT).toString(), threshold: (1_000n * UNIT).toString() });
      expect(await invoiceStatus(hash)).to.equal("REGISTERED");
      // The organisation's own admin key is a user too: the threshold binds it as well.
      expect((await app().post(`/v1/invoices/${hash}/confirm`).set(...bearer(w.core)).set("Idempotency-Key", idem()).send({}).expect(403)).body.error.code).to.equal("ApprovalRequired");
      expect(await invoiceStatus(hash)).to.equal("REGISTERED");
    });

    it("confirms at or below the threshold on its own", async function () {
      const hash = await registerInvoice(w, { amount: 1_000n * UNIT });
      const res = await app().post(`/v1/invoices/${hash}/confirm`).set(...bearer(coreMaker)).set("Idempotency-Key", idem()).send({});
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(await invoiceStatus(hash)).to.equal("CONFIRMED");
      const [entry] = await auditRows("invoice.confirm", hash);
      expect(entry).to.deep.include({ user: coreMaker.id, userName: "Core maker" });
    });

    it("cannot transfer, deposit or quote above the threshold either, and nothing moves", async function () {
      const id = await confirmedReceivable(w, { supplier: w.tier1, amount: 900n * UNIT });
      const within = await app().post(`/v1/receivables/${id}/transfer`).set(...bearer(tier1Maker)).set("Idempotency-Key", idem()).send({ to: w.tier2.address, amount: (500n * UNIT).toString() });
      expect(within.status, JSON.stringify(within.body)).to.equal(201);
      const other = await confirmedReceivable(w, { supplier: w.tier1, amount: 900n * UNIT });
      const transfer = await app().post(`/v1/receivables/${other}/transfer`).set(...bearer(tier1Maker)).set("Idempotency-Key", idem()).send({ to: w.tier2.address, amount: (500n * UNIT + 1n).toString() }).expect(403);
      expect(transfer.body.error.details).to.deep.include({ action: "receivable.transfer", amount: (500n * UNIT + 1n).toString(), threshold: (500n * UNIT).toString() });
      expect((await app().get(`/v1/receivables/${other}`).set(...bearer(w.tier1)).expect(200)).body).to.deep.include({ status: "ACTIVE", amount: (900n * UNIT).toString(), offeredTo: null });

      const maturity = (await chainNow()) + 90 * DAY;
      const deposit = await app().post("/v1/settlement/deposits").set(...bearer(coreMaker)).set("Idempotency-Key", idem()).send({ currency: w.currency, maturity, amount: (1_000n * UNIT + 1n).toString() }).expect(403);
      expect(deposit.body.error.details).to.deep.include({ action: "settlement.deposit", threshold: (1_000n * UNIT).toString() });
      expect(await auditRows("settlement.deposit")).to.have.length(0);

      const target = await confirmedReceivable(w, { supplier: w.tier2, amount: 800n * UNIT, maturityInDays: 120 });
      const req = await app()
        .post("/v1/financing-requests")
        .set(...bearer(w.tier2))
        .send({ receivableId: target, amount: (800n * UNIT).toString(), mode: "PURCHASE", deadline: (await chainNow()) + 2 * DAY })
        .expect(201);
      const above = await app()
        .post(`/v1/financing-requests/${req.body.id}/quotes`)
        .set(...bearer(bankMaker))
        .send({ advance: (700n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY })
        .expect(403);
      expect(above.body.error.details).to.deep.include({ action: "quote.submit", amount: (700n * UNIT).toString(), threshold: (500n * UNIT).toString() });
      expect((await app().get(`/v1/financing-requests/${req.body.id}/quotes`).set(...bearer(w.tier2)).expect(200)).body.items).to.have.length(0);
      const below = await app()
        .post(`/v1/financing-requests/${req.body.id}/quotes`)
        .set(...bearer(bankMaker))
        .send({ advance: (500n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY });
      expect(below.status, JSON.stringify(below.body)).to.equal(201);
      const direct = await app().get(`/v1/quotes/${below.body.id}/evidence`).set(...bearer(w.bankA)).expect(200);
      expect(direct.body.record.preparedBy).to.deep.include({ organisation: w.bankA.address, userId: bankMaker.id });
      expect(direct.body.record.approvedBy).to.equal(null);
      // Revising it above the threshold is a quote above the threshold too.
      const revise = await app().put(`/v1/quotes/${below.body.id}`).set(...bearer(bankMaker)).set("Idempotency-Key", idem()).send({ advance: (600n * UNIT).toString() }).expect(403);
      expect(revise.body.error.details).to.deep.include({ action: "quote.revise", amount: (600n * UNIT).toString() });
      expect((await app().get(`/v1/quotes/${below.body.id}`).set(...bearer(bankMaker)).expect(200)).body).to.deep.include({ status: "OPEN", advance: (500n * UNIT).toString() });
    });

    it("cannot send at all as a viewer or a checker (403 DutyRequired)", async function () {
      const hash = await registerInvoice(w, { amount: 10n * UNIT });
      for (const who of [coreViewer, coreChecker]) {
        const res = await app().post(`/v1/invoices/${hash}/confirm`).set(...bearer(who)).set("Idempotency-Key", idem()).send({}).expect(403);
        expect(res.body.error).to.deep.include({ code: "DutyRequired" });
        expect((await prepare(who, { action: "invoice.confirm", params: { invoiceHash: hash }, body: {} })).body.error.code).to.equal("DutyRequired");
      }
      expect(await invoiceStatus(hash)).to.equal("REGISTERED");
    });
  });

  describe("prepared actions", function () {
    let hash: string;
    let preparedId: string;

    before(async function () {
      hash = await registerInvoice(w, { amount: 5_000n * UNIT });
    });

    it("are prepared by a maker with the request as validated, waiting for a checker", async function () {
      const res = await prepare(coreMaker, { action: "invoice.confirm", params: { invoiceHash: hash.toUpperCase().replace("0X", "0x") }, body: {} });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      preparedId = res.body.id;
      expect(res.body).to.deep.include({
        action: "invoice.confirm",
        organisation: w.core.address,
        currency: w.currency,
        amount: (5_000n * UNIT).toString(),
        status: "PENDING",
        approvedBy: null,
        result: null,
      });
      // Stored as the route parsed it (the hash lower-cased), which is what approving sends.
      expect(res.body.request).to.deep.equal({ params: { invoiceHash: hash }, query: {}, body: {} });
      expect(res.body.requestHash).to.match(/^[0-9a-f]{64}$/);
      expect(res.body.preparedBy).to.deep.equal({ id: coreMaker.id, name: "Core maker" });
      expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.preparedAt)).to.equal(86_400_000);
      expect(await invoiceStatus(hash)).to.equal("REGISTERED");
      const [entry] = await auditRows("preparedAction.prepare", preparedId);
      expect(entry).to.deep.include({ user: coreMaker.id });
    });

    it("are seen by every user of the organisation, and by nobody of another (404)", async function () {
      const list = await app().get("/v1/prepared-actions?status=PENDING").set(...bearer(coreViewer)).expect(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).to.include(preparedId);
      await app().get(`/v1/prepared-actions/${preparedId}`).set(...bearer(coreChecker)).expect(200);
      expect((await app().get(`/v1/prepared-actions/${preparedId}`).set(...bearer(w.bankB)).expect(404)).body.error.code).to.equal("NotFound");
      const foreign = await app().get(`/v1/prepared-actions?organisation=${w.core.address}`).set(...bearer(w.bankB)).expect(200);
      expect(foreign.body.items.map((a: { id: string }) => a.id)).to.not.include(preparedId);
      for (const path of ["approve", "reject", "cancel"]) {
        const res = await app()
          .post(`/v1/prepared-actions/${preparedId}/${path}`)
          .set(...bearer(otherChecker))
          .set("Idempotency-Key", idem())
          .send(path === "reject" ? { reason: "not yours" } : undefined);
        // The other bank's checker is an admin and a checker but no maker: cancel is a maker's job (403 before the lookup).
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(path === "cancel" ? 403 : 404);
      }
      await app().post(`/v1/prepared-actions/${preparedId}/cancel`).set(...bearer(w.bankB)).expect(404);
      expect((await app().get(`/v1/prepared-actions/${preparedId}`).set(...bearer(coreViewer)).expect(200)).body.status).to.equal("PENDING");
    });

    it("cannot be approved by their maker, nor by a viewer or a maker", async function () {
      const own = await approve(coreMaker, preparedId);
      expect(own.status).to.equal(403);
      expect(own.body.error.code).to.equal("DutyRequired");
      // A user who is both maker and checker still cannot approve what it prepared.
      const both = await user(w.core, "Maker and checker", ["maker", "checker"]);
      const mine = await prepare(both, { action: "invoice.confirm", params: { invoiceHash: hash }, body: {} });
      expect(mine.status).to.equal(201);
      const self = await approve(both, mine.body.id);
      expect([self.status, self.body.error.code]).to.deep.equal([403, "MakerCannotApprove"]);
      expect((await approve(coreViewer, preparedId)).body.error.code).to.equal("DutyRequired");
      const rejectOwn = await app().post(`/v1/prepared-actions/${mine.body.id}/reject`).set(...bearer(both)).send({ reason: "mine" }).expect(403);
      expect(rejectOwn.body.error.code).to.equal("MakerCannotReject");
      // Its maker withdraws it instead.
      const cancelled = await app().post(`/v1/prepared-actions/${mine.body.id}/cancel`).set(...bearer(both)).expect(200);
      expect(cancelled.body).to.deep.include({ status: "CANCELLED", rejectedBy: { id: both.id, name: "Maker and checker" } });
      expect((await app().post(`/v1/prepared-actions/${preparedId}/cancel`).set(...bearer(both)).expect(403)).body.error.code).to.equal("NotPreparer");
      expect(await invoiceStatus(hash)).to.equal("REGISTERED");
    });

    it("are sent when a checker other than the maker approves, and show who prepared and who approved", async function () {
      const res = await approve(coreChecker, preparedId);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.include({ status: "EXECUTED", error: null });
      expect(res.body.preparedBy).to.deep.equal({ id: coreMaker.id, name: "Core maker" });
      expect(res.body.approvedBy).to.deep.equal({ id: coreChecker.id, name: "Core checker" });
      expect(res.body.result.rootId).to.match(/^[0-9]+$/);
      expect(res.body.txHash).to.equal(res.body.result.txHash);
      expect(await invoiceStatus(hash)).to.equal("CONFIRMED");
      // The audit log has every step, each with its user; the confirmation names maker and checker.
      expect((await auditRows("preparedAction.approve", preparedId))[0]).to.deep.include({ user: coreChecker.id });
      expect((await auditRows("preparedAction.execute", preparedId))[0]).to.deep.include({ user: coreChecker.id, txHash: res.body.txHash });
      const [confirm] = await auditRows("invoice.confirm", hash);
      expect(confirm).to.deep.include({ user: coreChecker.id, txHash: res.body.txHash });
      expect(JSON.parse(confirm?.detail ?? "{}").approval).to.deep.equal({ preparedActionId: preparedId, preparedBy: coreMaker.id, approvedBy: coreChecker.id });
      // Approved once: again is refused and sends nothing.
      const again = await approve(coreChecker2, preparedId);
      expect([again.status, again.body.error.code, again.body.error.details.status]).to.deep.equal([409, "PreparedActionNotPending", "EXECUTED"]);
      expect(await auditRows("invoice.confirm", hash)).to.have.length(1);
    });

    it("can be rejected by a checker with a reason, and are then never sent", async function () {
      const other = await registerInvoice(w, { amount: 2_000n * UNIT });
      const prepared = await prepare(coreMaker, { action: "invoice.confirm", params: { invoiceHash: other }, body: {} });
      const noReason = await app().post(`/v1/prepared-actions/${prepared.body.id}/reject`).set(...bearer(coreChecker)).send({}).expect(400);
      expect(noReason.body.error.details.fields[0].field).to.equal("body.reason");
      const rejected = await app().post(`/v1/prepared-actions/${prepared.body.id}/reject`).set(...bearer(coreChecker)).send({ reason: "no delivery note on file" }).expect(200);
      expect(rejected.body).to.deep.include({ status: "REJECTED", reason: "no delivery note on file", rejectedBy: { id: coreChecker.id, name: "Core checker" } });
      const late = await approve(coreChecker2, prepared.body.id);
      expect([late.status, late.body.error.code]).to.deep.equal([409, "PreparedActionNotPending"]);
      expect(await invoiceStatus(other)).to.equal("REGISTERED");
      expect((await auditRows("preparedAction.reject", prepared.body.id))[0]).to.deep.include({ user: coreChecker.id });
    });

    it("refuses an approval after expiry (409 PreparedActionExpired) and sends nothing", async function () {
      await setThresholds(w.core, [{ action: "DEPOSIT", amount: 1_000n * UNIT }], 60);
      const other = await registerInvoice(w, { amount: 3_000n * UNIT });
      const prepared = await prepare(coreMaker, { action: "invoice.confirm", params: { invoiceHash: other }, body: {} });
      expect(Date.parse(prepared.body.expiresAt) - Date.parse(prepared.body.preparedAt)).to.equal(60_000);
      await w.advanceTime(61);
      const res = await approve(coreChecker, prepared.body.id);
      expect([res.status, res.body.error.code]).to.deep.equal([409, "PreparedActionExpired"]);
      expect(res.body.error.details.expiresAt).to.equal(prepared.body.expiresAt);
      expect((await app().get(`/v1/prepared-actions/${prepared.body.id}`).set(...bearer(coreViewer)).expect(200)).body).to.deep.include({ status: "EXPIRED", approvedBy: null });
      expect((await app().get("/v1/prepared-actions?status=EXPIRED").set(...bearer(coreViewer)).expect(200)).body.items.map((a: { id: string }) => a.id)).to.include(prepared.body.id);
      expect((await app().post(`/v1/prepared-actions/${prepared.body.id}/reject`).set(...bearer(coreChecker)).send({ reason: "late" }).expect(409)).body.error.code).to.equal("PreparedActionExpired");
      expect(await invoiceStatus(other)).to.equal("REGISTERED");
      await setThresholds(w.core, [{ action: "DEPOSIT", amount: 1_000n * UNIT }]);
    });

    it("are validated as their route validates, and for what the maker may see (400, 403, 404)", async function () {
      const bad = await prepare(tier1Maker, { action: "receivable.transfer", params: { id: "1" }, body: { to: w.tier2.address, amount: "-5" } });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).to.include("body.body.amount");
      const unknown = await prepare(tier1Maker, { action: "receivable.split", params: { id: "1" }, body: { amount: "5" } });
      expect(unknown.status).to.equal(400);
      // A receivable another supplier holds: 404, as the transfer route answers.
      const foreign = await confirmedReceivable(w, { supplier: w.tier3, amount: 10n * UNIT });
      const hidden = await prepare(tier1Maker, { action: "receivable.transfer", params: { id: foreign }, body: { to: w.tier2.address, amount: "100" } });
      expect([hidden.status, hidden.body.error.code]).to.deep.equal([404, "NotFound"]);
      // A supplier does not confirm invoices, prepared or not.
      const role = await prepare(tier1Maker, { action: "invoice.confirm", params: { invoiceHash: hash }, body: {} });
      expect([role.status, role.body.error.code]).to.deep.equal([403, "RoleNotAllowed"]);
    });

    it("send a transfer, a deposit and a quote exactly as prepared", async function () {
      const id = await confirmedReceivable(w, { supplier: w.tier1, amount: 4_000n * UNIT, maturityInDays: 100 });
      const transfer = await prepare(tier1Maker, { action: "receivable.transfer", params: { id }, body: { to: w.tier2.address, amount: (3_000n * UNIT).toString() } });
      expect(transfer.status, JSON.stringify(transfer.body)).to.equal(201);
      expect(transfer.body.request.body).to.deep.equal({ to: w.tier2.address, amount: (3_000n * UNIT).toString() });
      const sent = await approve(tier1Checker, transfer.body.id);
      expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
      const offered = await app().get(`/v1/receivables/${sent.body.result.offeredId}`).set(...bearer(w.tier2)).expect(200);
      expect(offered.body).to.deep.include({ amount: (3_000n * UNIT).toString(), offeredTo: w.tier2.address, status: "OFFERED" });

      const maturity = (await app().get(`/v1/receivables/${id}`).set(...bearer(w.tier1)).expect(200)).body.maturity as number;
      const deposit = await prepare(coreMaker, { action: "settlement.deposit", body: { currency: w.currency, maturity, amount: (4_000n * UNIT).toString() } });
      expect(deposit.status, JSON.stringify(deposit.body)).to.equal(201);
      const deposited = await approve(coreChecker2, deposit.body.id);
      expect(deposited.status, JSON.stringify(deposited.body)).to.equal(200);
      const pools = await app().get("/v1/settlement/pools").set(...bearer(w.core)).expect(200);
      expect(pools.body.items.find((p: { maturity: number }) => p.maturity === maturity)).to.include({ deposited: (4_000n * UNIT).toString() });

      const target = await confirmedReceivable(w, { supplier: w.tier2, amount: 2_000n * UNIT, maturityInDays: 150 });
      const req = await app()
        .post("/v1/financing-requests")
        .set(...bearer(w.tier2))
        .send({ receivableId: target, amount: (2_000n * UNIT).toString(), mode: "PURCHASE", deadline: (await chainNow()) + 2 * DAY })
        .expect(201);
      const expiry = (await chainNow()) + 5 * DAY;
      const quote = await prepare(bankMaker, { action: "quote.submit", params: { id: req.body.id }, body: { advance: (1_900n * UNIT).toString(), expiry } });
      expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
      expect(quote.body.amount).to.equal((1_900n * UNIT).toString());
      const placed = await approve(bankChecker, quote.body.id);
      expect(placed.status, JSON.stringify(placed.body)).to.equal(200);
      const quotes = await app().get(`/v1/financing-requests/${req.body.id}/quotes`).set(...bearer(w.tier2)).expect(200);
      expect(quotes.body.items).to.have.length(1);
      expect(quotes.body.items[0]).to.deep.include({ id: placed.body.result.id, advance: (1_900n * UNIT).toString(), expiry, financier: w.bankA.address });
      // The quote's due-diligence record (issue 12 item 6), anchored in the signed quote, names its maker and its checker.
      const evidence = await app().get(`/v1/quotes/${placed.body.result.id}/evidence`).set(...bearer(w.bankA)).expect(200);
      expect(evidence.body.record.preparedBy).to.deep.equal({ organisation: w.bankA.address, userId: bankMaker.id, preparedActionId: quote.body.id });
      expect(evidence.body.record.approvedBy).to.deep.include({ organisation: w.bankA.address, userId: bankChecker.id });
      expect(evidence.body.checks).to.include({ recordMatchesHash: true, quoteSignsHash: true });
    });

    it("resume after a failure on our side, by the same checker, without sending twice", async function () {
      const id = await confirmedReceivable(w, { supplier: w.tier1, amount: 6_000n * UNIT, maturityInDays: 105 });
      const prepared = await prepare(tier1Maker, { action: "receivable.transfer", params: { id }, body: { to: w.tier2.address, amount: (6_000n * UNIT).toString() } });
      const g = w.domain.governed.get("receivable.transfer");
      if (g === undefined) throw new Error("transfer is not governed");
      const checker = (await w.h.auth.authenticate(tier1Checker.auth)) as OrganisationPrincipal;
      const sentCount = async () => Number((await w.db.sql.query<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "signer_transaction" WHERE "address" = ?`, [w.tier1.address]))[0]?.n);
      const before = await sentCount();
      // The transfer is sent, then our side fails before the answer is recorded.
      const failed = await w.domain.services.approvals
        .approve(checker, prepared.body.id, async (row, acting) => {
          await executeGoverned(g, acting, parseStored(g, JSON.parse(row.request)), { req: {} as never, res: {} as never, idempotencyKey: undefined });
          throw new ChainUnavailableError("the node went away after the send");
        })
        .catch((e: unknown) => e);
      expect(failed).to.be.instanceOf(ChainUnavailableError);
      expect(await sentCount()).to.equal(before + 1);
      expect((await app().get(`/v1/prepared-actions/${prepared.body.id}`).set(...bearer(tier1Checker)).expect(200)).body).to.deep.include({ status: "APPROVED", result: null });
      expect((await app().get("/v1/prepared-actions?status=APPROVED").set(...bearer(tier1Checker)).expect(200)).body.items.map((a: { id: string }) => a.id)).to.include(prepared.body.id);
      // Another checker cannot take it over; its own checker approves again and gets the outcome of the one transfer.
      expect((await approve(tier1Checker2, prepared.body.id)).body.error.code).to.equal("PreparedActionNotPending");
      const resumed = await approve(tier1Checker, prepared.body.id);
      expect(resumed.status, JSON.stringify(resumed.body)).to.equal(200);
      expect(resumed.body.status).to.equal("EXECUTED");
      expect(await sentCount()).to.equal(before + 1);
      const offered = await app().get(`/v1/receivables/${resumed.body.result.offeredId}`).set(...bearer(w.tier2)).expect(200);
      expect(offered.body).to.deep.include({ amount: (6_000n * UNIT).toString(), status: "OFFERED" });
    });

    it("approved by two checkers at once (two API processes) send exactly one transaction", async function () {
      const id = await confirmedReceivable(w, { supplier: w.tier1, amount: 5_000n * UNIT, maturityInDays: 110 });
      const prepared = await prepare(tier1Maker, { action: "receivable.transfer", params: { id }, body: { to: w.tier3.address, amount: (5_000n * UNIT).toString() } });
      expect(prepared.status, JSON.stringify(prepared.body)).to.equal(201);
      const second = await w.anotherApiProcess();
      const sentBefore = await w.db.sql.query<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "signer_transaction" WHERE "address" = ?`, [w.tier1.address]);
      const [a, b] = await Promise.all([approve(tier1Checker, prepared.body.id), approve(tier1Checker2, prepared.body.id, second.h.app)]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, JSON.stringify([a.body, b.body])).to.deep.equal([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.error.code).to.equal("PreparedActionNotPending");
      const sentAfter = await w.db.sql.query<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "signer_transaction" WHERE "address" = ?`, [w.tier1.address]);
      expect(Number(sentAfter[0]?.n) - Number(sentBefore[0]?.n)).to.equal(1);
      expect(await auditRows("receivable.offer", id)).to.have.length(1);
      expect(await auditRows("preparedAction.approve", prepared.body.id)).to.have.length(1);
      const winner = a.status === 200 ? a : b;
      expect(winner.body.approvedBy.id).to.equal(a.status === 200 ? tier1Checker.id : tier1Checker2.id);
      const row = await app().get(`/v1/receivables/${id}`).set(...bearer(w.tier1)).expect(200);
      expect(row.body).to.deep.include({ status: "OFFERED", offeredTo: w.tier3.address });
    });
  });
});
