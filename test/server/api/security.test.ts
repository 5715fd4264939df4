/**
 * Findings of the security review (issue 9, item 9, and item 6's rate-limit finding), each played
 * against the real routes: trusted proxies, the per-address limit before credentials, the limit shared
 * by API processes on PostgreSQL, secrets kept out of configuration errors and logged URLs, and sign-out
 * with the session in either header.
 */
import { Writable } from "node:stream";
import { expect } from "chai";
import pino from "pino";
import request from "supertest";
import { loadApiConfig } from "../../../server/config/api";
import { loadChainEnv } from "../../../server/config/chain";
import { loadDatabaseConfig } from "../../../server/config/database";
import { openDatabase, type Db } from "../../../server/db/client";
import { redactUrlsHook } from "../../../server/lib/logger";
import { redactUrl } from "../../../server/lib/redact";
import { createHttpTransport } from "../../../server/lib/rpc";
import { announceDialects, freshDatabase, testDialects, type FreshDatabase } from "../db/fresh";
import { createHarness, type Harness } from "./harness";

const RPC_KEY = "0123456789abcdef0123456789abcdef";

async function operatorKey(h: Harness, label = "operator"): Promise<string> {
  return (await h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "OPERATOR" }, label })).token;
}

describe("API security review findings", function () {
  before(announceDialects);

  describe("API_TRUST_PROXY", function () {
    it("takes a hop count or the proxies' addresses, and refuses true (which would trust every hop)", function () {
      expect(loadApiConfig({}).API_TRUST_PROXY).to.equal(false);
      expect(loadApiConfig({ API_TRUST_PROXY: "false" }).API_TRUST_PROXY).to.equal(false);
      expect(loadApiConfig({ API_TRUST_PROXY: "2" }).API_TRUST_PROXY).to.equal(2);
      expect(loadApiConfig({ API_TRUST_PROXY: "10.0.0.1, 10.1.0.0/16, loopback, ::1" }).API_TRUST_PROXY).to.deep.equal(["10.0.0.1", "10.1.0.0/16", "loopback", "::1"]);
      for (const bad of ["true", "yes", "everyone", "10.0.0.1/99", "10.0.0.0/8,bogus"]) {
        expect(() => loadApiConfig({ API_TRUST_PROXY: bad }), bad).to.throw(/API_TRUST_PROXY: must be a hop count/);
      }
    });

    for (const [setting, value] of [
      ["a hop count", "1"],
      ["the proxy's address", "loopback"],
    ] as const) {
      it(`takes the address the trusted proxy saw, not one the client wrote into X-Forwarded-For (${setting})`, async function () {
        const h = await createHarness({ env: { API_TRUST_PROXY: value, API_RATE_LIMIT_PER_MINUTE: "3" } });
        try {
          // The client rotates a forged first entry; the proxy (127.0.0.1, the test's socket) appends the real one.
          const statuses: number[] = [];
          for (let i = 0; i < 8; i++) {
            const res = await request(h.app).post("/v1/auth/siwe/nonce").set("X-Forwarded-For", `198.51.100.${i}, 203.0.113.7`);
            statuses.push(res.status);
          }
          expect(statuses).to.deep.equal([201, 201, 201, 429, 429, 429, 429, 429]);
          // Another real client behind the same proxy has its own budget.
          await request(h.app).post("/v1/auth/siwe/nonce").set("X-Forwarded-For", "203.0.113.8").expect(201);
        } finally {
          await h.close();
        }
      });
    }
  });

  describe("rate limit before credentials", function () {
    let h: Harness;
    before(async function () {
      h = await createHarness({ env: { API_TRUST_PROXY: "1", API_RATE_LIMIT_PER_MINUTE: "3" } });
    });
    after(async function () {
      await h?.close();
    });

    it("limits failed credentials by client address: 12 bad tokens at a limit of 3 are 3 × 401, then 429", async function () {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await request(h.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.20").set("Authorization", `Bearer lls_${"0".repeat(15)}${i % 10}_${"x".repeat(43)}`);
        statuses.push(res.status);
        if (res.status === 429) expect(res.body.error.code).to.equal("RateLimited");
      }
      expect(statuses).to.deep.equal([401, 401, 401, 429, 429, 429, 429, 429, 429, 429, 429, 429]);
    });

    it("limits unauthenticated requests to a protected route by client address (no credentials at all)", async function () {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await request(h.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.21")).status);
      expect(statuses).to.deep.equal([401, 401, 401, 429, 429, 429]);
    });

    it("refuses an address over its budget before looking at its credentials, while valid keys elsewhere keep their own budget", async function () {
      const key = await operatorKey(h);
      for (let i = 0; i < 3; i++) await request(h.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.22").set("X-API-Key", "llk_bad").expect(401);
      await request(h.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.22").set("X-API-Key", "llk_bad").expect(429);
      const refused = await request(h.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.22").set("X-API-Key", key).expect(429);
      expect(Number(refused.headers["retry-after"])).to.be.within(0, 60);
      // Successful requests count against the credential, not the address: 3 from one address, then the key is spent.
      for (let i = 0; i < 3; i++) await request(h.app).get("/v1/me").set("X-Forwarded-For", `203.0.113.${30 + i}`).set("X-API-Key", key).expect(200);
      await request(h.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.40").set("X-API-Key", key).expect(429);
    });
  });

  for (const dialect of testDialects().filter((d) => d === "postgres")) {
    describe("rate limit on PostgreSQL", function () {
      let fresh: FreshDatabase;
      const dbs: Db[] = [];
      const apis: Harness[] = [];
      before(async function () {
        fresh = await freshDatabase(dialect, "ratelimit");
        // Two API processes: each its own connection pool and its own limiter; only the database is shared.
        for (let i = 0; i < 2; i++) {
          const db = await openDatabase({ url: fresh.url });
          dbs.push(db);
          apis.push(await createHarness({ db, env: { API_TRUST_PROXY: "1", API_RATE_LIMIT_PER_MINUTE: "5" } }));
        }
      });
      after(async function () {
        for (const a of apis) await a.close();
        for (const d of dbs) await d.close();
        await fresh?.drop();
      });

      it("counts one budget across API processes sharing the database, per credential and per address", async function () {
        const key = await operatorKey(apis[0]!, "shared");
        const statuses: number[] = [];
        // Alternate between the two processes, and run them concurrently: exactly 5 pass in the window.
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => request(apis[i % 2]!.app).get("/v1/me").set("X-API-Key", key)));
        for (const r of results) statuses.push(r.status);
        expect(statuses.filter((s) => s === 200)).to.have.length(5);
        expect(statuses.filter((s) => s === 429)).to.have.length(5);

        const failed: number[] = [];
        for (let i = 0; i < 8; i++) failed.push((await request(apis[i % 2]!.app).get("/v1/me").set("X-Forwarded-For", "203.0.113.50").set("X-API-Key", "llk_bad")).status);
        expect(failed).to.deep.equal([401, 401, 401, 401, 401, 429, 429, 429]);
        const rows = await dbs[0]!.sql.query<{ key: string; hits: number }>(`SELECT "key", "hits" FROM "rate_limit_window" ORDER BY "key"`);
        expect(rows.map((r) => r.key)).to.include("ip:203.0.113.50");
      });
    });
  }

  describe("secrets never printed", function () {
    it("configuration errors name a bad variable without echoing a password, a key or a passphrase", function () {
      const messageOf = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return (e as Error).message;
        }
        throw new Error("expected a configuration error");
      };
      const db = messageOf(() => loadDatabaseConfig({ DATABASE_URL: "mysql://ledger:hunter2-secret@db.internal:3306/ledger" }));
      expect(db).to.match(/DATABASE_URL: must start with/).and.include("db.internal").and.not.include("hunter2");
      const rpc = messageOf(() => loadChainEnv({ RPC_URL: `ftp://mainnet.example/v3/${RPC_KEY}?apikey=other-secret` }));
      expect(rpc).to.match(/RPC_URL/).and.not.include(RPC_KEY).and.not.include("other-secret");
      const pass = messageOf(() => loadApiConfig({ API_KEYSTORE_PASSPHRASE: "", API_PORT: "not-a-port" }));
      expect(pass).to.include("API_PORT").and.not.include("not-a-port");
    });

    it("redacts credentials in URLs: user info, key-like path segments, query values", function () {
      expect(redactUrl("postgresql://ledger:hunter2@10.0.0.5:5432/ledgerline")).to.equal("postgresql://[redacted]@10.0.0.5:5432/ledgerline");
      expect(redactUrl(`https://mainnet.infura.io/v3/${RPC_KEY}`)).to.equal("https://mainnet.infura.io/v3/[redacted]");
      expect(redactUrl("https://rpc.example/?apikey=s3cret&x=1")).to.equal("https://rpc.example/?apikey=[redacted]&x=[redacted]");
      expect(redactUrl("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
      expect(redactUrl("file:./data/ledgerline.db")).to.equal("file:./data/ledgerline.db");
    });

    it("names the RPC endpoint in the indexer's errors without its key", async function () {
      const url = `http://user:pa55word@127.0.0.1:9/v3/${RPC_KEY}?apikey=other-secret`;
      const err = (await createHttpTransport(url, { timeoutMs: 2_000 })
        .send("eth_blockNumber", [])
        .catch((e: unknown) => e)) as Error;
      expect(err.message).to.match(/^RPC http:\/\/\[redacted\]@127\.0\.0\.1:9\/v3\/\[redacted\]\?apikey=\[redacted\] unreachable/);
      for (const secret of [RPC_KEY, "pa55word", "other-secret"]) expect(err.message).to.not.include(secret);
    });

    it("redacts URLs in every logged message, string field and error", function () {
      const lines: string[] = [];
      const logger = pino({ hooks: { logMethod: redactUrlsHook } }, new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }));
      logger.warn({ err: `RPC https://node.example/v2/${RPC_KEY} failed`, database: "postgres://u:hunter2@db/x" }, `connecting to https://node.example/v2/${RPC_KEY}`);
      logger.error({ err: new Error("connect to postgresql://u:hunter2@db:5432/x failed") }, "database down");
      const all = lines.join("\n");
      expect(all).to.not.include(RPC_KEY).and.not.include("hunter2");
      expect(all).to.include("https://node.example/v2/[redacted]").and.include("postgresql://[redacted]@db:5432/x");
    });
  });

  describe("sign-out", function () {
    let h: Harness;
    before(async function () {
      h = await createHarness({});
    });
    after(async function () {
      await h?.close();
    });

    for (const header of ["Authorization", "X-API-Key"] as const) {
      it(`ends the session whose token came in ${header}`, async function () {
        const { body } = await request(h.app).post("/v1/auth/sessions").send({ apiKey: await operatorKey(h) }).expect(201);
        const set = (r: request.Test) => r.set(header, header === "Authorization" ? `Bearer ${body.token}` : body.token);
        await set(request(h.app).get("/v1/me")).expect(200);
        await set(request(h.app).delete("/v1/auth/sessions/current")).expect(204);
        const after = await set(request(h.app).get("/v1/me")).expect(401);
        expect(after.body.error.code).to.equal("CredentialInvalid");
      });
    }
  });
});
