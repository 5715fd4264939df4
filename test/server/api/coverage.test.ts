/**
 * Every route of the full API, checked mechanically from the same route table that builds the app and
 * the OpenAPI document: documented; without a credential → 401; with each role it does not allow →
 * 403; with a malformed path parameter or body (by an allowed role) → 400 naming the field. The
 * per-route behaviour (success and object-level denials) is in the domain tests.
 */
import { expect } from "chai";
import { JsonRpcProvider, Network, Wallet } from "ethers";
import request from "supertest";
import os from "node:os";
import { ACCESS_ROLES, type AccessRole } from "../../../server/auth/principal";
import { requiredDuty } from "../../../server/api/route";
import { createDomain } from "../../../server/domain";
import { createChainContext, projectInterfaces } from "../../../server/domain/context";
import { createSignerRegistry } from "../../../server/signing/signers";
import { openDatabase, type Db } from "../../../server/db/client";
import { freshDatabase, type FreshDatabase } from "../db/fresh";
import { createHarness, type Harness } from "./harness";

describe("API: every route's authentication, role guard, validation and documentation", function () {
  let fresh: FreshDatabase;
  let db: Db;
  let h: Harness;
  const keys = new Map<AccessRole, string>();
  /** Per organisation role, keys of users holding only some duties (issue 12 item 2). */
  const dutyKeys = new Map<string, string>();
  let provider: JsonRpcProvider;

  before(async function () {
    fresh = await freshDatabase("sqlite", "coverage");
    db = await openDatabase({ url: fresh.url });
    // No chain is reached: every check here happens before a handler runs.
    provider = new JsonRpcProvider("http://127.0.0.1:9", Network.from(31337), { staticNetwork: true });
    const chain = createChainContext({
      provider,
      chainId: 31337n,
      addresses: { ledger: Wallet.createRandom().address },
      signers: createSignerRegistry({ provider, organisations: new Map(), interfaces: projectInterfaces(), sql: db.sql, chain: { chainKey: "31337:none", chainId: 31337n }, sweepMs: 0 }),
    });
    const domain = createDomain({ db: db.prisma, readSql: db.sql, chain, waitForIndexed: async () => true, documentDir: os.tmpdir() });
    h = await createHarness({ db, domainRoutes: domain.routes });
    for (const role of ["CORE_ENTERPRISE", "SUPPLIER", "FINANCIER"] as const) {
      const address = Wallet.createRandom().address.toLowerCase();
      await db.sql.run(`INSERT INTO "organisation" ("address", "role", "active", "kyc_hash", "registered_block", "updated_block") VALUES (?, ?, ?, ?, 1, 1)`, [address, role, true, "0x00"]);
      keys.set(role, (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: address, admin: true }, label: role })).token);
      const operator = { kind: "OPERATOR", credentialId: "test" } as const;
      for (const duties of [["viewer"], ["maker"], ["checker", "viewer"]] as const) {
        const user = await h.auth.createUser(operator, { organisation: address, name: duties.join("+"), duties });
        const subject = { kind: "ORGANISATION" as const, organisation: address, admin: false, userId: user.id };
        dutyKeys.set(`${role}:${duties.join("+")}`, (await h.auth.issueApiKey({ issuer: "bootstrap", subject, label: duties.join("+") })).token);
      }
    }
    keys.set("OPERATOR", (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "OPERATOR" }, label: "op" })).token);
    keys.set("AUDITOR", (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "AUDITOR" }, label: "au" })).token);
  });

  after(async function () {
    provider?.destroy();
    await h?.close();
    await db?.close();
    await fresh?.drop();
  });

  /** A concrete URL for a route, with every `{param}` replaced by `value`. */
  const urlOf = (path: string, value: string) => path.replace(/\{[A-Za-z0-9_]+\}/g, value);
  const validId = (path: string) => (path.includes("webhooks/{id}") ? `whk_${"0".repeat(24)}` : path.includes("{invoiceHash}") ? `0x${"ab".repeat(32)}` : path.includes("quotes/{id}") || path.includes("financing-requests/{id}") ? "00000000-0000-4000-8000-000000000000" : path.includes("{address}") ? Wallet.createRandom().address : path.includes("api-keys") ? "0123456789abcdef" : "4294967296");

  function send(route: { method: string; path: string }, url: string) {
    const agent = request(h.app);
    switch (route.method) {
      case "get":
        return agent.get(url);
      case "post":
        return agent.post(url);
      case "put":
        return agent.put(url);
      case "patch":
        return agent.patch(url);
      default:
        return agent.delete(url);
    }
  }

  it("documents every route in the OpenAPI document", async function () {
    const doc = (await request(h.app).get("/v1/openapi.json").expect(200)).body;
    for (const route of h.routes) expect(doc.paths[route.path]?.[route.method]?.operationId, `${route.method} ${route.path}`).to.equal(route.operationId);
    expect(h.routes.length).to.be.greaterThan(45);
  });

  it("states the Idempotency-Key character set and the uint256 pattern in the document", async function () {
    const doc = (await request(h.app).get("/v1/openapi.json").expect(200)).body;
    const header = (path: string, method: string) =>
      (doc.paths[path][method].parameters as { name: string; in: string; required: boolean; schema: { pattern: string } }[]).find((p) => p.in === "header" && p.name === "idempotency-key");
    for (const route of h.routes.filter((r) => r.idempotent === true)) {
      expect(header(route.path, route.method), `${route.method} ${route.path}`).to.deep.include({ required: true });
      expect(header(route.path, route.method)?.schema.pattern).to.equal("^[A-Za-z0-9._:-]{8,128}$");
    }
    // POST quote honours a key when sent (optional).
    expect(header("/v1/financing-requests/{id}/quotes", "post")).to.deep.include({ required: false });
    expect(doc.components.schemas.Split.properties.amount.pattern).to.equal("^(0|[1-9][0-9]{0,77})$");
    expect(doc.components.schemas.Receivable.properties.amount.pattern).to.equal("^(0|[1-9][0-9]{0,77})$");
  });

  it("answers 401 to every non-public route without a credential", async function () {
    for (const route of h.routes.filter((r) => r.access.kind === "authenticated")) {
      const res = await send(route, urlOf(route.path, validId(route.path)));
      expect(res.status, `${route.method} ${route.path}`).to.equal(401);
      expect(res.body.error.code).to.equal("CredentialMissing");
    }
  });

  it("answers 403 to every role a route does not allow", async function () {
    let checked = 0;
    for (const route of h.routes) {
      if (route.access.kind !== "authenticated") continue;
      const allowed = route.access.roles;
      for (const role of ACCESS_ROLES.filter((r) => !allowed.includes(r))) {
        const res = await send(route, urlOf(route.path, validId(route.path))).set("Authorization", `Bearer ${keys.get(role)}`);
        expect(res.status, `${role} on ${route.method} ${route.path}`).to.equal(403);
        expect(res.body.error.code).to.equal("RoleNotAllowed");
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(100);
  });

  it("answers 403 DutyRequired to every organisation user without the duty a route needs", async function () {
    let checked = 0;
    for (const route of h.routes) {
      const duty = requiredDuty(route);
      if (duty === undefined || route.access.kind !== "authenticated") continue;
      for (const role of route.access.roles.filter((r) => r !== "OPERATOR" && r !== "AUDITOR")) {
        // A viewer does no one's job but reading; a maker does not do an admin's or a checker's; a checker not a maker's or an admin's.
        for (const duties of ["viewer", "maker", "checker+viewer"].filter((d) => !d.split("+").includes(duty))) {
          const res = await send(route, urlOf(route.path, validId(route.path))).set("Authorization", `Bearer ${dutyKeys.get(`${role}:${duties}`)}`);
          expect(res.status, `${duties} of ${role} on ${route.method} ${route.path}`).to.equal(403);
          expect(res.body.error.code).to.equal("DutyRequired");
          expect(res.body.error.details.required).to.equal(duty);
          checked += 1;
        }
      }
    }
    expect(checked).to.be.greaterThan(150);
  });

  it("leaves every read open to every duty, and documents each route's duty", async function () {
    const doc = (await request(h.app).get("/v1/openapi.json").expect(200)).body;
    for (const route of h.routes) {
      expect(doc.paths[route.path][route.method]["x-duty"], `${route.method} ${route.path}`).to.equal(requiredDuty(route));
      if (route.method === "get" && route.access.kind === "authenticated" && route.access.duty === undefined) expect(requiredDuty(route)).to.equal(undefined);
    }
    const me = await request(h.app).get("/v1/me").set("Authorization", `Bearer ${dutyKeys.get("SUPPLIER:viewer")}`).expect(200);
    expect(me.body.user.duties).to.deep.equal(["viewer"]);
    await request(h.app).get("/v1/receivables").set("Authorization", `Bearer ${dutyKeys.get("SUPPLIER:viewer")}`).expect(200);
  });

  it("answers 400 naming the field to a malformed path parameter or body", async function () {
    for (const route of h.routes) {
      if (route.access.kind !== "authenticated") continue;
      const role = route.access.roles[0] as AccessRole;
      if (route.params !== undefined) {
        let req = send(route, urlOf(route.path, "not-an-id!")).set("Authorization", `Bearer ${keys.get(role)}`).set("Idempotency-Key", `cov-${Math.random()}`);
        if (route.body !== undefined && route.bodyType !== "raw") req = req.send({});
        const res = await req;
        expect(res.status, `params of ${route.method} ${route.path}`).to.equal(400);
        expect(res.body.error.details.fields[0].field).to.match(/^params\./);
      }
      if (route.body !== undefined && route.bodyType !== "raw") {
        const res = await send(route, urlOf(route.path, validId(route.path)))
          .set("Authorization", `Bearer ${keys.get(role)}`)
          .set("Idempotency-Key", `cov-${Math.random()}`)
          .set("Content-Type", "application/json")
          .send("[1]");
        expect(res.status, `body of ${route.method} ${route.path}`).to.equal(400);
        expect(res.body.error.details.fields.some((f: { field: string }) => f.field.startsWith("body"))).to.equal(true);
      }
    }
  });
});
