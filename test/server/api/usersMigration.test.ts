/**
 * Backwards compatibility of users and duties (issue 12 item 2): a database whose organisation keys and
 * sessions were issued before users existed is migrated so that every such key is a user of its own
 * (an admin key with every duty, any other with every duty but admin) and keeps working unchanged; a
 * session from such a key carries on as its user; any other organisation session signs in again.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wallet } from "ethers";
import request from "supertest";
import { newCredential } from "../../../server/auth/credentials";
import { openDatabase, type Db } from "../../../server/db/client";
import { listMigrations, migrate, migrationsRoot } from "../../../server/db/migrate";
import { openSql } from "../../../server/db/sql";
import { freshDatabase, testDialects, type FreshDatabase } from "../db/fresh";
import { createHarness, type Harness } from "./harness";

const USERS_MIGRATION = "20261130040000_users_duties";

for (const dialect of testDialects()) describe(`API: keys issued before users existed (${dialect})`, function () {
  let fresh: FreshDatabase;
  let db: Db;
  let h: Harness;
  let dir: string;
  const org = Wallet.createRandom().address.toLowerCase();
  const adminKey = newCredential("apiKey");
  const clerkKey = newCredential("apiKey");
  const operatorKey = newCredential("apiKey");
  const clerkSession = newCredential("session");
  const walletSession = newCredential("session");

  before(async function () {
    fresh = await freshDatabase(dialect, "usersmig");
    // The database as the code before users left it: every migration before this one.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-mig-"));
    fs.mkdirSync(path.join(dir, dialect));
    for (const m of listMigrations(dialect).filter((m) => m.name < USERS_MIGRATION)) {
      fs.cpSync(path.join(migrationsRoot, dialect, m.name), path.join(dir, dialect, m.name), { recursive: true });
    }
    const old = openSql(fresh.url);
    await migrate({ sql: old, root: dir });
    const t = BigInt(Date.now());
    await old.run(`INSERT INTO "organisation" ("address", "role", "active", "kyc_hash", "registered_block", "updated_block") VALUES (?, 'SUPPLIER', ?, '0x00', 1, 1)`, [org, true]);
    const key = `INSERT INTO "api_key" ("id", "secret_hash", "subject_kind", "organisation", "admin", "label", "created_by", "created_at_ms", "revoked_at_ms") VALUES (?, ?, ?, ?, ?, ?, 'bootstrap', ?, NULL)`;
    await old.run(key, [adminKey.id, adminKey.secretHash, "ORGANISATION", org, true, "finance director", t]);
    await old.run(key, [clerkKey.id, clerkKey.secretHash, "ORGANISATION", org, false, "clerk", t]);
    await old.run(key, [operatorKey.id, operatorKey.secretHash, "OPERATOR", null, true, "operator", t]);
    const session = `INSERT INTO "api_session" ("id", "secret_hash", "subject_kind", "organisation", "admin", "credential_id", "expires_at_ms") VALUES (?, ?, 'ORGANISATION', ?, ?, ?, ?)`;
    await old.run(session, [clerkSession.id, clerkSession.secretHash, org, false, `key:${clerkKey.id}`, t + 600_000n]);
    await old.run(session, [walletSession.id, walletSession.secretHash, org, true, `siwe:${org}`, t + 600_000n]);
    await old.close();
    // Then this code starts on it: the remaining migrations run.
    db = await openDatabase({ url: fresh.url });
    h = await createHarness({ db });
  });
  after(async function () {
    await h?.close();
    await db?.close();
    await fresh?.drop();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("makes each organisation key a user with the duties it had, and the key keeps working", async function () {
    const admin = await request(h.app).get("/v1/me").set("Authorization", `Bearer ${adminKey.token}`).expect(200);
    expect(admin.body).to.deep.include({ role: "SUPPLIER", organisation: org, admin: true });
    expect(admin.body.user).to.deep.equal({ id: `usr_${adminKey.id}`, name: "finance director", duties: ["admin", "maker", "checker", "viewer"] });
    const clerk = await request(h.app).get("/v1/me").set("Authorization", `Bearer ${clerkKey.token}`).expect(200);
    expect(clerk.body.user).to.deep.equal({ id: `usr_${clerkKey.id}`, name: "clerk", duties: ["maker", "checker", "viewer"] });
    // The admin manages users at once; the clerk, who could not issue keys before, cannot now.
    const users = await request(h.app).get("/v1/users").set("Authorization", `Bearer ${adminKey.token}`).expect(200);
    expect(users.body.items.map((u: { id: string }) => u.id).sort()).to.deep.equal([`usr_${adminKey.id}`, `usr_${clerkKey.id}`].sort());
    expect((await request(h.app).get("/v1/users").set("Authorization", `Bearer ${clerkKey.token}`).expect(403)).body.error.code).to.equal("DutyRequired");
    // Server keys have no user.
    expect((await request(h.app).get("/v1/me").set("Authorization", `Bearer ${operatorKey.token}`).expect(200)).body.user).to.equal(null);
    const keys = await db.sql.query<{ id: string; user_id: string | null }>(`SELECT "id", "user_id" FROM "api_key" ORDER BY "id"`);
    expect(Object.fromEntries(keys.map((k) => [k.id, k.user_id]))).to.deep.equal({ [adminKey.id]: `usr_${adminKey.id}`, [clerkKey.id]: `usr_${clerkKey.id}`, [operatorKey.id]: null });
  });

  it("keeps a session opened from such a key as its user, and ends the others", async function () {
    const me = await request(h.app).get("/v1/me").set("Authorization", `Bearer ${clerkSession.token}`).expect(200);
    expect(me.body.user.id).to.equal(`usr_${clerkKey.id}`);
    expect((await request(h.app).get("/v1/me").set("Authorization", `Bearer ${walletSession.token}`).expect(401)).body.error.code).to.equal("CredentialInvalid");
  });
});
