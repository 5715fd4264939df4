/**
 * Identity and onboarding (issue 12 item 1) through the API: profiles with the bank account encrypted at
 * rest and masked for everyone but its organisation, onboarding by the operator or by wallet signature,
 * the operator's decisions and their state rules, the directory, and each route's denials.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, keccak256 } from "ethers";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { creditCodeCheckCharacter, isValidCreditCode } from "../../../server/domain/organisations/creditCode";
import { seedDemoProfiles } from "../../../scripts/seedProfiles";
import { createSealedBox } from "../../../server/lib/sealedBox";
import { testDialects } from "../db/fresh";
import { bearer, createWorld, type World } from "./world";

const PROFILE_KEY = randomBytes(32);

/** A valid code: the 17 given characters and their check character. */
const code = (first17: string) => first17 + creditCodeCheckCharacter(first17);

let seq = 0;
function profile(over: { zh?: string; en?: string; creditCode?: string; number?: string } = {}) {
  seq += 1;
  return {
    legalName: { zh: over.zh ?? `测试供应商${seq}有限公司`, en: over.en ?? `Test Supplier ${seq} Co., Ltd.` },
    creditCode: over.creditCode ?? code(`91310115MA1K${String(10000 + seq).padStart(5, "0")}`),
    registeredAddress: "上海市浦东新区世纪大道100号",
    contact: { name: "王经理", phone: "+86 21 5555 0100", email: `finance${seq}@example.com` },
    bankAccount: { name: `测试供应商${seq}有限公司`, bank: "中国工商银行上海分行", number: over.number ?? `62220202001${String(12345678 + seq)}` },
  };
}

function documentOf(text: string) {
  const bytes = Buffer.from(text, "utf8");
  return { bytes, hash: keccak256(bytes) };
}

