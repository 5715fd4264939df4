/**
 * The API as a listening server (startApiServer) with custodial keys unlocked from an encrypted ethers
 * keystore, its configuration errors, and graceful close.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { hardhatDevKey, hardhatDevKeyOf } from "../../../server/signing/devKeys";
import { loadApiConfig } from "../../../server/config/api";
import { formatDemoLogins, startApiServer, type ApiServer } from "../../../server/api/server";
import { loadKeystore, writeKeystore } from "../../../server/signing/keystore";
import { chainNow, createWorld, DAY, UNIT, type World } from "./world";

const hardhatKey = hardhatDevKey;

describe("API server and keystore", function () {
  describe("configuration", function () {
    it("names a bad variable without echoing its value", function () {
      expect(() => loadApiConfig({ API_PORT: "http", API_KEYSTORE_PASSPHRASE: "" })).to.throw(/API_PORT/);
      expect(() => loadApiConfig({ API_CORS_ORIGINS: "not a url" })).to.throw(/API_CORS_ORIGINS/);
      try {
        loadApiConfig({ API_RATE_LIMIT_PER_MINUTE: "s3cret-value" });
        expect.fail("should throw");
      } catch (err) {
        expect((err as Error).message).to.include("API_RATE_LIMIT_PER_MINUTE").and.not.include("s3cret-value");
      }
    });

    it("has working defaults", function () {
      const config = loadApiConfig({});
      expect(config).to.include({ API_HOST: "127.0.0.1", API_PORT: 3000, API_SESSION_TTL_SECONDS: 900 });
      expect(config.API_CORS_ORIGINS).to.deep.equal([]);
    });
  });

  describe("keystore", function () {
    let dir: string;
    before(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-ks-"));
    });
    after(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("finds the development key of a Hardhat account by address", async function () {
      const signers = await ethers.getSigners();
      expect(hardhatDevKeyOf(signers[5]!.address)).to.equal(hardhatDevKey(5));
    });

    it("unlocks what it wrote, marking the operator's key", async function () {
      await writeKeystore({ dir, passphrase: "correct horse", keys: [{ privateKey: hardhatKey(0), operator: true }, { privateKey: hardhatKey(2) }], scryptN: 1024 });
      const entries = await loadKeystore({ dir, passphrase: "correct horse" });
      const signers = await ethers.getSigners();
      expect(entries.map((e) => [e.address, e.operator])).to.deep.equal([
        [signers[2]!.address.toLowerCase(), false],
        [signers[0]!.address.toLowerCase(), true],
      ]);
      // Files hold no plaintext key.
      for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, f), "utf8")).to.not.include(hardhatKey(2).slice(2));
    });

    it("refuses a wrong passphrase, naming the file and not the passphrase", async function () {
      try {
        await loadKeystore({ dir, passphrase: "wrong horse" });
        expect.fail("should throw");
      } catch (err) {
        expect((err as Error).message).to.match(/keystore .*\.json: cannot decrypt/).and.not.include("wrong horse");
      }
    });
  });

  describe("startApiServer", function () {
    let w: World;
    let api: ApiServer;
    let dir: string;

    before(async function () {
      w = await createWorld();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-ks-"));
      // Accounts 1 (core) and 2 (tier 1) as createWorld assigns them; account 0 is the operator.
      await writeKeystore({ dir, passphrase: "demo", keys: [{ privateKey: hardhatKey(0), operator: true }, { privateKey: hardhatKey(1) }, { privateKey: hardhatKey(2) }], scryptN: 1024 });
      api = await startApiServer({
        db: w.db,
        provider: ethers.provider,
        deployment: { startBlock: 0, contracts: { ReceivableToken: w.addresses.ledger, FinancingSettlement: w.addresses.financing, RepaymentVault: w.addresses.vault } },
        env: { API_PORT: "0", API_KEYSTORE_DIR: dir, API_KEYSTORE_PASSPHRASE: "demo", API_LOG_LEVEL: "silent", SIWE_DOMAIN: "localhost" },
        waitForIndexed: async (n) => (await w.indexer.syncTo(n)).checkpoint >= n,
      });
    });
    after(async function () {
      await api?.close();
      await w?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("serves over HTTP and sends with keys unlocked from the keystore", async function () {
      const logins = await api.issueDemoLogins([
        { name: "Core enterprise", address: w.core.address },
        { name: "Tier-1 supplier", address: w.tier1.address },
      ]);
      const text = formatDemoLogins(api.url, logins);
      // Each organisation has an admin, a maker and a checker, each with a key of its own.
      const login = (name: string) => logins.find((l) => l.name === name) as (typeof logins)[number];
      expect(logins.map((l) => l.name)).to.include.members(["Core enterprise admin", "Core enterprise maker", "Core enterprise checker", "Tier-1 supplier maker", "Platform operator", "Auditor"]);
      expect(text).to.include("Tier-1 supplier maker").and.include(login("Tier-1 supplier maker").apiKey).and.include("/v1/docs");
      const checker = await fetch(`${api.url}/v1/me`, { headers: { Authorization: `Bearer ${login("Core enterprise checker").apiKey}` } });
      expect(((await checker.json()) as { user: { duties: string[] } }).user.duties).to.deep.equal(["checker", "viewer"]);
      const health = await fetch(`${api.url}/health`);
      expect(health.status).to.equal(200);
      const ready = await fetch(`${api.url}/ready`);
      expect(((await ready.json()) as { database: { ok: boolean } }).database.ok).to.equal(true);
      const res = await fetch(`${api.url}/v1/invoices`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${login("Tier-1 supplier maker").apiKey}`, "Idempotency-Key": "server-test-1" },
        body: JSON.stringify({
          debtor: w.core.address,
          currency: w.currency,
          amount: (123n * UNIT).toString(),
          maturity: (await chainNow()) + 30 * DAY,
          invoiceNumber: "HTTP-1",
        }),
      });
      const body = (await res.json()) as { invoiceHash: string; txHash: string };
      expect(res.status, JSON.stringify(body)).to.equal(201);
      const tx = await ethers.provider.getTransaction(body.txHash);
      expect(tx?.from.toLowerCase()).to.equal(w.tier1.address);
      const confirm = await fetch(`${api.url}/v1/invoices/${body.invoiceHash}/confirm`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${login("Core enterprise maker").apiKey}`, "Idempotency-Key": "server-test-2" },
        body: "{}",
      });
      expect(confirm.status).to.equal(201);
    });
  });
});
