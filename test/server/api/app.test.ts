/**
 * The HTTP shell and authentication of the API, against the real app and a real migrated database:
 * error shape, 404/405, validation, limits, headers, CORS, OpenAPI, readiness, API keys, sessions,
 * SIWE and role guards. Organisations are placed in the chain projection directly here (the chain and
 * indexer are exercised by the domain tests).
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { SiweMessage } from "siwe";
import request from "supertest";
import { announceDialects, testDialects } from "../db/fresh";
import { createHarness, type Harness } from "./harness";

/** The secret part of `llk_<16 hex id>_<secret>` (the secret itself may contain "_"). */
const secretOf = (token: string) => token.slice("llk_".length + 16 + 1);

const SUPPLIER = Wallet.createRandom();
const OTHER_SUPPLIER = Wallet.createRandom();
const SUSPENDED = Wallet.createRandom();
const FINANCIER = Wallet.createRandom();

async function addOrganisation(h: Harness, address: string, role: string, active: boolean): Promise<void> {
  await h.db.sql.run(
    `INSERT INTO "organisation" ("address", "role", "active", "kyc_hash", "registered_block", "updated_block") VALUES (?, ?, ?, ?, ?, ?)`,
    [address.toLowerCase(), role, active, `0x${"00".repeat(32)}`, 1, 1],
  );
}

function siweMessage(fields: { address: string; nonce: string; domain?: string; chainId?: number; expirationTime?: string; issuedAt?: string }): string {
  return new SiweMessage({
    domain: fields.domain ?? "127.0.0.1:3000",
    address: fields.address,
    statement: "Sign in to Ledgerline",
    uri: `http://${fields.domain ?? "127.0.0.1:3000"}`,
    version: "1",
    chainId: fields.chainId ?? 31337,
    nonce: fields.nonce,
    issuedAt: fields.issuedAt ?? new Date().toISOString(),
    ...(fields.expirationTime === undefined ? {} : { expirationTime: fields.expirationTime }),
  }).prepareMessage();
}