for (const dialect of testDialects()) describe(`API: identity and onboarding (${dialect})`, function () {
  let w: World;
  let key = 0;
  const idem = () => `onb-${Date.now()}-${++key}`;
  const app = () => request(w.h.app);

  before(async function () {
    w = await createWorld({ dialect, env: { API_PROFILE_ENCRYPTION_KEY: PROFILE_KEY.toString("hex"), SIWE_DOMAIN: "ledgerline.test" } });
  });
  after(async function () {
    await w?.close();
  });

  /** The operator applies for a fresh address with one KYC document; answers the address and the document. */
  async function operatorApplies(over: Parameters<typeof profile>[0] = {}, role = "SUPPLIER") {
    const wallet = Wallet.createRandom();
    const doc = documentOf(`business licence of ${wallet.address}`);
    const res = await app()
      .post("/v1/onboarding/applications")
      .set(...bearer(w.operator))
      .send({ address: wallet.address, role, profile: profile(over), kycDocuments: [{ hash: doc.hash, name: "营业执照.pdf", contentType: "application/pdf" }] });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { address: wallet.address.toLowerCase(), doc, wallet, body: res.body };
  }

  const upload = (address: string, doc: { bytes: Buffer; hash: string }) =>
    app().put(`/v1/onboarding/applications/${address}/documents/${doc.hash}`).set("Content-Type", "application/octet-stream").send(doc.bytes);
  const approve = (address: string, who = w.operator) => app().post(`/v1/onboarding/applications/${address}/approve`).set(...bearer(who)).set("Idempotency-Key", idem());
  const reject = (address: string, body: unknown, who = w.operator) => app().post(`/v1/onboarding/applications/${address}/reject`).set(...bearer(who)).send(body as object);

  describe("the unified social credit code", function () {
    it("refuses an application whose code has a wrong check character: 400 naming the field with CreditCodeCheckMismatch", async function () {
      const good = code("91310115MA1K99999");
      const wrong = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
      const res = await app()
        .post("/v1/onboarding/applications")
        .set(...bearer(w.operator))
        .send({ address: Wallet.createRandom().address, role: "SUPPLIER", profile: profile({ creditCode: wrong }), kycDocuments: [{ hash: documentOf("x").hash, name: "a" }] })
        .expect(400);
      expect(res.body.error.code).to.equal("ValidationFailed");
      expect(res.body.error.details.fields).to.deep.equal([
        { field: "body.profile.creditCode", code: "CreditCodeCheckMismatch", message: "the check character (18th) does not match the first 17 characters (GB 32100-2015)" },
      ]);
    });

    it("refuses a malformed code with CreditCodeMalformed and stores nothing", async function () {
      const address = Wallet.createRandom().address;
      const res = await app()
        .post("/v1/onboarding/applications")
        .set(...bearer(w.operator))
        .send({ address, role: "SUPPLIER", profile: profile({ creditCode: "91310115ma1k99999x" }), kycDocuments: [{ hash: documentOf("y").hash, name: "a" }] })
        .expect(400);
      expect(res.body.error.details.fields[0]).to.include({ field: "body.profile.creditCode", code: "CreditCodeMalformed" });
      expect(await w.ctx.db.organisationProfile.findUnique({ where: { address: address.toLowerCase() } })).to.equal(null);
    });
  });

  describe("onboarding by the operator", function () {
    it("applies, uploads the KYC document, approves: the organisation is registered on chain with the document's hash, and every step is audited", async function () {
      const { address, doc, body } = await operatorApplies({ zh: "审核通过测试有限公司", en: "Approved Test Co." });
      expect(body.onboarding).to.include({ status: "PENDING", channel: "OPERATOR" });
      expect(body.kycHash).to.equal(doc.hash);
      expect(body.kycDocuments).to.deep.equal([{ hash: doc.hash, name: "营业执照.pdf", contentType: "application/pdf", sizeBytes: null, uploaded: false }]);
      await upload(address, doc).expect(200);

      const approved = await approve(address).expect(200);
      expect(approved.body).to.include({ address, status: "APPROVED", indexed: true });
      // The KYC hash is anchored in the registration's event (OrganisationRegistered), as the indexer read it.
      expect((await w.ctx.chain.ledger.organisationOf(address)).role).to.equal(2n);
      const receipt = await ethers.provider.getTransactionReceipt(approved.body.txHash as string);
      const registered = receipt!.logs.map((l) => w.ctx.chain.ledger.interface.parseLog(l)).find((e) => e?.name === "OrganisationRegistered");
      expect(registered?.args.kycHash).to.equal(doc.hash);
      expect((await w.ctx.db.organisation.findUniqueOrThrow({ where: { address } })).kycHash).to.equal(doc.hash);
      const org = await app().get(`/v1/organisations/${address}`).set(...bearer(w.tier1)).expect(200);
      expect(org.body).to.include({ name: "审核通过测试有限公司", nameEn: "Approved Test Co.", role: "SUPPLIER", status: "ACTIVE", kycHash: null });

      const actions = (await w.ctx.db.auditLog.findMany({ where: { target: address }, orderBy: { id: "asc" } })).map((a) => a.action);
      expect(actions).to.deep.equal(["onboarding.apply", "onboarding.document", "organisation.register", "onboarding.approve"]);
    });

    it("refuses to approve before every declared document is uploaded (409 KycDocumentsMissing), and the application stays PENDING", async function () {
      const { address, doc } = await operatorApplies();
      const res = await approve(address).expect(409);
      expect(res.body.error.code).to.equal("KycDocumentsMissing");
      expect(res.body.error.details.missing).to.deep.equal([doc.hash]);
      expect((await w.ctx.db.organisationProfile.findUniqueOrThrow({ where: { address } })).status).to.equal("PENDING");
      expect((await w.ctx.chain.ledger.organisationOf(address)).role).to.equal(0n);
    });

    it("keeps a document only if its bytes hash to the declared hash, and only declared documents of pending applications", async function () {
      const { address, doc } = await operatorApplies();
      const wrong = await upload(address, { bytes: Buffer.from("another document"), hash: doc.hash }).expect(400);
      expect(wrong.body.error.details.fields[0].code).to.equal("KycDocumentHashMismatch");
      const undeclared = documentOf("never declared");
      await upload(address, undeclared).expect(404);
      await upload(Wallet.createRandom().address, doc).expect(404);
      await upload(address, doc).expect(200);
    });

    it("approving twice is 409 ApplicationNotPending, and nothing is sent the second time", async function () {
      const { address, doc } = await operatorApplies();
      await upload(address, doc).expect(200);
      await approve(address).expect(200);
      const block = await ethers.provider.getBlockNumber();
      const again = await approve(address).expect(409);
      expect(again.body.error).to.deep.include({ code: "ApplicationNotPending", details: { status: "APPROVED" } });
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
    });

    it("two approvals at once register the organisation once: one 200, one 409", async function () {
      const { address, doc } = await operatorApplies();
      await upload(address, doc).expect(200);
      const [a, b] = await Promise.all([approve(address), approve(address)]);
      expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
      expect(await w.ctx.db.auditLog.count({ where: { target: address, action: "organisation.register" } })).to.equal(1);
    });

    it("rejecting without a reason is 400 and changes nothing; with a reason it is REJECTED and audited with it", async function () {
      const { address } = await operatorApplies();
      const missing = await reject(address, {}).expect(400);
      expect(missing.body.error.details.fields[0].field).to.equal("body.reason");
      const blank = await reject(address, { reason: "   " }).expect(400);
      expect(blank.body.error.details.fields[0].field).to.equal("body.reason");
      expect((await w.ctx.db.organisationProfile.findUniqueOrThrow({ where: { address } })).status).to.equal("PENDING");

      const res = await reject(address, { reason: "营业执照已过期" }).expect(200);
      expect(res.body).to.deep.equal({ address, status: "REJECTED" });
      const seen = await app().get(`/v1/organisations/${address}/profile`).set(...bearer(w.operator)).expect(200);
      expect(seen.body.onboarding).to.include({ status: "REJECTED", rejectionReason: "营业执照已过期" });
      const entry = await w.ctx.db.auditLog.findFirstOrThrow({ where: { target: address, action: "onboarding.reject" } });
      expect(JSON.parse(entry.detail ?? "{}")).to.deep.equal({ reason: "营业执照已过期" });
    });

    it("approving a rejected application is 409 and registers nothing; rejecting it again is 409 too", async function () {
      const { address, doc } = await operatorApplies();
      await upload(address, doc).expect(200);
      await reject(address, { reason: "incomplete" }).expect(200);
      const res = await approve(address).expect(409);
      expect(res.body.error).to.deep.include({ code: "ApplicationNotPending", details: { status: "REJECTED" } });
      expect((await w.ctx.chain.ledger.organisationOf(address)).role).to.equal(0n);
      await reject(address, { reason: "twice" }).expect(409);
    });

    it("lets a rejected organisation apply again, but not apply twice while pending, nor apply for a registered address", async function () {
      const { address, wallet } = await operatorApplies();
      const again = { address: wallet.address, role: "SUPPLIER", profile: profile(), kycDocuments: [{ hash: documentOf("second").hash, name: "b" }] };
      const pending = await app().post("/v1/onboarding/applications").set(...bearer(w.operator)).send(again).expect(409);
      expect(pending.body.error.code).to.equal("ApplicationExists");
      await reject(address, { reason: "wrong licence" }).expect(200);
      const reapplied = await app().post("/v1/onboarding/applications").set(...bearer(w.operator)).send(again).expect(201);
      expect(reapplied.body.onboarding).to.include({ status: "PENDING", rejectionReason: null });
      expect(reapplied.body.kycDocuments.map((d: { hash: string }) => d.hash)).to.deep.equal([documentOf("second").hash]);
      const registered = await app().post("/v1/onboarding/applications").set(...bearer(w.operator)).send({ ...again, address: w.tier1.address }).expect(409);
      expect(registered.body.error.code).to.equal("OrganisationAlreadyRegistered");
    });

    it("two first applications for one address at once: one 201, one 409 ApplicationExists", async function () {
      const wallet = Wallet.createRandom();
      const body = () => ({ address: wallet.address, role: "SUPPLIER", profile: profile(), kycDocuments: [{ hash: documentOf(`race ${wallet.address}`).hash, name: "a" }] });
      const [a, b] = await Promise.all([
        app().post("/v1/onboarding/applications").set(...bearer(w.operator)).send(body()),
        app().post("/v1/onboarding/applications").set(...bearer(w.operator)).send(body()),
      ]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
      expect((a.status === 409 ? a : b).body.error.code).to.equal("ApplicationExists");
    });

    it("refuses a second organisation with the same credit code (409 CreditCodeTaken)", async function () {
      const { body } = await operatorApplies();
      const res = await app()
        .post("/v1/onboarding/applications")
        .set(...bearer(w.operator))
        .send({ address: Wallet.createRandom().address, role: "FINANCIER", profile: profile({ creditCode: body.creditCode as string }), kycDocuments: [{ hash: documentOf("dup").hash, name: "c" }] })
        .expect(409);
      expect(res.body.error.code).to.equal("CreditCodeTaken");
    });

    it("lets only the operator apply on another's behalf, approve or reject (BFLA), and lists applications to operator and auditor only", async function () {
      const { address } = await operatorApplies();
      for (const who of [w.tier1, w.core, w.bankA, w.auditor]) {
        expect((await approve(address, who)).status, who.name).to.equal(403);
        expect((await reject(address, { reason: "x" }, who)).status, who.name).to.equal(403);
        const applied = await app().post("/v1/onboarding/applications").set(...bearer(who)).send({});
        expect(applied.status, who.name).to.equal(403);
      }
      expect((await w.ctx.db.organisationProfile.findUniqueOrThrow({ where: { address } })).status).to.equal("PENDING");
      for (const who of [w.tier1, w.bankA]) await app().get("/v1/onboarding/applications").set(...bearer(who)).expect(403);
      const listed = await app().get("/v1/onboarding/applications?status=PENDING").set(...bearer(w.auditor)).expect(200);
      const item = listed.body.items.find((i: { address: string }) => i.address === address);
      expect(item.bankAccount.masked).to.equal(true);
      expect(listed.body.items.every((i: { onboarding: { status: string } }) => i.onboarding.status === "PENDING")).to.equal(true);
    });
  });

  describe("self-registration with a wallet signature", function () {
    async function messageFor(application: object) {
      const res = await app().post("/v1/onboarding/self-applications/message").send({ application }).expect(201);
      return res.body as { message: string; digest: string; nonce: string };
    }
    function application(wallet: { address: string }, over: Parameters<typeof profile>[0] = {}) {
      return { address: wallet.address, role: "FINANCIER", profile: profile(over), kycDocuments: [{ hash: documentOf(`licence ${wallet.address}`).hash, name: "金融许可证.pdf" }] };
    }

    it("accepts an application signed by its own address (channel SELF, audited as the address), then the operator approves it", async function () {
      const wallet = Wallet.createRandom();
      const app1 = application(wallet);
      const { message, digest } = await messageFor(app1);
      expect(message).to.contain("ledgerline.test wants you to sign in with your Ethereum account:");
      expect(message).to.contain(`urn:ledgerline:onboarding-application:${digest}`);
      const res = await app().post("/v1/onboarding/self-applications").send({ application: app1, message, signature: await wallet.signMessage(message) }).expect(201);
      expect(res.body.onboarding).to.include({ status: "PENDING", channel: "SELF", appliedBy: `siwe:${wallet.address.toLowerCase()}` });
      await upload(wallet.address, documentOf(`licence ${wallet.address}`)).expect(200);
      await approve(wallet.address).expect(200);
      expect((await w.ctx.chain.ledger.organisationOf(wallet.address)).role).to.equal(3n);
    });

    it("refuses a replayed message (the nonce is used): 401 SiweNonceInvalid", async function () {
      const wallet = Wallet.createRandom();
      const app1 = application(wallet);
      const { message } = await messageFor(app1);
      const signature = await wallet.signMessage(message);
      await app().post("/v1/onboarding/self-applications").send({ application: app1, message, signature }).expect(201);
      const replay = await app().post("/v1/onboarding/self-applications").send({ application: app1, message, signature }).expect(401);
      expect(replay.body.error.code).to.equal("SiweNonceInvalid");
    });

    it("refuses a signature made for another application (400 ApplicationDigestMismatch), and its nonce is spent", async function () {
      const wallet = Wallet.createRandom();
      const signed = application(wallet);
      const { message } = await messageFor(signed);
      const signature = await wallet.signMessage(message);
      const altered = { ...signed, profile: { ...signed.profile, bankAccount: { ...signed.profile.bankAccount, number: "6222000011112222333" } } };
      const res = await app().post("/v1/onboarding/self-applications").send({ application: altered, message, signature }).expect(400);
      expect(res.body.error.details.fields[0].code).to.equal("ApplicationDigestMismatch");
      expect(await w.ctx.db.organisationProfile.findUnique({ where: { address: wallet.address.toLowerCase() } })).to.equal(null);
      await app().post("/v1/onboarding/self-applications").send({ application: signed, message, signature }).expect(401);
    });

    it("refuses an application for an address other than the signer's (400 ApplicationSignerMismatch)", async function () {
      const signer = Wallet.createRandom();
      const victim = Wallet.createRandom();
      const forVictim = application(victim);
      const { message } = await messageFor(forVictim);
      // The message names the victim's address; the signer signs it anyway.
      const res = await app().post("/v1/onboarding/self-applications").send({ application: forVictim, message, signature: await signer.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweSignatureInvalid");
      // A message the signer made for its own address, submitted with the victim's application.
      const own = await messageFor(application(signer));
      const swapped = await app().post("/v1/onboarding/self-applications").send({ application: forVictim, message: own.message, signature: await signer.signMessage(own.message) }).expect(400);
      expect(swapped.body.error.details.fields[0].code).to.equal("ApplicationSignerMismatch");
      expect(await w.ctx.db.organisationProfile.findUnique({ where: { address: victim.address.toLowerCase() } })).to.equal(null);
    });
  });

  describe("profiles: encryption at rest, masking, visibility", function () {
    const number = "6222020200998877665";
    before(async function () {
      // tier2 (registered before profiles existed) writes its own profile.
      await app()
        .put(`/v1/organisations/${w.tier2.address}/profile`)
        .set(...bearer(w.tier2))
        .send(profile({ zh: "二级供应商有限公司", en: "Tier Two Supplier Ltd.", creditCode: code("91330100MA2H00002"), number }))
        .expect(200);
    });

    it("stores the bank account only sealed: the raw row holds no account number, and it opens with the configured key bound to its row", async function () {
      const rows = await w.db.sql.query(`SELECT * FROM "organisation_profile" WHERE "address" = ?`, [w.tier2.address]);
      expect(rows).to.have.length(1);
      const raw = JSON.stringify(rows[0]);
      expect(raw).to.not.contain(number);
      expect(raw).to.not.contain(number.slice(-8));
      const sealed = String((rows[0] as Record<string, unknown>).bank_account_sealed);
      expect(sealed).to.match(/^v1\./);
      const opened = JSON.parse(createSealedBox(PROFILE_KEY).open(sealed, `organisation-profile:bank-account:${w.tier2.address}`)) as { number: string };
      expect(opened.number).to.equal(number);
      expect(() => createSealedBox(PROFILE_KEY).open(sealed, `organisation-profile:bank-account:${w.tier1.address}`)).to.throw();
    });

    it("shows the full account to the organisation itself, only the last 4 digits to operator and auditor", async function () {
      const own = await app().get(`/v1/organisations/${w.tier2.address}/profile`).set(...bearer(w.tier2)).expect(200);
      expect(own.body.bankAccount).to.include({ number, masked: false });
      for (const who of [w.operator, w.auditor]) {
        const seen = await app().get(`/v1/organisations/${w.tier2.address}/profile`).set(...bearer(who)).expect(200);
        expect(seen.body.bankAccount, who.name).to.include({ number: "****7665", masked: true });
        expect(JSON.stringify(seen.body)).to.not.contain(number);
      }
    });

    it("hides another organisation's profile (BOLA): 404 exactly as for no profile, for reads and writes", async function () {
      for (const who of [w.tier1, w.core, w.bankA]) {
        const res = await app().get(`/v1/organisations/${w.tier2.address}/profile`).set(...bearer(who)).expect(404);
        expect(res.body.error.code).to.equal("NotFound");
        await app().put(`/v1/organisations/${w.tier2.address}/profile`).set(...bearer(who)).send(profile()).expect(404);
      }
      const kyc = documentOf("kyc:Tier-2 supplier");
      await app().get(`/v1/onboarding/applications/${w.tier2.address}/documents/${kyc.hash}`).set(...bearer(w.tier1)).expect(404);
      const after = await app().get(`/v1/organisations/${w.tier2.address}/profile`).set(...bearer(w.tier2)).expect(200);
      expect(after.body.legalName.zh).to.equal("二级供应商有限公司");
    });

    it("lets only an admin of the organisation change its profile (403 for its other keys)", async function () {
      const viewerKey = (await w.h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: w.tier2.address, admin: false }, label: "viewer" })).token;
      const res = await app().put(`/v1/organisations/${w.tier2.address}/profile`).set("Authorization", `Bearer ${viewerKey}`).send(profile()).expect(403);
      expect(res.body.error.code).to.equal("DutyRequired");
    });

    it("lets the KYC documents be read by the organisation itself, operator and auditor, checked against their hash", async function () {
      const { address, doc, wallet } = await operatorApplies();
      await upload(address, doc).expect(200);
      await approve(address).expect(200);
      const keyOf = (await w.h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: address, admin: true }, label: "new" })).token;
      for (const auth of [keyOf, w.operator.auth, w.auditor.auth]) {
        const res = await app().get(`/v1/onboarding/applications/${wallet.address}/documents/${doc.hash}`).set("Authorization", `Bearer ${auth}`).buffer(true).parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => cb(null, Buffer.concat(chunks)));
        });
        expect(res.status).to.equal(200);
        expect(keccak256(res.body as Buffer)).to.equal(doc.hash);
        expect(res.headers["content-disposition"]).to.match(/^attachment/);
      }
      const own = await app().get(`/v1/organisations/${address}/profile`).set("Authorization", `Bearer ${keyOf}`).expect(200);
      expect(own.body.bankAccount.masked).to.equal(false);
    });
  });

  describe("the directory", function () {
    let listed: { address: string; creditCode: string };
    before(async function () {
      const { address, doc, body } = await operatorApplies({ zh: "华东精密制造股份有限公司", en: "East China Precision Manufacturing" }, "CORE_ENTERPRISE");
      await upload(address, doc).expect(200);
      await approve(address).expect(200);
      listed = { address, creditCode: body.creditCode as string };
    });

    it("finds an organisation by part of its Chinese name, its English name in any case, and the start of its code", async function () {
      for (const q of ["精密制造", "east china PRECISION", listed.creditCode.slice(0, 17), listed.creditCode.toLowerCase()]) {
        const res = await app().get("/v1/organisations").query({ q }).set(...bearer(w.tier1)).expect(200);
        expect(res.body.items.map((o: { address: string }) => o.address), q).to.deep.equal([listed.address]);
      }
      const none = await app().get("/v1/organisations").query({ q: "不存在的公司" }).set(...bearer(w.tier1)).expect(200);
      expect(none.body.items).to.deep.equal([]);
    });

    it("shows others name, role, code and status only: never contact details or bank accounts", async function () {
      const res = await app().get("/v1/organisations").query({ q: "精密制造" }).set(...bearer(w.bankB)).expect(200);
      expect(res.body.items[0]).to.deep.equal({
        address: listed.address,
        name: "华东精密制造股份有限公司",
        nameEn: "East China Precision Manufacturing",
        creditCode: listed.creditCode,
        role: "CORE_ENTERPRISE",
        status: "ACTIVE",
        active: true,
        kycHash: null,
      });
      const all = JSON.stringify((await app().get("/v1/organisations").set(...bearer(w.bankB)).expect(200)).body);
      for (const secret of ["bankAccount", "contact", "622202", "registeredAddress", "@example.com"]) expect(all).to.not.contain(secret);
    });

    it("shows a suspended organisation with status SUSPENDED, and pending or rejected applicants not at all", async function () {
      const { address } = await operatorApplies({ zh: "待审核申请人有限公司" });
      const res = await app().get("/v1/organisations").query({ q: "待审核申请人" }).set(...bearer(w.operator)).expect(200);
      expect(res.body.items).to.deep.equal([]);
      expect(address).to.be.a("string");
      await app().post(`/v1/organisations/${listed.address}/suspend`).set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(200);
      const suspended = await app().get(`/v1/organisations/${listed.address}`).set(...bearer(w.tier1)).expect(200);
      expect(suspended.body).to.include({ status: "SUSPENDED", active: false, name: "华东精密制造股份有限公司" });
    });
  });

  it("npm start's seeding gives each demo organisation a profile with a valid credit code, shown in the directory", async function () {
    await seedDemoProfiles({ profiles: w.domain.services.profiles, world: { coreEnterprise: w.core, suppliers: [w.tier1, w.tier2, w.tier3], banks: [w.bankA, w.bankB] } });
    const res = await app().get("/v1/organisations").set(...bearer(w.tier3)).expect(200);
    for (const actor of [w.core, w.tier1, w.tier2, w.tier3, w.bankA, w.bankB]) {
      const entry = res.body.items.find((o: { address: string }) => o.address === actor.address);
      expect(entry.name, actor.name).to.be.a("string").and.not.equal("");
      expect(isValidCreditCode(entry.creditCode as string), actor.name).to.equal(true);
    }
    const own = await app().get(`/v1/organisations/${w.bankA.address}/profile`).set(...bearer(w.bankA)).expect(200);
    expect(own.body.onboarding).to.include({ status: "APPROVED", channel: "REGISTERED" });
    expect(own.body.kycHash).to.equal((await w.ctx.db.organisation.findUniqueOrThrow({ where: { address: w.bankA.address } })).kycHash);
  });

  it("answers 503 ProfileEncryptionNotConfigured where no key is configured off a local chain", async function () {
    const other = await createWorld({ dialect, local: false });
    try {
      const res = await request(other.h.app).put(`/v1/organisations/${other.tier1.address}/profile`).set(...bearer(other.tier1)).send(profile()).expect(503);
      expect(res.body.error.code).to.equal("ProfileEncryptionNotConfigured");
      expect(await other.ctx.db.organisationProfile.count()).to.equal(0);
    } finally {
      await other.close();
    }
  });
});

