/**
 * The KMS/HSM seam (issue 14 item 2): a custodial organisation whose key lives in a device that only signs
 * digests works through the API like a keystore key — its EIP-712 confirmation and its transactions —
 * and a device answer that does not belong to the key is refused before anything reaches the chain.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { SigningKey, Wallet, computeAddress, hexlify, randomBytes, verifyMessage, type Signer } from "ethers";
import { hardhatDevKey } from "../../../server/signing/devKeys";
import { DigestSigner, DigestSignerMismatchError, type DigestSigningKey } from "../../../server/signing/digestSigner";
import { startApiServer, type ApiServer } from "../../../server/api/server";
import { chainNow, createWorld, DAY, UNIT, type World } from "../api/world";

/** Stands in for a KMS: the private key stays inside this closure; only digests go in and signatures out. */
function fakeKms(): DigestSigningKey & { digests: string[] } {
  const key = new SigningKey(hexlify(randomBytes(32)));
  const digests: string[] = [];
  return {
    address: computeAddress(key.publicKey),
    digests,
    async signDigest(digest) {
      digests.push(digest);
      return key.sign(digest);
    },
  };
}

describe("DigestSigner: a custodial key held by a KMS or HSM", function () {
  describe("signatures", function () {
    it("signs messages the way a wallet does (the signature recovers to the device's address)", async function () {
      const kms = fakeKms();
      const signer = new DigestSigner(kms);
      const signature = await signer.signMessage("ledgerline");
      expect(verifyMessage("ledgerline", signature)).to.equal(await signer.getAddress());
      expect(kms.digests).to.have.length(1);
    });

    it("refuses a device answer that does not recover to the key's address (DigestSignerMismatchError)", async function () {
      const other = new SigningKey(hexlify(randomBytes(32)));
      const liar: DigestSigningKey = { address: fakeKms().address, signDigest: async (d) => other.sign(d) };
      let error: unknown;
      try {
        await new DigestSigner(liar).signMessage("ledgerline");
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(DigestSignerMismatchError);
    });
  });

  describe("through the API", function () {
    let w: World;
    let api: ApiServer;
    let kms: ReturnType<typeof fakeKms>;

    async function call(method: string, route: string, auth: string, body?: unknown) {
      const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${auth}` };
      if (method !== "GET") headers["idempotency-key"] = `kms-${Math.random().toString(36).slice(2)}`;
      const res = await fetch(`${api.url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }

    before(async function () {
      w = await createWorld();
      kms = fakeKms();
      // Keys the nonce manager signs with itself (Hardhat's own signers cannot sign offline): accounts 0 and 2.
      const organisations = new Map<string, Signer>([
        [w.tier1.address, new Wallet(hardhatDevKey(2))],
        [kms.address.toLowerCase(), new DigestSigner(kms)],
      ]);
      api = await startApiServer({
        db: w.db,
        provider: ethers.provider,
        deployment: { startBlock: 0, contracts: { ReceivableToken: w.addresses.ledger, FinancingSettlement: w.addresses.financing, RepaymentVault: w.addresses.vault } },
        env: { API_PORT: "0", API_LOG_LEVEL: "silent", SIWE_DOMAIN: "localhost" },
        signers: { organisations, operator: new Wallet(hardhatDevKey(0)) },
        waitForIndexed: async (n) => (await w.indexer.syncTo(n)).checkpoint >= n,
      });
      await ethers.provider.send("hardhat_setBalance", [kms.address, "0x56bc75e2d63100000"]);
    });
    after(async function () {
      await api?.close();
      await w?.close();
    });

    it("a KMS-held core enterprise confirms an invoice (EIP-712 by digest) and rejects another (a transaction from its address)", async function () {
      const core = kms.address.toLowerCase();
      expect((await call("POST", "/v1/organisations", w.operator.auth, { address: core, role: "CORE_ENTERPRISE", kycHash: ethers.id("kyc:kms-core") })).status).to.equal(201);
      expect((await call("PUT", `/v1/issuance-limits/${core}`, w.operator.auth, { limit: (1_000_000n * UNIT).toString() })).status).to.equal(200);
      const coreAuth = (await call("POST", "/v1/api-keys", w.operator.auth, { kind: "ORGANISATION", organisation: core, admin: true, label: "kms core" })).body.apiKey as string;
      const maturity = (await chainNow()) + 30 * DAY;
      const register = async (invoiceNumber: string) => {
        const res = await call("POST", "/v1/invoices", w.tier1.auth, { debtor: core, currency: w.currency, amount: (500n * UNIT).toString(), maturity, invoiceNumber });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        return res.body.invoiceHash as string;
      };

      const confirmed = await call("POST", `/v1/invoices/${await register("KMS-1")}/confirm`, coreAuth, {});
      expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(201);
      const confirmTx = await ethers.provider.getTransaction(confirmed.body.txHash as string);
      expect(confirmTx?.from).to.equal(kms.address);
      const root = await call("GET", `/v1/receivables/${confirmed.body.rootId as string}`, w.tier1.auth);
      expect(root.body).to.include({ holder: w.tier1.address, amount: (500n * UNIT).toString() });

      const rejected = await call("POST", `/v1/invoices/${await register("KMS-2")}/reject`, coreAuth, { reason: "not ours" });
      expect(rejected.status, JSON.stringify(rejected.body)).to.equal(200);
      expect((await ethers.provider.getTransaction(rejected.body.txHash as string))?.from).to.equal(kms.address);
      // A typed-data digest for the confirmation and one transaction digest each: all signed by the device.
      expect(kms.digests.length).to.be.at.least(3);
    });
  });
});