for (const dialect of testDialects()) describe(`API shell and authentication (${dialect})`, function () {
  let h: Harness;
  let operatorKey: string;
  let supplierAdminKey: string;
  let supplierKey: string;
  let suspendedKey: string;
  let auditorKey: string;

  before(async function () {
    announceDialects();
    h = await createHarness({ dialect, env: { API_CORS_ORIGINS: "https://ui.example", API_BODY_LIMIT_BYTES: "2000" }, chainId: 31337 });
    await addOrganisation(h, SUPPLIER.address, "SUPPLIER", true);
    await addOrganisation(h, OTHER_SUPPLIER.address, "SUPPLIER", true);
    await addOrganisation(h, SUSPENDED.address, "SUPPLIER", false);
    await addOrganisation(h, FINANCIER.address, "FINANCIER", true);
    operatorKey = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "OPERATOR" }, label: "operator" })).token;
    const sub = (o: string, admin: boolean) => ({ kind: "ORGANISATION" as const, organisation: o.toLowerCase(), admin });
    supplierAdminKey = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: sub(SUPPLIER.address, true), label: "admin" })).token;
    supplierKey = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: sub(SUPPLIER.address, false), label: "clerk" })).token;
    suspendedKey = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: sub(SUSPENDED.address, true), label: "s" })).token;
    auditorKey = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "AUDITOR" }, label: "auditor" })).token;
  });

  after(async function () {
    await h?.close();
  });

  describe("shell", function () {
    it("answers /health", async function () {
      const res = await request(h.app).get("/health").expect(200);
      expect(res.body).to.deep.equal({ status: "ok" });
      expect(res.headers["x-request-id"]).to.be.a("string");
    });

    it("answers unknown routes with 404 in the error shape", async function () {
      const res = await request(h.app).get("/v1/nothing-here").expect(404);
      expect(res.body).to.deep.equal({ error: { code: "RouteNotFound", message: "no route GET /v1/nothing-here" } });
    });

    it("answers a known path with another method with 405 and Allow", async function () {
      const res = await request(h.app).put("/v1/me").expect(405);
      expect(res.body.error.code).to.equal("MethodNotAllowed");
      expect(res.headers.allow).to.equal("GET, HEAD");
    });

    it("names the offending field of an invalid body", async function () {
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message: "x", signature: "nothex" }).expect(400);
      expect(res.body.error.code).to.equal("ValidationFailed");
      expect(res.body.error.details.fields).to.deep.equal([
        { field: "body.signature", message: res.body.error.details.fields[0].message, code: "invalid_format" },
      ]);
    });

    it("refuses malformed JSON with 400", async function () {
      const res = await request(h.app).post("/v1/auth/sessions").set("Content-Type", "application/json").send("{nope").expect(400);
      expect(res.body.error.code).to.equal("ValidationFailed");
    });

    it("refuses a body over the size limit with 413", async function () {
      const res = await request(h.app).post("/v1/auth/sessions").send({ apiKey: "x".repeat(3000) }).expect(413);
      expect(res.body.error.code).to.equal("PayloadTooLarge");
    });

    it("reads a POST with no body at all as {}: the missing fields are named (400), not 415", async function () {
      const res = await request(h.app).post("/v1/auth/sessions").expect(400);
      expect(res.body.error.code).to.equal("ValidationFailed");
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).to.include("body.apiKey");
    });

    it("refuses a body that is not JSON with 415", async function () {
      const res = await request(h.app).post("/v1/auth/sessions").set("Content-Type", "text/plain").send("apiKey").expect(415);
      expect(res.body.error.code).to.equal("UnsupportedMediaType");
    });

    it("sets security headers (helmet)", async function () {
      const res = await request(h.app).get("/health");
      expect(res.headers["x-content-type-options"]).to.equal("nosniff");
      expect(res.headers["content-security-policy"]).to.include("default-src 'self'");
      expect(res.headers["x-powered-by"]).to.equal(undefined);
    });

    it("keeps CORS closed to origins not configured", async function () {
      const res = await request(h.app).get("/health").set("Origin", "https://evil.example").expect(200);
      expect(res.headers["access-control-allow-origin"]).to.equal(undefined);
      await request(h.app).options("/v1/me").set("Origin", "https://evil.example").expect(403);
    });

    it("opens CORS to a configured origin", async function () {
      const res = await request(h.app).options("/v1/me").set("Origin", "https://ui.example").expect(204);
      expect(res.headers["access-control-allow-origin"]).to.equal("https://ui.example");
    });

    it("reports not ready while the indexer has no checkpoint", async function () {
      const res = await request(h.app).get("/ready").expect(503);
      expect(res.body).to.deep.equal({
        ready: false,
        database: { ok: true },
        indexer: { checkpoint: null, head: null, lagBlocks: null, phase: null, lastError: null, ok: false },
      });
    });
  });

  describe("OpenAPI", function () {
    it("documents every mounted route, with its roles", async function () {
      const res = await request(h.app).get("/v1/openapi.json").expect(200);
      expect(res.body.openapi).to.equal("3.0.3");
      for (const route of h.routes) {
        const op = res.body.paths[route.path]?.[route.method];
        expect(op, `${route.method} ${route.path}`).to.not.equal(undefined);
        expect(op.operationId).to.equal(route.operationId);
      }
      expect(res.body.paths["/v1/api-keys"].post["x-roles"]).to.deep.equal(["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"]);
      expect(res.body.paths["/v1/api-keys"].post.requestBody.content["application/json"].schema).to.not.equal(undefined);
    });

    it("serves a self-contained HTML page listing every operation", async function () {
      const res = await request(h.app).get("/v1/docs").expect(200);
      expect(res.headers["content-type"]).to.match(/^text\/html/);
      for (const route of h.routes) expect(res.text).to.include(`id="${route.operationId}"`);
      // Offline-safe: no external script, stylesheet or font.
      expect(res.text).to.not.match(/<script|<link|https?:\/\/(?!ui\.example)/);
    });
  });

  describe("API keys and sessions", function () {
    it("refuses a request without a credential", async function () {
      const res = await request(h.app).get("/v1/me").expect(401);
      expect(res.body.error.code).to.equal("CredentialMissing");
    });

    it("refuses an unknown or malformed credential", async function () {
      expect((await request(h.app).get("/v1/me").set("Authorization", "Bearer nonsense").expect(401)).body.error.code).to.equal("CredentialInvalid");
      const forged = supplierKey.slice(0, -4) + "AAAA";
      expect((await request(h.app).get("/v1/me").set("Authorization", `Bearer ${forged}`).expect(401)).body.error.code).to.equal("CredentialInvalid");
    });

    it("authenticates an API key directly and reports the on-chain role", async function () {
      const res = await request(h.app).get("/v1/me").set("X-API-Key", supplierKey).expect(200);
      expect(res.body).to.deep.include({ role: "SUPPLIER", organisation: SUPPLIER.address.toLowerCase(), active: true, admin: false });
      // A key issued without naming a user has a user of its own, with the duties the key could use before users existed.
      expect(res.body.user).to.deep.include({ duties: ["maker", "checker", "viewer"] });
      expect(res.body.user.id).to.match(/^usr_[0-9a-f]{16}$/);
    });

    it("stores only a hash of the key", async function () {
      const rows = await h.db.sql.query<{ secret_hash: string }>(`SELECT "secret_hash" FROM "api_key"`);
      const secret = secretOf(supplierKey);
      for (const row of rows) expect(row.secret_hash).to.not.include(secret);
      expect(JSON.stringify(await h.db.sql.query(`SELECT * FROM "api_key"`))).to.not.include(secret);
    });

    it("exchanges an API key for a short-lived session token", async function () {
      const res = await request(h.app).post("/v1/auth/sessions").send({ apiKey: supplierKey }).expect(201);
      expect(res.body.token).to.match(/^lls_/);
      expect(res.body.subject).to.equal(SUPPLIER.address.toLowerCase());
      const ttl = Date.parse(res.body.expiresAt) - Date.now();
      expect(ttl).to.be.within(h.config.API_SESSION_TTL_SECONDS * 1000 - 5000, h.config.API_SESSION_TTL_SECONDS * 1000 + 1);
      await request(h.app).get("/v1/me").set("Authorization", `Bearer ${res.body.token}`).expect(200);
    });

    it("refuses an expired session", async function () {
      let clock = Date.now();
      const timed = await createHarness({ db: h.db, now: () => new Date(clock) });
      const res = await request(timed.app).post("/v1/auth/sessions").send({ apiKey: supplierKey }).expect(201);
      clock += (timed.config.API_SESSION_TTL_SECONDS + 1) * 1000;
      const denied = await request(timed.app).get("/v1/me").set("Authorization", `Bearer ${res.body.token}`).expect(401);
      expect(denied.body.error.code).to.equal("SessionExpired");
    });

    it("ends a session on sign-out", async function () {
      const { body } = await request(h.app).post("/v1/auth/sessions").send({ apiKey: supplierKey }).expect(201);
      await request(h.app).delete("/v1/auth/sessions/current").set("Authorization", `Bearer ${body.token}`).expect(204);
      await request(h.app).get("/v1/me").set("Authorization", `Bearer ${body.token}`).expect(401);
    });

    it("lets the operator issue a key, shown once and never listed", async function () {
      const res = await request(h.app)
        .post("/v1/api-keys")
        .set("X-API-Key", operatorKey)
        .send({ organisation: FINANCIER.address, admin: true, label: "bank admin" })
        .expect(201);
      expect(res.body.apiKey).to.match(/^llk_/);
      await request(h.app).get("/v1/me").set("X-API-Key", res.body.apiKey).expect(200);
      const list = await request(h.app).get("/v1/api-keys").set("X-API-Key", operatorKey).expect(200);
      expect(JSON.stringify(list.body)).to.not.include(secretOf(res.body.apiKey));
      expect(list.body.items.map((k: { id: string }) => k.id)).to.include(res.body.id);
    });

    it("lets an organisation admin issue a key for its own organisation", async function () {
      const res = await request(h.app).post("/v1/api-keys").set("X-API-Key", supplierAdminKey).send({ label: "second clerk" }).expect(201);
      const me = await request(h.app).get("/v1/me").set("X-API-Key", res.body.apiKey).expect(200);
      expect(me.body.organisation).to.equal(SUPPLIER.address.toLowerCase());
    });

    it("refuses an organisation admin a key for another organisation", async function () {
      const res = await request(h.app)
        .post("/v1/api-keys")
        .set("X-API-Key", supplierAdminKey)
        .send({ organisation: OTHER_SUPPLIER.address, label: "x" })
        .expect(403);
      expect(res.body.error.code).to.equal("ApiKeyIssueDenied");
    });

    it("refuses a non-admin user any key", async function () {
      const res = await request(h.app).post("/v1/api-keys").set("X-API-Key", supplierKey).send({ label: "x" }).expect(403);
      expect(res.body.error.code).to.equal("DutyRequired");
    });

    it("refuses an organisation admin an auditor key", async function () {
      const res = await request(h.app).post("/v1/api-keys").set("X-API-Key", supplierAdminKey).send({ kind: "AUDITOR", label: "x" }).expect(403);
      expect(res.body.error.code).to.equal("ApiKeyIssueDenied");
    });

    it("revokes a key, and its sessions with it; another organisation's key id is not found", async function () {
      const issued = await request(h.app).post("/v1/api-keys").set("X-API-Key", supplierAdminKey).send({ label: "temp" }).expect(201);
      const session = await request(h.app).post("/v1/auth/sessions").send({ apiKey: issued.body.apiKey }).expect(201);
      const foreignAdmin = await request(h.app)
        .post("/v1/api-keys")
        .set("X-API-Key", operatorKey)
        .send({ organisation: OTHER_SUPPLIER.address, admin: true, label: "other admin" })
        .expect(201);
      await request(h.app).delete(`/v1/api-keys/${issued.body.id}`).set("X-API-Key", foreignAdmin.body.apiKey).expect(404);
      await request(h.app).delete(`/v1/api-keys/${issued.body.id}`).set("X-API-Key", supplierAdminKey).expect(204);
      await request(h.app).get("/v1/me").set("X-API-Key", issued.body.apiKey).expect(401);
      await request(h.app).get("/v1/me").set("Authorization", `Bearer ${session.body.token}`).expect(401);
    });
  });

  describe("role guards", function () {
    it("refuses a role the route does not allow", async function () {
      const res = await request(h.app).post("/v1/api-keys").set("X-API-Key", auditorKey).send({ label: "x" }).expect(403);
      expect(res.body.error).to.deep.equal({
        code: "RoleNotAllowed",
        message: "this route is not open to AUDITOR",
        details: { allowed: ["OPERATOR", "CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] },
      });
    });

    it("refuses a suspended organisation, except to say who it is", async function () {
      const res = await request(h.app).get("/v1/api-keys").set("X-API-Key", suspendedKey).expect(403);
      expect(res.body.error.code).to.equal("OrganisationSuspended");
      const me = await request(h.app).get("/v1/me").set("X-API-Key", suspendedKey).expect(200);
      expect(me.body.active).to.equal(false);
    });

    it("follows the projection: a suspension applies to the next request", async function () {
      const key = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: FINANCIER.address.toLowerCase(), admin: true }, label: "f" })).token;
      await request(h.app).get("/v1/api-keys").set("X-API-Key", key).expect(200);
      await h.db.sql.run(`UPDATE "organisation" SET "active" = ? WHERE "address" = ?`, [false, FINANCIER.address.toLowerCase()]);
      await request(h.app).get("/v1/api-keys").set("X-API-Key", key).expect(403);
      await h.db.sql.run(`UPDATE "organisation" SET "active" = ? WHERE "address" = ?`, [true, FINANCIER.address.toLowerCase()]);
    });
  });

  describe("Sign-In with Ethereum", function () {
    async function nonce(): Promise<string> {
      return (await request(h.app).post("/v1/auth/siwe/nonce").expect(201)).body.nonce;
    }

    it("signs in an organisation holding its own key", async function () {
      const message = siweMessage({ address: SUPPLIER.address, nonce: await nonce() });
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature: await SUPPLIER.signMessage(message) }).expect(201);
      const me = await request(h.app).get("/v1/me").set("Authorization", `Bearer ${res.body.token}`).expect(200);
      expect(me.body).to.deep.equal({
        role: "SUPPLIER",
        organisation: SUPPLIER.address.toLowerCase(),
        active: true,
        admin: true,
        // Whoever holds the organisation's key is its wallet user, with every duty.
        user: { id: `usr_wallet_${SUPPLIER.address.toLowerCase().slice(2)}`, name: "Organisation wallet", duties: ["admin", "maker", "checker", "viewer"] },
      });
    });

    it("refuses a replayed nonce", async function () {
      const message = siweMessage({ address: SUPPLIER.address, nonce: await nonce() });
      const signature = await SUPPLIER.signMessage(message);
      await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature }).expect(201);
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature }).expect(401);
      expect(res.body.error.code).to.equal("SiweNonceInvalid");
    });

    it("refuses a nonce the server never issued", async function () {
      const message = siweMessage({ address: SUPPLIER.address, nonce: "abcdef0123456789" });
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature: await SUPPLIER.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweNonceInvalid");
    });

    it("refuses a message for another domain", async function () {
      const message = siweMessage({ address: SUPPLIER.address, nonce: await nonce(), domain: "evil.example" });
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature: await SUPPLIER.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweDomainMismatch");
    });

    it("refuses a message for another chain", async function () {
      const message = siweMessage({ address: SUPPLIER.address, nonce: await nonce(), chainId: 1 });
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature: await SUPPLIER.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweChainMismatch");
    });

    it("refuses an expired message", async function () {
      const message = siweMessage({
        address: SUPPLIER.address,
        nonce: await nonce(),
        issuedAt: new Date(Date.now() - 120_000).toISOString(),
        expirationTime: new Date(Date.now() - 60_000).toISOString(),
      });
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature: await SUPPLIER.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweExpired");
    });

    it("refuses an expired nonce", async function () {
      let clock = Date.now();
      const timed = await createHarness({ db: h.db, now: () => new Date(clock), chainId: 31337 });
      const issued = (await request(timed.app).post("/v1/auth/siwe/nonce").expect(201)).body.nonce;
      clock += (timed.config.SIWE_NONCE_TTL_SECONDS + 1) * 1000;
      const message = siweMessage({ address: SUPPLIER.address, nonce: issued });
      const res = await request(timed.app).post("/v1/auth/siwe/verify").send({ message, signature: await SUPPLIER.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweNonceInvalid");
    });

    it("refuses a signature by another key", async function () {
      const message = siweMessage({ address: SUPPLIER.address, nonce: await nonce() });
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature: await OTHER_SUPPLIER.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweSignatureInvalid");
    });

    it("refuses an address that is not a registered organisation", async function () {
      const stranger = Wallet.createRandom();
      const message = siweMessage({ address: stranger.address, nonce: await nonce() });
      const res = await request(h.app).post("/v1/auth/siwe/verify").send({ message, signature: await stranger.signMessage(message) }).expect(401);
      expect(res.body.error.code).to.equal("SiweUnknownOrganisation");
    });
  });

  describe("rate limit and logs", function () {
    it("limits requests per API key", async function () {
      const limited = await createHarness({ db: h.db, env: { API_RATE_LIMIT_PER_MINUTE: "3" } });
      // Keys of their own: on PostgreSQL both harnesses count in the same database (as API processes do),
      // where the keys used by the tests above already spent part of this minute.
      const sub = { kind: "ORGANISATION" as const, organisation: SUPPLIER.address.toLowerCase(), admin: false };
      const key = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: sub, label: "limited" })).token;
      const otherKey = (await h.auth.issueApiKey({ issuer: "bootstrap", subject: sub, label: "limited 2" })).token;
      for (let i = 0; i < 3; i++) await request(limited.app).get("/v1/me").set("X-API-Key", key).expect(200);
      const res = await request(limited.app).get("/v1/me").set("X-API-Key", key).expect(429);
      expect(res.body.error.code).to.equal("RateLimited");
      expect(res.headers["ratelimit-policy"]).to.equal("3;w=60");
      expect(res.headers.ratelimit).to.match(/^limit=3, remaining=0, reset=\d+$/);
      expect(Number(res.headers["retry-after"])).to.be.within(0, 60);
      // Another key has its own budget.
      await request(limited.app).get("/v1/me").set("X-API-Key", otherKey).expect(200);
    });

    it("logs each request with id, route, organisation, status and duration, and no secret", async function () {
      await request(h.app).get("/v1/me").set("X-API-Key", supplierKey).set("X-Request-Id", "trace-me-123").expect(200);
      // The line is written when the response finishes, which may be just after the client has it.
      const find = () => h.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === "trace-me-123");
      for (let i = 0; i < 50 && find() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
      const line = find();
      expect(line).to.include({ method: "GET", route: "/v1/me", status: 200, org: SUPPLIER.address.toLowerCase() });
      expect(line?.durationMs).to.be.a("number");
      const all = h.logLines.join("\n");
      for (const secret of [supplierKey, operatorKey, supplierAdminKey, auditorKey]) expect(all).to.not.include(secretOf(secret));
    });
  });
});
