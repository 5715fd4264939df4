/**
 * Keys an operator can manage (issue 14 item 2): custodial keys created or imported through the API land
 * in the keystore directory every API process reads, and every running process uses them before its next
 * write — two API servers on one database and one keystore directory, no restart.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, encryptKeystoreJson } from "ethers";
import { hardhatDevKey } from "../../../server/signing/devKeys";
import { startApiServer, type ApiServer } from "../../../server/api/server";
import { writeKeystore } from "../../../server/signing/keystore";
import { responseViolation } from "./responseSchemas";
import { chainNow, createWorld, DAY, UNIT, type World } from "./world";

const PASSPHRASE = "keystore test passphrase";

/** An encrypted JSON keystore as an organisation would hand it over (a low scrypt cost: test keys only). */
function encrypted(wallet: Wallet, passphrase: string): Promise<string> {
  return encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, passphrase, { scrypt: { N: 1024 } });
}

describe("API: custodial keys managed through the API, loaded by every process without a restart", function () {
  let w: World;
  let dir: string;
  const apis: ApiServer[] = [];

  async function call(api: ApiServer, method: string, route: string, auth: string, body?: unknown) {
    const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${auth}` };
    if (method !== "GET") headers["idempotency-key"] = `keystore-${Math.random().toString(36).slice(2)}`;
    const res = await fetch(`${api.url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    const parsed = (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> & { error?: { code: string } };
    // Two listening processes, not the harness: each 2xx body is checked against its route's schema here.
    if (res.ok) expect(responseViolation(api.routes, { method, path: new URL(route, api.url).pathname, status: res.status, body: parsed })).to.equal(undefined);
    return { status: res.status, body: parsed };
  }

  /** A new organisation, registered through `api` with `address`, and an API key for it. */
  async function onboard(api: ApiServer, address: string, role: "SUPPLIER" | "CORE_ENTERPRISE"): Promise<string> {
    await ethers.provider.send("hardhat_setBalance", [address, "0x56bc75e2d63100000"]); // gas money
    const registered = await call(api, "POST", "/v1/organisations", w.operator.auth, { address, role, kycHash: ethers.id(`kyc:${address}`) });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const key = await call(api, "POST", "/v1/api-keys", w.operator.auth, { kind: "ORGANISATION", organisation: address, admin: true, label: "keystore test" });
    expect(key.status, JSON.stringify(key.body)).to.equal(201);
    return key.body.apiKey as string;
  }

  async function invoice(api: ApiServer, auth: string, invoiceNumber: string) {
    return call(api, "POST", "/v1/invoices", auth, { debtor: w.core.address, currency: w.currency, amount: (10n * UNIT).toString(), maturity: (await chainNow()) + 30 * DAY, invoiceNumber });
  }

  before(async function () {
    w = await createWorld();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-keyring-"));
    await writeKeystore({ dir, passphrase: PASSPHRASE, keys: [{ privateKey: hardhatDevKey(0), operator: true }], scryptN: 1024 });
    for (let i = 0; i < 2; i++) {
      apis.push(
        await startApiServer({
          db: w.db,
          provider: ethers.provider,
          deployment: { startBlock: 0, contracts: { ReceivableToken: w.addresses.ledger, FinancingSettlement: w.addresses.financing, RepaymentVault: w.addresses.vault } },
          env: { API_PORT: "0", API_KEYSTORE_DIR: dir, API_KEYSTORE_PASSPHRASE: PASSPHRASE, API_KEYSTORE_SCRYPT_N: "1024", API_LOG_LEVEL: "silent", SIWE_DOMAIN: "localhost" },
          waitForIndexed: async (n) => (await w.indexer.syncTo(n)).checkpoint >= n,
        }),
      );
    }
  });
  after(async function () {
    for (const api of apis) await api.close();
    await w?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("POST /v1/custodial-keys", function () {
    it("creates a key through one process; the organisation registered with it writes through the other at once", async function () {
      const [a, b] = apis as [ApiServer, ApiServer];
      const created = await call(a, "POST", "/v1/custodial-keys", w.operator.auth);
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body).to.include({ kind: "ORGANISATION", loaded: true });
      const address = created.body.address as string;
      expect(address).to.match(/^0x[0-9a-f]{40}$/);
      // Written encrypted, owner-only, and without the key in the answer.
      const file = path.join(dir, `${address}.json`);
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(Object.keys(created.body).sort()).to.deep.equal(["address", "kind", "loaded"]);

      const auth = await onboard(a, address, "SUPPLIER");
      const res = await invoice(b, auth, "KEYRING-1");
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const tx = await ethers.provider.getTransaction(res.body.txHash as string);
      expect(tx?.from.toLowerCase()).to.equal(address);
    });

    it("is refused to an organisation (403), even its admin", async function () {
      const res = await call(apis[0]!, "POST", "/v1/custodial-keys", w.tier1.auth);
      expect(res.status).to.equal(403);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".json"))).to.have.length(2); // operator + the key above
    });
  });

  describe("POST /v1/custodial-keys/import", function () {
    let keystore: string;
    let wallet: Wallet;
    before(async function () {
      wallet = new Wallet(Wallet.createRandom().privateKey);
      keystore = await encrypted(wallet, "the owner's passphrase");
    });

    it("refuses a wrong passphrase with 400 and writes nothing", async function () {
      const res = await call(apis[1]!, "POST", "/v1/custodial-keys/import", w.operator.auth, { keystore, passphrase: "not it" });
      expect(res.status).to.equal(400);
      expect(res.body.error?.code).to.equal("ValidationFailed");
      expect(JSON.stringify(res.body)).to.not.include("not it");
      expect(fs.existsSync(path.join(dir, `${wallet.address.toLowerCase()}.json`))).to.equal(false);
    });

    it("imports the key re-encrypted with the API's passphrase; the organisation writes through the other process", async function () {
      const [a, b] = apis as [ApiServer, ApiServer];
      const res = await call(b, "POST", "/v1/custodial-keys/import", w.operator.auth, { keystore, passphrase: "the owner's passphrase" });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.address).to.equal(wallet.address.toLowerCase());
      const stored = fs.readFileSync(path.join(dir, `${wallet.address.toLowerCase()}.json`), "utf8");
      expect((await Wallet.fromEncryptedJson(stored, PASSPHRASE)).address).to.equal(wallet.address);
      expect(stored).to.not.include(wallet.privateKey.slice(2));

      const auth = await onboard(b, wallet.address.toLowerCase(), "SUPPLIER");
      const written = await invoice(a, auth, "KEYRING-2");
      expect(written.status, JSON.stringify(written.body)).to.equal(201);
      expect((await ethers.provider.getTransaction(written.body.txHash as string))?.from).to.equal(wallet.address);
    });

    it("refuses the same key twice with 409 KeystoreExists and leaves the file as it was", async function () {
      const file = path.join(dir, `${wallet.address.toLowerCase()}.json`);
      const before = fs.readFileSync(file, "utf8");
      const res = await call(apis[0]!, "POST", "/v1/custodial-keys/import", w.operator.auth, { keystore, passphrase: "the owner's passphrase" });
      expect(res.status).to.equal(409);
      expect(res.body.error?.code).to.equal("KeystoreExists");
      expect(fs.readFileSync(file, "utf8")).to.equal(before);
    });

    it("refuses the operator's own key (it is never an organisation's)", async function () {
      const operatorKeystore = await encrypted(new Wallet(hardhatDevKey(0)), "x");
      const res = await call(apis[0]!, "POST", "/v1/custodial-keys/import", w.operator.auth, { keystore: operatorKeystore, passphrase: "x" });
      expect(res.status).to.equal(409);
      expect(res.body.error?.code).to.equal("KeystoreExists");
    });
  });

  describe("GET /v1/custodial-keys", function () {
    it("lists addresses only, each loaded in the process that answers, including a key npm run keystore dropped in", async function () {
      const dropped = new Wallet(Wallet.createRandom().privateKey);
      await writeKeystore({ dir, passphrase: PASSPHRASE, keys: [{ privateKey: dropped.privateKey }], scryptN: 1024 });
      const res = await call(apis[1]!, "GET", "/v1/custodial-keys", w.operator.auth);
      expect(res.status).to.equal(200);
      const items = res.body.items as { address: string; kind: string; loaded: boolean }[];
      expect(items).to.have.length(4);
      expect(items.find((i) => i.kind === "OPERATOR")?.address).to.equal(new Wallet(hardhatDevKey(0)).address.toLowerCase());
      expect(items.find((i) => i.address === dropped.address.toLowerCase())).to.deep.equal({ address: dropped.address.toLowerCase(), kind: "ORGANISATION", loaded: true });
      expect(items.every((i) => i.loaded)).to.equal(true);
    });

    it("is refused to an auditor (403)", async function () {
      expect((await call(apis[0]!, "GET", "/v1/custodial-keys", w.auditor.auth)).status).to.equal(403);
    });
  });

  // Last: it adds a key to the keystore that the listing above counts.
  describe("GET /v1/signing", function () {
    it("tells an organisation whether the server signs for it or its wallet does; a key another process created counts at once", async function () {
      const [a, b] = apis as [ApiServer, ApiServer];
      const created = await call(a, "POST", "/v1/custodial-keys", w.operator.auth);
      const auth = await onboard(a, created.body.address as string, "SUPPLIER");
      expect((await call(b, "GET", "/v1/signing", auth)).body).to.deep.equal({ signsWith: "SERVER" });
      // Tier 1's key is not in these processes' keystore: its own wallet signs.
      expect((await call(b, "GET", "/v1/signing", w.tier1.auth)).body).to.deep.equal({ signsWith: "WALLET" });
      expect((await call(a, "GET", "/v1/signing", w.operator.auth)).status).to.equal(403);
    });
  });
});
