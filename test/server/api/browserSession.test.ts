/**
 * The web app's side of the API: sessions in an httpOnly SameSite=Strict cookie with CSRF protection on
 * cookie-authenticated writes, the demo picker (local chain only), and the built app served at `/`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { SiweMessage } from "siwe";
import request from "supertest";
import { csrfTokenOf } from "../../../server/auth/cookies";
import { openDatabase, type Db } from "../../../server/db/client";
import { freshDatabase, type FreshDatabase } from "../db/fresh";
import { createHarness, type Harness } from "./harness";

/** The `ll_session=<token>` pair of a response's Set-Cookie, and the cookie's attributes. */
function sessionCookie(res: request.Response): { pair: string; token: string; attributes: string } {
  const raw = ([] as string[]).concat(res.headers["set-cookie"] ?? []).find((c) => c.startsWith("ll_session="));
  if (raw === undefined) throw new Error(`no session cookie in ${JSON.stringify(res.headers)}`);
  const [pair = "", ...rest] = raw.split(";");
  return { pair, token: pair.slice("ll_session=".length), attributes: rest.join(";") };
}

describe("API: browser sessions, CSRF, demo logins and the web app at /", function () {
  let fresh: FreshDatabase;
  let db: Db;
  let h: Harness;
  let webDir: string;
  const supplier = Wallet.createRandom().address.toLowerCase();
  let supplierKey: string;

  before(async function () {
    fresh = await freshDatabase("sqlite", "browser");
    db = await openDatabase({ url: fresh.url });
    await db.sql.run(`INSERT INTO "organisation" ("address", "role", "active", "kyc_hash", "registered_block", "updated_block") VALUES (?, ?, ?, ?, 1, 1)`, [
      supplier,
      "SUPPLIER",
      true,
      "0x00",
    ]);
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-web-"));
    fs.mkdirSync(path.join(webDir, "assets"));
    fs.writeFileSync(path.join(webDir, "index.html"), '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head></html>');
    fs.writeFileSync(path.join(webDir, "assets", "app-abc123.js"), "console.log('app')");
    fs.writeFileSync(path.join(webDir, "favicon.svg"), "<svg/>");
    h = await createHarness({
      db,
      chainId: 31337,
      webDir,
      demo: { organisations: [{ name: "Tier-1 supplier", subject: supplier }, { name: "Auditor", subject: "AUDITOR" }] },
    });
    supplierKey = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: supplier, admin: true }, label: "s" })).token;
  });

  after(async function () {
    await h?.close();
    await db?.close();
    await fresh?.drop();
    if (webDir !== undefined) fs.rmSync(webDir, { recursive: true, force: true });
  });

  describe("cookie sessions", function () {
    it("exchanges an API key for an httpOnly SameSite=Strict cookie, never a token in the body", async function () {
      const res = await request(h.app).post("/v1/auth/browser-sessions").send({ apiKey: supplierKey }).expect(201);
      const cookie = sessionCookie(res);
      expect(cookie.attributes).to.match(/HttpOnly/).and.match(/SameSite=Strict/).and.match(/Path=\//).and.match(/Max-Age=[89]\d\d/);
      expect(cookie.token).to.match(/^lls_/);
      expect(JSON.stringify(res.body)).to.not.include(cookie.token);
      expect(res.body).to.include({ subject: supplier, csrfToken: csrfTokenOf(cookie.token) });
      const me = await request(h.app).get("/v1/me").set("Cookie", cookie.pair).expect(200);
      expect(me.body).to.include({ organisation: supplier, role: "SUPPLIER" });
      const csrf = await request(h.app).get("/v1/auth/browser-session").set("Cookie", cookie.pair).expect(200);
      expect(csrf.body.csrfToken).to.equal(res.body.csrfToken);
    });

    it("signs a browser in with its own wallet (SIWE): the session is the cookie, never in the body; a replayed message is refused", async function () {
      const wallet = Wallet.createRandom();
      await db.sql.run(`INSERT INTO "organisation" ("address", "role", "active", "kyc_hash", "registered_block", "updated_block") VALUES (?, ?, ?, ?, 1, 1)`, [
        wallet.address.toLowerCase(),
        "CORE_ENTERPRISE",
        true,
        "0x00",
      ]);
      const { nonce, domain } = (await request(h.app).post("/v1/auth/siwe/nonce").expect(201)).body;
      const message = new SiweMessage({
        domain,
        address: wallet.address,
        statement: "Sign in to Ledgerline",
        uri: `http://${domain}`,
        version: "1",
        chainId: 31337,
        nonce,
        issuedAt: new Date().toISOString(),
      }).prepareMessage();
      const signature = await wallet.signMessage(message);
      const res = await request(h.app).post("/v1/auth/siwe/browser-sessions").send({ message, signature }).expect(201);
      const cookie = sessionCookie(res);
      expect(cookie.attributes).to.match(/HttpOnly/).and.match(/SameSite=Strict/);
      expect(JSON.stringify(res.body)).to.not.include(cookie.token);
      expect(res.body).to.include({ subject: wallet.address.toLowerCase(), csrfToken: csrfTokenOf(cookie.token) });
      const me = await request(h.app).get("/v1/me").set("Cookie", cookie.pair).expect(200);
      expect(me.body).to.include({ organisation: wallet.address.toLowerCase(), role: "CORE_ENTERPRISE" });
      const replay = await request(h.app).post("/v1/auth/siwe/browser-sessions").send({ message, signature }).expect(401);
      expect(replay.body.error.code).to.equal("SiweNonceInvalid");
      expect(replay.headers["set-cookie"]).to.equal(undefined);
    });

    it("refuses a bad API key with 401 and sets no cookie", async function () {
      const res = await request(h.app).post("/v1/auth/browser-sessions").send({ apiKey: "llk_0000000000000000_" + "a".repeat(43) }).expect(401);
      expect(res.headers["set-cookie"]).to.equal(undefined);
    });

    it("refuses a cookie-authenticated write without the CSRF token, or with another session's, and changes nothing", async function () {
      const first = sessionCookie(await request(h.app).post("/v1/auth/browser-sessions").send({ apiKey: supplierKey }).expect(201));
      const second = sessionCookie(await request(h.app).post("/v1/auth/browser-sessions").send({ apiKey: supplierKey }).expect(201));
      const before = (await request(h.app).get("/v1/api-keys").set("Cookie", first.pair).expect(200)).body.items.length;
      const missing = await request(h.app).post("/v1/api-keys").set("Cookie", first.pair).send({ label: "x" }).expect(403);
      expect(missing.body.error.code).to.equal("CsrfTokenInvalid");
      const crossed = await request(h.app).post("/v1/api-keys").set("Cookie", first.pair).set("X-CSRF-Token", csrfTokenOf(second.token)).send({ label: "x" }).expect(403);
      expect(crossed.body.error.code).to.equal("CsrfTokenInvalid");
      expect((await request(h.app).get("/v1/api-keys").set("Cookie", first.pair).expect(200)).body.items.length).to.equal(before);
      await request(h.app).post("/v1/api-keys").set("Cookie", first.pair).set("X-CSRF-Token", csrfTokenOf(first.token)).send({ label: "x" }).expect(201);
      expect((await request(h.app).get("/v1/api-keys").set("Cookie", first.pair).expect(200)).body.items.length).to.equal(before + 1);
    });

    it("checks the CSRF token before the session's rate limit (forged writes cannot spend its budget); a bad cookie is limited by address first", async function () {
      const limited = await createHarness({ db, chainId: 31337, env: { API_TRUST_PROXY: "1", API_RATE_LIMIT_PER_MINUTE: "3" } });
      try {
        const cookie = sessionCookie(
          await request(limited.app).post("/v1/auth/browser-sessions").set("X-Forwarded-For", "203.0.113.50").send({ apiKey: supplierKey }).expect(201),
        );
        const forged: string[] = [];
        for (let i = 0; i < 6; i++) {
          const res = await request(limited.app).post("/v1/api-keys").set("X-Forwarded-For", "203.0.113.51").set("Cookie", cookie.pair).send({ label: "forged" });
          forged.push(`${res.status} ${res.body.error?.code}`);
        }
        expect(forged).to.deep.equal(Array(6).fill("403 CsrfTokenInvalid"));
        // The session still has its whole budget of 3, then it is limited.
        const own: number[] = [];
        for (let i = 0; i < 4; i++) own.push((await request(limited.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.52").set("Cookie", cookie.pair)).status);
        expect(own).to.deep.equal([200, 200, 200, 429]);
        // A cookie that authenticates nothing counts against the client address, and the address over its
        // budget is refused before the cookie is looked at.
        const unknown: number[] = [];
        for (let i = 0; i < 5; i++) {
          unknown.push((await request(limited.app).post("/v1/api-keys").set("X-Forwarded-For", "203.0.113.53").set("Cookie", `ll_session=lls_${"0".repeat(16)}_${"x".repeat(43)}`).send({ label: "x" })).status);
        }
        expect(unknown).to.deep.equal([401, 401, 401, 429, 429]);
      } finally {
        await limited.close();
      }
    });

    it("does not ask header-authenticated callers for a CSRF token, and ignores an API key put in the cookie", async function () {
      await request(h.app).post("/v1/api-keys").set("Authorization", `Bearer ${supplierKey}`).send({ label: "y" }).expect(201);
      const res = await request(h.app).get("/v1/me").set("Cookie", `ll_session=${supplierKey}`).expect(401);
      expect(res.body.error.code).to.equal("CredentialMissing");
    });

    it("signs out: the session ends, the cookie is cleared, and the old cookie no longer authenticates", async function () {
      const cookie = sessionCookie(await request(h.app).post("/v1/auth/browser-sessions").send({ apiKey: supplierKey }).expect(201));
      await request(h.app).delete("/v1/auth/sessions/current").set("Cookie", cookie.pair).expect(403);
      const out = await request(h.app).delete("/v1/auth/sessions/current").set("Cookie", cookie.pair).set("X-CSRF-Token", csrfTokenOf(cookie.token)).expect(204);
      expect(String(out.headers["set-cookie"])).to.match(/ll_session=;.*Max-Age=0/);
      await request(h.app).get("/v1/me").set("Cookie", cookie.pair).expect(401);
    });

    it("answers 404 for the CSRF token of a request not authenticated by the cookie", async function () {
      await request(h.app).get("/v1/auth/browser-session").set("Authorization", `Bearer ${supplierKey}`).expect(404);
    });
  });

  describe("demo logins", function () {
    it("lists the demo organisations with their roles and signs in as one of them", async function () {
      const list = await request(h.app).get("/v1/auth/demo-logins").expect(200);
      expect(list.body.items).to.deep.equal([
        { name: "Tier-1 supplier", subject: supplier, role: "SUPPLIER" },
        { name: "Auditor", subject: "AUDITOR", role: "AUDITOR" },
      ]);
      const res = await request(h.app).post("/v1/auth/demo-sessions").send({ subject: supplier }).expect(201);
      const me = await request(h.app).get("/v1/me").set("Cookie", sessionCookie(res).pair).expect(200);
      expect(me.body.organisation).to.equal(supplier);
    });

    it("refuses a subject that is not one of the demo organisations", async function () {
      const res = await request(h.app).post("/v1/auth/demo-sessions").send({ subject: "OPERATOR" }).expect(404);
      expect(res.headers["set-cookie"]).to.equal(undefined);
      await request(h.app).post("/v1/auth/demo-sessions").send({ subject: Wallet.createRandom().address }).expect(404);
    });

    it("does not exist without demo logins, and cannot be switched on for a chain that is not local", async function () {
      const plain = await createHarness({ db, chainId: 31337 });
      await request(plain.app).get("/v1/auth/demo-logins").expect(404);
      await request(plain.app).post("/v1/auth/demo-sessions").send({ subject: "AUDITOR" }).expect(404);
      try {
        await createHarness({ db, chainId: 1, demo: { organisations: [{ name: "Auditor", subject: "AUDITOR" }] } });
        expect.fail("should refuse");
      } catch (err) {
        expect((err as Error).message).to.match(/local development chain/);
      }
    });
  });

  describe("the web app at /", function () {
    it("serves index.html at / and at the app's own routes, uncached, under a CSP without inline scripts", async function () {
      for (const url of ["/", "/receivables/4294967297", "/login"]) {
        const res = await request(h.app).get(url).expect(200);
        expect(res.headers["content-type"]).to.match(/text\/html/);
        expect(res.headers["cache-control"]).to.equal("no-cache");
        const csp = String(res.headers["content-security-policy"]);
        expect(csp).to.include("script-src 'self'").and.not.include("unsafe-inline'; script").and.not.match(/script-src[^;]*unsafe-inline/);
        expect(res.text).to.include("/assets/app-abc123.js");
      }
    });

    it("serves hashed assets with a year-long immutable cache, and 404 for a missing one", async function () {
      const res = await request(h.app).get("/assets/app-abc123.js").expect(200);
      expect(res.headers["cache-control"]).to.match(/max-age=31536000/).and.match(/immutable/);
      await request(h.app).get("/assets/missing-000.js").expect(404);
      await request(h.app).get("/favicon.svg").expect(200);
    });

    it("leaves the API's own paths alone: unknown /v1 routes stay JSON 404s", async function () {
      const res = await request(h.app).get("/v1/nothing-here").expect(404);
      expect(res.body.error.code).to.equal("RouteNotFound");
      await request(h.app).post("/").expect(404);
    });
  });
});
