/**
 * Organisations, invoices, receivables and trace through the API, against the real chain, indexer and
 * database: each route's success, its validation failure, and its authorisation failures (another
 * organisation's object answers 404 and reveals nothing; a wrong role 403; a suspended organisation 403).
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { ethers, network } from "hardhat";
import { keccak256, toUtf8Bytes, Wallet } from "ethers";
import request from "supertest";
import { testDialects } from "../db/fresh";
import { verifyProofBundle, type ProofBundle } from "../../../server/domain/trace/proofBundle";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, registerInvoice, UNIT, type World } from "./world";

for (const dialect of testDialects()) describe(`API: organisations, invoices, receivables, trace (${dialect})`, function () {
  let w: World;
  let key = 0;
  const idem = () => `k-${Date.now()}-${++key}`;

  before(async function () {
    w = await createWorld({ dialect });
  });
  after(async function () {
    await w?.close();
  });

  it("is ready once the indexer's checkpoint is at the chain head, and says so", async function () {
    const res = await request(w.h.app).get("/ready").expect(200);
    expect(res.body.ready).to.equal(true);
    expect(res.body.indexer.checkpoint).to.equal(await ethers.provider.getBlockNumber());
    expect(res.body.indexer.lagBlocks).to.equal(0);
  });

  it("tells every organisation the ledger's split rules", async function () {
    const parameters = await request(w.h.app).get("/v1/ledger-parameters").set(...bearer(w.auditor)).expect(200);
    expect(parameters.body).to.deep.equal({ minPartAmount: "100", maxDepth: 10, defaultOfferWindow: 7 * DAY });
    await request(w.h.app).get("/v1/ledger-parameters").expect(401);
  });

  describe("organisations", function () {
    it("lists the directory to members, without KYC hashes", async function () {
      const res = await request(w.h.app).get("/v1/organisations").set(...bearer(w.tier1)).expect(200);
      const tier2 = res.body.items.find((o: { address: string }) => o.address === w.tier2.address);
      expect(tier2).to.deep.equal({ address: w.tier2.address, name: null, nameEn: null, creditCode: null, role: "SUPPLIER", status: "ACTIVE", active: true, kycHash: null });
    });

    it("shows KYC hashes to the auditor", async function () {
      const res = await request(w.h.app).get(`/v1/organisations/${w.tier2.address}`).set(...bearer(w.auditor)).expect(200);
      expect(res.body.kycHash).to.equal(ethers.id("kyc:Tier-2 supplier"));
    });

    it("lets the operator register an organisation on chain", async function () {
      const fresh = Wallet.createRandom();
      const res = await request(w.h.app)
        .post("/v1/organisations")
        .set(...bearer(w.operator))
        .set("Idempotency-Key", idem())
        .send({ address: fresh.address, role: "SUPPLIER", kycHash: ethers.id("kyc:fresh") })
        .expect(201);
      expect(res.body.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(res.body.indexed).to.equal(true);
      const org = await request(w.h.app).get(`/v1/organisations/${fresh.address}`).set(...bearer(w.tier1)).expect(200);
      expect(org.body).to.deep.equal({ address: fresh.address.toLowerCase(), name: null, nameEn: null, creditCode: null, role: "SUPPLIER", status: "ACTIVE", active: true, kycHash: null });
    });

    it("answers a contract revert with the custom error's name", async function () {
      const res = await request(w.h.app)
        .post("/v1/organisations")
        .set(...bearer(w.operator))
        .set("Idempotency-Key", idem())
        .send({ address: w.tier1.address, role: "SUPPLIER", kycHash: ethers.id("kyc:again") })
        .expect(409);
      expect(res.body.error).to.deep.equal({
        code: "RegistryOrganisationAlreadyRegistered",
        message: "the contract refused: RegistryOrganisationAlreadyRegistered",
        details: { args: { organisation: w.tier1.signer.address } },
      });
    });

    it("refuses registration to anyone but the operator", async function () {
      const res = await request(w.h.app)
        .post("/v1/organisations")
        .set(...bearer(w.bankA))
        .set("Idempotency-Key", idem())
        .send({ address: Wallet.createRandom().address, role: "SUPPLIER", kycHash: ethers.id("x") })
        .expect(403);
      expect(res.body.error.code).to.equal("RoleNotAllowed");
    });

    it("refuses an invalid role with the field named", async function () {
      const res = await request(w.h.app)
        .post("/v1/organisations")
        .set(...bearer(w.operator))
        .set("Idempotency-Key", idem())
        .send({ address: Wallet.createRandom().address, role: "KING", kycHash: ethers.id("x") })
        .expect(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.role"]);
    });

    it("suspends and reactivates an organisation; a suspended one is refused", async function () {
      await request(w.h.app).post(`/v1/organisations/${w.tier3.address}/suspend`).set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(200);
      const denied = await request(w.h.app).get("/v1/receivables").set(...bearer(w.tier3)).expect(403);
      expect(denied.body.error.code).to.equal("OrganisationSuspended");
      await request(w.h.app).post(`/v1/organisations/${w.tier3.address}/reactivate`).set(...bearer(w.operator)).set("Idempotency-Key", idem()).expect(200);
      await request(w.h.app).get("/v1/receivables").set(...bearer(w.tier3)).expect(200);
    });

    it("lets the operator set an issuance limit, which the core enterprise sees with what it issued", async function () {
      await request(w.h.app)
        .put(`/v1/issuance-limits/${w.core.address}`)
        .set(...bearer(w.operator))
        .set("Idempotency-Key", idem())
        .send({ limit: (200_000_000n * UNIT).toString() })
        .expect(200);
      const res = await request(w.h.app).get(`/v1/issuance-limits/${w.core.address}`).set(...bearer(w.core)).expect(200);
      expect(res.body.limit).to.equal((200_000_000n * UNIT).toString());
      const [, issued] = await w.ctx.chain.ledger.issuanceLimitOf(w.core.address);
      expect(res.body.issued).to.equal(issued.toString());
      expect(BigInt(res.body.available)).to.equal(200_000_000n * UNIT - issued);
    });

    it("hides a core enterprise's issuance limit from a supplier", async function () {
      await request(w.h.app).get(`/v1/issuance-limits/${w.core.address}`).set(...bearer(w.tier1)).expect(404);
    });

    it("refuses a financier or a supplier setting an issuance limit (only the operator may)", async function () {
      for (const actor of [w.bankB, w.tier1]) {
        await request(w.h.app)
          .put(`/v1/issuance-limits/${w.core.address}`)
          .set(...bearer(actor))
          .set("Idempotency-Key", idem())
          .send({ limit: "1" })
          .expect(403);
      }
    });
  });

  describe("invoices", function () {
    it("registers an invoice, which its debtor lists as awaiting confirmation", async function () {
      const invoiceHash = await registerInvoice(w, { amount: 5_000n * UNIT });
      const pending = await request(w.h.app).get("/v1/invoices?status=REGISTERED").set(...bearer(w.core)).expect(200);
      const item = pending.body.items.find((i: { invoiceHash: string }) => i.invoiceHash === invoiceHash);
      expect(item).to.include({ supplier: w.tier1.address, debtor: w.core.address, amount: (5_000n * UNIT).toString(), status: "REGISTERED" });
      expect(item.metadata.goods).to.equal("steel coils");
    });

    it("hides an invoice from an organisation that is neither supplier nor debtor", async function () {
      const invoiceHash = await registerInvoice(w, { amount: 1_000n * UNIT });
      const res = await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.tier2)).expect(404);
      expect(res.body.error).to.deep.equal({ code: "NotFound", message: `invoice ${invoiceHash} not found` });
      await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.bankA)).expect(404);
    });

    it("refuses invoice registration by a core enterprise", async function () {
      await request(w.h.app).post("/v1/invoices").set(...bearer(w.core)).set("Idempotency-Key", idem()).send({}).expect(403);
    });

    it("names the invalid fields of an invoice", async function () {
      const res = await request(w.h.app)
        .post("/v1/invoices")
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({ debtor: "0x123", currency: w.currency, amount: "-5", maturity: 1, invoiceNumber: "" })
        .expect(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field).sort()).to.deep.equal(["body.amount", "body.debtor", "body.invoiceNumber"]);
    });

    it("stores an uploaded document only if its keccak256 is the invoice hash", async function () {
      const document = Buffer.from("%PDF-1.7 invoice 4711: 10 steel coils");
      const res = await request(w.h.app)
        .post("/v1/invoices")
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({
          debtor: w.core.address,
          currency: w.currency,
          amount: (700n * UNIT).toString(),
          maturity: (await chainNow()) + 60 * DAY,
          invoiceNumber: "INV-4711",
          invoiceHash: keccak256(document),
        })
        .expect(201);
      const hash = res.body.invoiceHash as string;
      const bad = await request(w.h.app)
        .put(`/v1/invoices/${hash}/document`)
        .set(...bearer(w.tier1))
        .set("Content-Type", "application/pdf")
        .send(Buffer.from("%PDF-1.7 invoice 4711: 99 steel coils"))
        .expect(400);
      expect(bad.body.error.code).to.equal("ValidationFailed");
      await request(w.h.app).put(`/v1/invoices/${hash}/document`).set(...bearer(w.tier1)).set("Content-Type", "application/pdf").send(document).expect(200);
      const back = await request(w.h.app).get(`/v1/invoices/${hash}/document`).set(...bearer(w.core)).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(Buffer.compare(back.body as Buffer, document)).to.equal(0);
      await request(w.h.app).get(`/v1/invoices/${hash}/document`).set(...bearer(w.tier2)).expect(404);
    });

    it("confirms with the core enterprise's custodial key, minting the root receivable to the supplier", async function () {
      const invoiceHash = await registerInvoice(w, { amount: 2_000n * UNIT });
      const res = await request(w.h.app).post(`/v1/invoices/${invoiceHash}/confirm`).set(...bearer(w.core)).set("Idempotency-Key", idem()).send({}).expect(201);
      expect(res.body.rootId).to.match(/^[1-9][0-9]*$/);
      const invoice = await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.tier1)).expect(200);
      expect(invoice.body).to.include({ status: "CONFIRMED", rootId: res.body.rootId, confirmedTxHash: res.body.txHash });
      const receivable = await request(w.h.app).get(`/v1/receivables/${res.body.rootId}`).set(...bearer(w.tier1)).expect(200);
      expect(receivable.body).to.include({ holder: w.tier1.address, amount: (2_000n * UNIT).toString(), tier: 1, status: "ACTIVE", issuer: w.core.address });
    });

    it("refuses confirmation by another core enterprise (not found) and by a supplier (role)", async function () {
      const invoiceHash = await registerInvoice(w, { amount: 100n * UNIT });
      await request(w.h.app).post(`/v1/invoices/${invoiceHash}/confirm`).set(...bearer(w.selfCore)).set("Idempotency-Key", idem()).send({}).expect(404);
      await request(w.h.app).post(`/v1/invoices/${invoiceHash}/confirm`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({}).expect(403);
    });

    it("relays the EIP-712 confirmation of a core enterprise that keeps its own key", async function () {
      const invoiceHash = await registerInvoice(w, { amount: 300n * UNIT, debtor: w.selfCore });
      const noKey = await request(w.h.app).post(`/v1/invoices/${invoiceHash}/confirm`).set(...bearer(w.selfCore)).set("Idempotency-Key", idem()).send({}).expect(403);
      expect(noKey.body.error.code).to.equal("NoCustodialKey");
      const deadline = (await chainNow()) + 3600;
      const typed = await request(w.h.app).get(`/v1/invoices/${invoiceHash}/confirmation?deadline=${deadline}`).set(...bearer(w.selfCore)).expect(200);
      const { domain, types, message } = typed.body;
      const signature = await w.selfCore.signer.signTypedData(domain, types, message);
      expect(ethers.TypedDataEncoder.hash(domain, types, message)).to.equal(typed.body.digest);
      const forged = await w.tier1.signer.signTypedData(domain, types, message);
      const refused = await request(w.h.app)
        .post(`/v1/invoices/${invoiceHash}/confirm`)
        .set(...bearer(w.selfCore))
        .set("Idempotency-Key", idem())
        .send({ signature: forged, deadline })
        .expect(409);
      expect(refused.body.error.code).to.equal("ReceivableInvalidSigner");
      const res = await request(w.h.app)
        .post(`/v1/invoices/${invoiceHash}/confirm`)
        .set(...bearer(w.selfCore))
        .set("Idempotency-Key", idem())
        .send({ signature, deadline })
        .expect(201);
      expect(res.body.signature).to.equal(signature);
      const receivable = await request(w.h.app).get(`/v1/receivables/${res.body.rootId}`).set(...bearer(w.tier1)).expect(200);
      expect(receivable.body.issuer).to.equal(w.selfCore.address);
    });

    it("rejects an invoice with a reason; it cannot then be confirmed", async function () {
      const invoiceHash = await registerInvoice(w, { amount: 100n * UNIT });
      await request(w.h.app).post(`/v1/invoices/${invoiceHash}/reject`).set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ reason: "goods not delivered" }).expect(200);
      const invoice = await request(w.h.app).get(`/v1/invoices/${invoiceHash}`).set(...bearer(w.tier1)).expect(200);
      expect(invoice.body).to.include({ status: "REJECTED", rejectReason: "goods not delivered" });
      const again = await request(w.h.app).post(`/v1/invoices/${invoiceHash}/confirm`).set(...bearer(w.core)).set("Idempotency-Key", idem()).send({}).expect(409);
      expect(again.body.error.code).to.equal("InvoiceNotPending");
    });
  });

  describe("receivables", function () {
    let rootId: string;
    let tier2Part: string;

    before(async function () {
      rootId = await confirmedReceivable(w, { amount: 1_000_000n * UNIT });
    });

    it("splits a receivable the caller holds", async function () {
      const res = await request(w.h.app)
        .post(`/v1/receivables/${rootId}/split`)
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({ amount: (50_000n * UNIT).toString() })
        .expect(201);
      // With CONFIRMATIONS=0 a block is final as soon as it is mined, and the answer waited for the indexer.
      expect(res.body).to.include({ indexed: true, finalAtBlock: res.body.blockNumber });
      const child = await request(w.h.app).get(`/v1/receivables/${res.body.childId}`).set(...bearer(w.tier1)).expect(200);
      expect(child.body).to.include({ parentId: rootId, rootId, depth: 1, tier: 1, holder: w.tier1.address, amount: (50_000n * UNIT).toString() });
    });

    it("offers part of a receivable to tier 2, which sees it among its offers and accepts it", async function () {
      const res = await request(w.h.app)
        .post(`/v1/receivables/${rootId}/transfer`)
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({ to: w.tier2.address, amount: (400_000n * UNIT).toString() })
        .expect(201);
      tier2Part = res.body.offeredId;
      const offers = await request(w.h.app).get("/v1/offers").set(...bearer(w.tier2)).expect(200);
      expect(offers.body.items.map((i: { id: string }) => i.id)).to.include(tier2Part);
      await request(w.h.app).post(`/v1/receivables/${tier2Part}/accept`).set(...bearer(w.tier2)).set("Idempotency-Key", idem()).expect(200);
      const mine = await request(w.h.app).get(`/v1/receivables/${tier2Part}`).set(...bearer(w.tier2)).expect(200);
      expect(mine.body).to.include({ holder: w.tier2.address, tier: 2, status: "ACTIVE", amount: (400_000n * UNIT).toString() });
    });

    it("passes a part on to tier 3, which rejects it and it returns", async function () {
      const res = await request(w.h.app)
        .post(`/v1/receivables/${tier2Part}/transfer`)
        .set(...bearer(w.tier2))
        .set("Idempotency-Key", idem())
        .send({ to: w.tier3.address, amount: (100_000n * UNIT).toString() })
        .expect(201);
      await request(w.h.app).post(`/v1/receivables/${res.body.offeredId}/reject`).set(...bearer(w.tier3)).set("Idempotency-Key", idem()).expect(200);
      const back = await request(w.h.app).get(`/v1/receivables/${res.body.offeredId}`).set(...bearer(w.tier2)).expect(200);
      expect(back.body).to.include({ holder: w.tier2.address, status: "ACTIVE" });
      // Now accepted: tier 3 is tier 3.
      const again = await request(w.h.app)
        .post(`/v1/receivables/${res.body.offeredId}/transfer`)
        .set(...bearer(w.tier2))
        .set("Idempotency-Key", idem())
        .send({ to: w.tier3.address, amount: (100_000n * UNIT).toString() })
        .expect(201);
      await request(w.h.app).post(`/v1/receivables/${again.body.offeredId}/accept`).set(...bearer(w.tier3)).set("Idempotency-Key", idem()).expect(200);
      const t3 = await request(w.h.app).get(`/v1/receivables/${again.body.offeredId}`).set(...bearer(w.tier3)).expect(200);
      expect(t3.body).to.include({ holder: w.tier3.address, tier: 3 });
    });

    it("refuses to accept an offer made to someone else", async function () {
      const res = await request(w.h.app)
        .post(`/v1/receivables/${rootId}/transfer`)
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({ to: w.tier2.address, amount: (1_000n * UNIT).toString() })
        .expect(201);
      // Tier 3 is neither sender nor receiver: it cannot even see the offer.
      await request(w.h.app).post(`/v1/receivables/${res.body.offeredId}/accept`).set(...bearer(w.tier3)).set("Idempotency-Key", idem()).expect(404);
      // The sender sees it but is not the one to accept.
      const own = await request(w.h.app).post(`/v1/receivables/${res.body.offeredId}/accept`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).expect(403);
      expect(own.body.error.code).to.equal("NotOfferedToYou");
      // Only the sender may withdraw it.
      await request(w.h.app).post(`/v1/receivables/${res.body.offeredId}/cancel-offer`).set(...bearer(w.tier2)).set("Idempotency-Key", idem()).expect(403);
      await request(w.h.app).post(`/v1/receivables/${res.body.offeredId}/cancel-offer`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).expect(200);
    });

    it("lists the caller's receivables, paged", async function () {
      const first = await request(w.h.app).get("/v1/receivables?limit=1").set(...bearer(w.tier1)).expect(200);
      expect(first.body.items).to.have.length(1);
      expect(first.body.nextCursor).to.be.a("string");
      const second = await request(w.h.app).get(`/v1/receivables?limit=200&cursor=${first.body.nextCursor}`).set(...bearer(w.tier1)).expect(200);
      const ids = [first.body.items[0].id, ...second.body.items.map((i: { id: string }) => i.id)];
      expect(new Set(ids).size).to.equal(ids.length);
      for (const item of [...first.body.items, ...second.body.items]) expect(item.holder).to.equal(w.tier1.address);
      expect(ids).to.include(rootId);
      expect(ids).to.not.include(tier2Part);
    });

    it("refuses a bad cursor and an oversized page", async function () {
      await request(w.h.app).get("/v1/receivables?cursor=!!!").set(...bearer(w.tier1)).expect(400);
      const res = await request(w.h.app).get("/v1/receivables?limit=100000").set(...bearer(w.tier1)).expect(400);
      expect(res.body.error.details.fields[0].field).to.equal("query.limit");
    });

    it("hides another supplier's receivable (404, as for an id that does not exist)", async function () {
      const other = await request(w.h.app).get(`/v1/receivables/${tier2Part}`).set(...bearer(w.tier3)).expect(404);
      const missing = await request(w.h.app).get("/v1/receivables/123456789").set(...bearer(w.tier3)).expect(404);
      expect(other.body.error.code).to.equal(missing.body.error.code);
      await request(w.h.app).get(`/v1/receivables/${tier2Part}`).set(...bearer(w.bankA)).expect(404);
    });

    it("refuses to split or transfer another organisation's receivable (404)", async function () {
      await request(w.h.app).post(`/v1/receivables/${tier2Part}/split`).set(...bearer(w.tier3)).set("Idempotency-Key", idem()).send({ amount: "100" }).expect(404);
      await request(w.h.app)
        .post(`/v1/receivables/${tier2Part}/transfer`)
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", idem())
        .send({ to: w.tier1.address, amount: "100" })
        .expect(404);
    });

    it("lets the issuer see but not split its receivable (403 NotHolder)", async function () {
      await request(w.h.app).get(`/v1/receivables/${tier2Part}`).set(...bearer(w.core)).expect(200);
      const res = await request(w.h.app).post(`/v1/receivables/${tier2Part}/split`).set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ amount: "100" }).expect(403);
      expect(res.body.error.code).to.equal("RoleNotAllowed");
    });

    it("answers an over-split with the contract's error", async function () {
      const res = await request(w.h.app)
        .post(`/v1/receivables/${tier2Part}/split`)
        .set(...bearer(w.tier2))
        .set("Idempotency-Key", idem())
        .send({ amount: (10_000_000n * UNIT).toString() })
        .expect(409);
      expect(res.body.error.code).to.equal("ReceivableInsufficientAmount");
    });

    it("refuses a write without an Idempotency-Key", async function () {
      const res = await request(w.h.app).post(`/v1/receivables/${tier2Part}/split`).set(...bearer(w.tier2)).send({ amount: "100" }).expect(400);
      expect(res.body.error.details.fields[0].field).to.equal("headers.idempotency-key");
    });

    it("sends one transaction for a retried write and answers the retry with the same result", async function () {
      const k = idem();
      const body = { amount: (1_000n * UNIT).toString() };
      const blockBefore = await ethers.provider.getBlockNumber();
      const first = await request(w.h.app).post(`/v1/receivables/${tier2Part}/split`).set(...bearer(w.tier2)).set("Idempotency-Key", k).send(body).expect(201);
      const retry = await request(w.h.app).post(`/v1/receivables/${tier2Part}/split`).set(...bearer(w.tier2)).set("Idempotency-Key", k).send(body).expect(201);
      expect(retry.body).to.deep.equal(first.body);
      expect(retry.headers["idempotent-replayed"]).to.equal("true");
      expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore + 1);
      const reused = await request(w.h.app).post(`/v1/receivables/${tier2Part}/split`).set(...bearer(w.tier2)).set("Idempotency-Key", k).send({ amount: "999" }).expect(422);
      expect(reused.body.error.code).to.equal("IdempotencyKeyReused");
    });

    describe("trace and proof", function () {
      let tier3Part: string;
      before(async function () {
        const list = await request(w.h.app).get("/v1/receivables").set(...bearer(w.tier3)).expect(200);
        tier3Part = list.body.items.find((i: { rootId: string }) => i.rootId === rootId).id;
      });

      it("traces the whole tree with every transfer and its transaction hash for the obligor", async function () {
        const res = await request(w.h.app).get(`/v1/receivables/${tier3Part}/trace`).set(...bearer(w.core)).expect(200);
        expect(res.body.scope).to.equal("TREE");
        expect(res.body.rootId).to.equal(rootId);
        expect(res.body.invoice.issuer).to.equal(w.core.address);
        const holders = new Set(res.body.nodes.filter((n: { status: string }) => n.status !== "REDEEMED").map((n: { holder: string }) => n.holder));
        expect([...holders].sort()).to.deep.equal([w.tier1.address, w.tier2.address, w.tier3.address].sort());
        const total = res.body.nodes.reduce((s: bigint, n: { amount: string; status: string }) => s + BigInt(n.amount), 0n);
        expect(total).to.equal(1_000_000n * UNIT);
        const kinds = res.body.events.map((e: { kind: string }) => e.kind);
        expect(kinds).to.include.members(["CONFIRMED", "SPLIT", "CREATED", "OFFERED", "ACCEPTED", "OFFER_ENDED"]);
        for (const e of res.body.events) expect(e.txHash).to.match(/^0x[0-9a-f]{64}$/);
        // The trace's history is aggregated to JSON by the database: it must be the indexed history of the
        // tree, row for row, in chain order.
        const rows = await w.db.prisma.receivableHistory.findMany({ where: { rootId }, orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }] });
        expect(rows.length).to.be.greaterThan(0);
        expect(res.body.events.map((e: { kind: string; txHash: string; receivableId: string }) => [e.kind, e.txHash, e.receivableId])).to.deep.equal(
          rows.map((r) => [r.kind, r.txHash, r.receivableId]),
        );
      });

      it("hides the proof bundle from an outsider to the receivable (404)", async function () {
        await request(w.h.app).get(`/v1/receivables/${tier3Part}/proof`).set(...bearer(w.tier1)).expect(404);
        await request(w.h.app).get(`/v1/receivables/${tier3Part}/proof`).set(...bearer(w.bankA)).expect(404);
      });

      it("refuses to redeem or repay a pledge on another organisation's receivable (404)", async function () {
        await request(w.h.app).post(`/v1/receivables/${tier3Part}/redeem`).set(...bearer(w.tier1)).set("Idempotency-Key", idem()).expect(404);
        await request(w.h.app).post(`/v1/receivables/${tier3Part}/repay-pledge`).set(...bearer(w.tier2)).set("Idempotency-Key", idem()).expect(404);
      });

      it("lets the auditor trace, and hides the trace from an outsider to the tree", async function () {
        await request(w.h.app).get(`/v1/receivables/${tier3Part}/trace`).set(...bearer(w.auditor)).expect(200);
        await request(w.h.app).get(`/v1/receivables/${tier3Part}/trace`).set(...bearer(w.bankB)).expect(404);
      });

      it("produces a proof bundle that verifies against the node", async function () {
        const res = await request(w.h.app).get(`/v1/receivables/${tier3Part}/proof`).set(...bearer(w.tier3)).expect(200);
        const bundle = res.body as ProofBundle;
        expect(bundle.path[0]).to.equal(rootId);
        expect(bundle.path[bundle.path.length - 1]).to.equal(tier3Part);
        expect(bundle.confirmation.method).to.equal("signature");
        const result = await verifyProofBundle(bundle, ethers.provider);
        expect(result.failures).to.deep.equal([]);
        expect(result.ok).to.equal(true);
      });

      it("verifies from the command line against a JSON-RPC endpoint, and rejects a tampered file", async function () {
        // A plain JSON-RPC endpoint in front of the in-process chain: the verifier sees only HTTP.
        const rpc = http.createServer((req, res) => {
          let body = "";
          req.on("data", (c: Buffer) => (body += c.toString("utf8")));
          req.on("end", () => {
            const call = JSON.parse(body) as { id: number; method: string; params: unknown[] } | { id: number; method: string; params: unknown[] }[];
            const one = async (c: { id: number; method: string; params: unknown[] }) => {
              try {
                return { jsonrpc: "2.0", id: c.id, result: await network.provider.request({ method: c.method, params: c.params }) };
              } catch (err) {
                return { jsonrpc: "2.0", id: c.id, error: { code: -32000, message: (err as Error).message } };
              }
            };
            void (Array.isArray(call) ? Promise.all(call.map(one)) : one(call)).then((out) => {
              res.setHeader("Content-Type", "application/json");
              res.end(JSON.stringify(out));
            });
          });
        });
        await new Promise<void>((r) => rpc.listen(0, "127.0.0.1", () => r()));
        const url = `http://127.0.0.1:${(rpc.address() as AddressInfo).port}`;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-proof-"));
        try {
          // The bundle the holder downloads (the path only, not the tree) is what the verifier proves.
          const bundle = (await request(w.h.app).get(`/v1/receivables/${tier3Part}/proof`).set(...bearer(w.tier3)).expect(200)).body as ProofBundle;
          const good = path.join(dir, "good.json");
          fs.writeFileSync(good, JSON.stringify(bundle));
          const cli = (file: string) =>
            new Promise<{ code: number | null; out: string }>((resolve) => {
              execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/verifyProofBundle.ts", file, url], { cwd: process.cwd() }, (err, stdout) => {
                resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? null), out: stdout });
              });
            });
          const ok = await cli(good);
          expect(ok.out).to.include("VALID");
          expect(ok.code).to.equal(0);
          const bad = path.join(dir, "bad.json");
          bundle.invoice.debtor = w.tier1.address;
          fs.writeFileSync(bad, JSON.stringify(bundle));
          const refused = await cli(bad);
          expect(refused.code).to.equal(1);
          expect(refused.out).to.include("FAIL").and.include("INVALID");
        } finally {
          rpc.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

      it("fails a tampered bundle with a reason", async function () {
        const res = await request(w.h.app).get(`/v1/receivables/${tier3Part}/proof`).set(...bearer(w.tier3)).expect(200);
        const original = res.body as ProofBundle;
        const clone = () => JSON.parse(JSON.stringify(original)) as ProofBundle;

        const amount = clone();
        amount.invoice.amount = (BigInt(amount.invoice.amount) * 2n).toString();
        expect((await verifyProofBundle(amount, ethers.provider)).failures.join("\n")).to.match(/InvoiceConfirmed event does not match|recovers to/);

        const split = clone();
        const splitEvent = split.events.find((e) => e.eventName === "ReceivableSplit");
        (splitEvent as { args: Record<string, unknown> }).args.amount = "1";
        expect((await verifyProofBundle(split, ethers.provider)).failures.join("\n")).to.match(/arguments differ from the log on chain/);

        const signature = clone();
        signature.confirmation.signature = await w.tier1.signer.signMessage("not a confirmation");
        expect((await verifyProofBundle(signature, ethers.provider)).failures.join("\n")).to.match(/recovers to .* not the debtor/);

        const path = clone();
        path.path = [path.path[0] as string, path.path[path.path.length - 1] as string];
        if (original.path.length > 2) expect((await verifyProofBundle(path, ethers.provider)).failures.join("\n")).to.match(/no ReceivableSplit links/);

        const block = clone();
        (block.events[0] as { blockHash: string }).blockHash = `0x${"11".repeat(32)}`;
        expect((await verifyProofBundle(block, ethers.provider)).failures.join("\n")).to.match(/not .*\(0x1111/);
      });
    });
  });
  describe("disputes", function () {
    const evidence = keccak256(toUtf8Bytes("evidence: goods returned"));

    it("lets a core enterprise whose key the server holds raise a dispute on its tree, visible to the holder and the operator", async function () {
      const rootId = await confirmedReceivable(w, { amount: 10_000n * UNIT });
      await request(w.h.app).post("/v1/disputes").set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: evidence }).expect(201);
      const mine = await request(w.h.app).get(`/v1/disputes/${rootId}`).set(...bearer(w.tier1)).expect(200);
      expect(mine.body).to.include({ rootId, raiser: w.core.address, evidenceHash: evidence, status: "OPEN", issuer: w.core.address });
      expect(mine.body.expiresAt).to.be.a("number");
      const all = await request(w.h.app).get("/v1/disputes?status=OPEN").set(...bearer(w.operator)).expect(200);
      expect(all.body.items.map((d: { rootId: string }) => d.rootId)).to.include(rootId);
      const receivable = await request(w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(w.tier1)).expect(200);
      expect([receivable.body.status, receivable.body.frozen]).to.deep.equal(["FROZEN", true]);
      // Not the business of an unrelated organisation.
      await request(w.h.app).get(`/v1/disputes/${rootId}`).set(...bearer(w.tier3)).expect(404);
    });

    it("lets only the operator resolve it: uphold, then release", async function () {
      const rootId = await confirmedReceivable(w, { amount: 10_000n * UNIT });
      await request(w.h.app).post("/v1/disputes").set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: evidence }).expect(201);
      await request(w.h.app).post(`/v1/disputes/${rootId}/resolve`).set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ outcome: "RELEASE" }).expect(403);
      await request(w.h.app).post(`/v1/disputes/${rootId}/resolve`).set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ outcome: "UPHOLD" }).expect(200);
      expect((await request(w.h.app).get(`/v1/disputes/${rootId}`).set(...bearer(w.core)).expect(200)).body).to.include({ status: "UPHELD", expiresAt: null, resolvedBy: w.operator.address });
      await request(w.h.app).post(`/v1/disputes/${rootId}/resolve`).set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ outcome: "RELEASE" }).expect(200);
      const released = await request(w.h.app).get(`/v1/disputes/${rootId}`).set(...bearer(w.core)).expect(200);
      expect(released.body.status).to.equal("RELEASED");
      expect((await request(w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(w.tier1)).expect(200)).body.frozen).to.equal(false);
    });

    it("answers a second debtor dispute on the same tree with the contract's error, and a supplier with 403", async function () {
      const rootId = await confirmedReceivable(w, { amount: 10_000n * UNIT });
      await request(w.h.app).post("/v1/disputes").set(...bearer(w.tier1)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: evidence }).expect(403);
      await request(w.h.app).post("/v1/disputes").set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: evidence }).expect(201);
      await request(w.h.app).post(`/v1/disputes/${rootId}/resolve`).set(...bearer(w.operator)).set("Idempotency-Key", idem()).send({ outcome: "RELEASE" }).expect(200);
      const again = await request(w.h.app).post("/v1/disputes").set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: evidence }).expect(409);
      expect(again.body.error.code).to.equal("ReceivableDisputeAlreadyRaised");
    });

    it("refuses a dispute on a tree the core enterprise did not issue (404) and a malformed evidence hash (400)", async function () {
      const rootId = await confirmedReceivable(w, { amount: 10_000n * UNIT });
      await request(w.h.app).post("/v1/disputes").set(...bearer(w.selfCore)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: evidence }).expect(404);
      await request(w.h.app).post("/v1/disputes").set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: "0x12" }).expect(400);
    });

    it("reports a debtor's dispute past its end as LAPSED and the tree as movable again", async function () {
      const rootId = await confirmedReceivable(w, { amount: 10_000n * UNIT, maturityInDays: 120 });
      await request(w.h.app).post("/v1/disputes").set(...bearer(w.core)).set("Idempotency-Key", idem()).send({ rootId, evidenceHash: evidence }).expect(201);
      await w.advanceTime(Number(await w.ctx.chain.ledger.disputePeriod()) + 1);
      expect((await request(w.h.app).get(`/v1/disputes/${rootId}`).set(...bearer(w.core)).expect(200)).body.status).to.equal("LAPSED");
      expect((await request(w.h.app).get(`/v1/receivables/${rootId}`).set(...bearer(w.tier1)).expect(200)).body.frozen).to.equal(false);
    });
  });
});
