/**
 * Notifications (issue 12 item 3) against the real system and a real HTTP receiver: subscriptions by the
 * organisation's admin only (BOLA 404, BFLA 403), signed deliveries checked by an independent HMAC
 * implementation, each organisation told only of what it may see, retries against a receiver answering
 * 500 until the subscription is FAILING, the delivery log and manual redelivery, the event stream, and a
 * reorganisation that withdraws an unsent notification and retracts a sent one. SQLite, and PostgreSQL
 * when TEST_POSTGRES_URL is set.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { network } from "hardhat";
import request from "supertest";
import { createDeliveryWorker, type DeliveryWorker } from "../../../server/notifications/delivery";
import { createSealedBox, developmentProfileKey } from "../../../server/lib/sealedBox";
import { silentLogger } from "../../../server/lib/logger";
import { testDialects } from "../db/fresh";
import { bearer, chainNow, confirmedReceivable, createWorld, DAY, registerInvoice, UNIT, type Actor, type World } from "../api/world";
import { createNotificationScheduler } from "../../../server/notifications/scheduler";
import { independentlyVerified, startReceiver, type Receiver } from "./receiver";

let n = 0;
const idem = () => `notify-${Date.now()}-${++n}`;

for (const dialect of testDialects()) describe(`Notifications: webhooks, outbox and event stream (${dialect})`, function () {
  this.timeout(120_000);
  let w: World;
  let receiver: Receiver;
  let worker: DeliveryWorker;
  let viewerKey: string;

  const api = () => request(w.h.app);
  const subscribe = (actor: Actor | { auth: string }, body: object) => api().post("/v1/webhooks").set(...bearer(actor)).send(body);
  /** Runs the worker until `done` holds (each tick claims what is due). */
  async function deliverUntil(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error("deliveries did not settle in time");
      await worker.tick();
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  async function offer(from: Actor, to: Actor, amount: bigint): Promise<{ rootId: string; offeredId: string; blockNumber: number }> {
    const rootId = await confirmedReceivable(w, { supplier: from, amount: 10_000n * UNIT });
    const res = await api()
      .post(`/v1/receivables/${rootId}/transfer`)
      .set(...bearer(from))
      .set("Idempotency-Key", idem())
      .send({ to: to.address, amount: amount.toString() })
      .expect(201);
    return { rootId, offeredId: res.body.offeredId as string, blockNumber: res.body.blockNumber as number };
  }

  before(async function () {
    w = await createWorld({ dialect, env: { API_WEBHOOK_ALLOW_LOOPBACK: "true" } });
    receiver = await startReceiver();
    worker = createDeliveryWorker({
      sql: w.db.sql,
      box: createSealedBox(developmentProfileKey()),
      policy: { allowLoopback: true, maxAttempts: 3, retryBaseMs: 40, retryMaxMs: 200, timeoutMs: 2_000 },
      logger: silentLogger(),
      pollMs: 20,
    });
    viewerKey = (await w.h.auth.issueApiKey({ issuer: "bootstrap", subject: { kind: "ORGANISATION", organisation: w.tier2.address, admin: false }, label: "tier2 viewer" })).token;
  });
  after(async function () {
    await worker?.stop();
    await receiver?.close();
    await w?.close();
  });

  describe("subscribing", function () {
    it("shows the secret once, to the organisation's admin; lists and reads it without the secret", async function () {
      const res = await subscribe(w.tier1, { url: receiver.url, eventTypes: ["offer.toSign"], description: "ERP" }).expect(201);
      expect(res.headers["cache-control"]).to.equal("no-store");
      expect(res.body.secret).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(res.body.webhook).to.include({ url: receiver.url, status: "ACTIVE", description: "ERP" });
      const listed = await api().get("/v1/webhooks").set(...bearer(w.tier1)).expect(200);
      expect(listed.body.items.map((x: { id: string }) => x.id)).to.include(res.body.webhook.id);
      expect(JSON.stringify(listed.body)).not.to.contain(res.body.secret);
      const row = await w.db.prisma.webhookSubscription.findUniqueOrThrow({ where: { id: res.body.webhook.id } });
      expect(row.secretSealed).not.to.contain(res.body.secret.slice(6));
    });

    it("answers 404 for another organisation's webhook and its deliveries (BOLA), as for one that does not exist", async function () {
      const own = await subscribe(w.tier1, { url: receiver.url, eventTypes: ["offer.toSign"] }).expect(201);
      const id = own.body.webhook.id as string;
      for (const [method, path] of [
        ["get", `/v1/webhooks/${id}`],
        ["patch", `/v1/webhooks/${id}`],
        ["delete", `/v1/webhooks/${id}`],
        ["get", `/v1/webhooks/${id}/deliveries`],
        ["post", `/v1/webhooks/${id}/deliveries/dlv_${"0".repeat(32)}/redeliver`],
      ] as const) {
        const res = await api()[method](path).set(...bearer(w.tier2)).send({});
        expect(res.status, `${method} ${path}`).to.equal(404);
        expect(res.body.error.code).to.equal("NotFound");
      }
      const missing = await api().get(`/v1/webhooks/whk_${"0".repeat(24)}`).set(...bearer(w.tier2)).expect(404);
      expect(missing.body.error.code).to.equal("NotFound");
      expect((await api().get("/v1/webhooks").set(...bearer(w.tier2)).expect(200)).body.items.map((x: { id: string }) => x.id)).not.to.include(id);
    });

    it("refuses a user without the admin duty (403), and the operator and auditors (403)", async function () {
      const viewer = await subscribe({ auth: viewerKey }, { url: receiver.url, eventTypes: ["offer.toSign"] }).expect(403);
      expect(viewer.body.error.code).to.equal("DutyRequired");
      expect((await api().get("/v1/webhooks").set("Authorization", `Bearer ${viewerKey}`).expect(403)).body.error.code).to.equal("DutyRequired");
      for (const who of [w.operator, w.auditor]) {
        expect((await subscribe(who, { url: receiver.url, eventTypes: ["offer.toSign"] }).expect(403)).body.error.code).to.equal("RoleNotAllowed");
      }
      expect(await w.db.prisma.webhookSubscription.count({ where: { organisation: w.tier2.address } })).to.equal(0);
    });

    it("refuses plain http to a public host, private and link-local targets, credentials in the URL and unknown event types (400, nothing stored)", async function () {
      const before = await w.db.prisma.webhookSubscription.count();
      const cases: [object, string, string][] = [
        [{ url: "http://example.com/hook", eventTypes: ["offer.toSign"] }, "body.url", "WebhookUrlNotHttps"],
        [{ url: "https://10.0.0.7/hook", eventTypes: ["offer.toSign"] }, "body.url", "WebhookTargetNotAllowed"],
        [{ url: "https://169.254.169.254/latest/meta-data", eventTypes: ["offer.toSign"] }, "body.url", "WebhookTargetNotAllowed"],
        [{ url: "https://[fd00::1]/hook", eventTypes: ["offer.toSign"] }, "body.url", "WebhookTargetNotAllowed"],
        [{ url: "https://192.168.1.1/hook", eventTypes: ["offer.toSign"] }, "body.url", "WebhookTargetNotAllowed"],
        [{ url: "https://user:pw@example.com/hook", eventTypes: ["offer.toSign"] }, "body.url", "WebhookUrlInvalid"],
        [{ url: "ftp://example.com/hook", eventTypes: ["offer.toSign"] }, "body.url", "WebhookUrlNotHttps"],
        [{ url: "https://example.com/hook", eventTypes: ["everything"] }, "body.eventTypes.0", "invalid_value"],
        [{ url: "https://example.com/hook", eventTypes: [] }, "body.eventTypes", "too_small"],
      ];
      for (const [body, field, code] of cases) {
        const res = await subscribe(w.tier1, body).expect(400);
        expect(res.body.error.details.fields[0], JSON.stringify(body)).to.include({ field, code });
      }
      expect(await w.db.prisma.webhookSubscription.count()).to.equal(before);
    });
  });

  describe("deliveries", function () {
    let secret: string;
    let hookId: string;

    before(async function () {
      const res = await subscribe(w.tier2, { url: receiver.url, eventTypes: ["offer.toSign", "dispute.raised"] }).expect(201);
      secret = res.body.secret as string;
      hookId = res.body.webhook.id as string;
    });

    it("delivers an offer to sign for, signed: the signature verifies independently; another secret, a changed body or an old timestamp do not", async function () {
      const { offeredId } = await offer(w.tier1, w.tier2, 4_000n * UNIT);
      await deliverUntil(() => receiver.received.some((r) => r.json.type === "offer.toSign" && r.json.data.receivableId === offeredId));
      const got = receiver.received.find((r) => r.json.data.receivableId === offeredId)!;
      expect(got.json).to.deep.include({ type: "offer.toSign", organisation: w.tier2.address, retracts: null });
      expect(got.json.data).to.include({ from: w.tier1.address, amount: (4_000n * UNIT).toString(), receivableId: offeredId });
      expect(got.headers["ledgerline-event-id"]).to.equal(got.json.id);
      expect(got.headers["ledgerline-event-type"]).to.equal("offer.toSign");
      const header = got.headers["ledgerline-signature"];
      expect(independentlyVerified(secret, header, got.body)).to.equal(true);
      // A bad signature is detectable: another secret, one changed byte, a replay with an old timestamp.
      expect(independentlyVerified(`${secret}x`, header, got.body)).to.equal(false);
      expect(independentlyVerified(secret, header, got.body.replace(offeredId, `${offeredId}1`))).to.equal(false);
      const v1 = String(header).split("v1=")[1];
      expect(independentlyVerified(secret, `t=${Math.floor(Date.now() / 1000) - 3600},v1=${v1}`, got.body)).to.equal(false);
      const log = await api().get(`/v1/webhooks/${hookId}/deliveries`).set(...bearer(w.tier2)).expect(200);
      const entry = log.body.items.find((d: { notificationId: string }) => d.notificationId === got.json.id);
      expect(entry).to.include({ state: "DELIVERED", attempts: 1, lastStatus: 200, type: "offer.toSign" });
      expect(entry.log).to.have.length(1);
    });

    it("tells each organisation only of what it may see: the offer goes to its receiver, the invoice to its debtor, nothing to others", async function () {
      const { offeredId } = await offer(w.tier1, w.tier2, 1_000n * UNIT);
      const invoiceHash = await registerInvoice(w, { supplier: w.tier3, amount: 2_000n * UNIT });
      const list = async (a: Actor) => (await api().get("/v1/notifications").set(...bearer(a)).expect(200)).body.items as { type: string; data: Record<string, unknown> }[];
      expect((await list(w.tier2)).some((x) => x.type === "offer.toSign" && x.data.receivableId === offeredId)).to.equal(true);
      expect((await list(w.core)).some((x) => x.type === "invoice.toConfirm" && x.data.invoiceHash === invoiceHash)).to.equal(true);
      for (const other of [w.tier3, w.bankA, w.bankB]) {
        expect(JSON.stringify(await list(other)), other.name).not.to.contain(`"receivableId":"${offeredId}"`);
      }
      for (const other of [w.tier1, w.tier2, w.bankA]) expect(JSON.stringify(await list(other)), other.name).not.to.contain(invoiceHash);
      // Any credential of the organisation reads its notifications (a viewer too).
      const viewer = await api().get("/v1/notifications").set("Authorization", `Bearer ${viewerKey}`).expect(200);
      expect(viewer.body.items.some((x: { data: Record<string, unknown> }) => x.data.receivableId === offeredId)).to.equal(true);
    });

    it("tells every party to a tree of a dispute, but not its raiser nor anyone outside the tree", async function () {
      const { rootId } = await offer(w.tier1, w.tier2, 1_000n * UNIT);
      await api()
        .post("/v1/disputes")
        .set(...bearer(w.core))
        .set("Idempotency-Key", idem())
        .send({ rootId, evidenceHash: `0x${"ab".repeat(32)}` })
        .expect(201);
      const rows = await w.db.prisma.notification.findMany({ where: { type: "dispute.raised" } });
      const told = rows.filter((r) => (JSON.parse(r.payload) as { rootId: string }).rootId === rootId).map((r) => r.organisation);
      expect(told.sort()).to.deep.equal([w.tier1.address, w.tier2.address].sort());
      await deliverUntil(() => receiver.received.some((r) => r.json.type === "dispute.raised" && r.json.data.rootId === rootId));
    });

    it("tells the holders of a funded pool, each of its own parts only, and neither the core enterprise nor outsiders", async function () {
      const { rootId, offeredId } = await offer(w.tier1, w.tier2, 3_000n * UNIT);
      // (Tier 2's webhook takes the offer now, so that the next test's failing receiver fails only tier 3's.)
      await deliverUntil(() => receiver.received.some((r) => r.json.data.receivableId === offeredId));
      await api().post(`/v1/receivables/${offeredId}/accept`).set(...bearer(w.tier2)).set("Idempotency-Key", idem()).send({}).expect(200);
      const maturity = (await api().get(`/v1/receivables/${rootId}`).set(...bearer(w.tier1)).expect(200)).body.maturity as number;
      await api()
        .post("/v1/settlement/deposits")
        .set(...bearer(w.core))
        .set("Idempotency-Key", idem())
        .send({ currency: w.currency, maturity, amount: (10_000n * UNIT).toString() })
        .expect(201);
      const rows = (await w.db.prisma.notification.findMany({ where: { type: "pool.funded" } })).filter((r) => (JSON.parse(r.payload) as { maturity: number }).maturity === maturity);
      const told = Object.fromEntries(rows.map((r) => [r.organisation, (JSON.parse(r.payload) as { receivableIds: string[] }).receivableIds]));
      expect(told).to.deep.equal({ [w.tier1.address]: [rootId], [w.tier2.address]: [offeredId] });
      expect(rows.every((r) => !r.payload.includes('"face"'))).to.equal(true);
    });

    it("retries a receiver answering 500 with backoff, then marks the subscription FAILING and sends nothing more until resumed", async function () {
      const failing = await subscribe(w.tier3, { url: receiver.url, eventTypes: ["offer.toSign"] }).expect(201);
      const id = failing.body.webhook.id as string;
      receiver.answer = 500;
      try {
        const { offeredId } = await offer(w.tier2, w.tier3, 1_000n * UNIT);
        const mine = () => receiver.received.filter((r) => r.json.organisation === w.tier3.address && r.json.data.receivableId === offeredId);
        await deliverUntil(async () => (await w.db.prisma.webhookSubscription.findUniqueOrThrow({ where: { id } })).status === "FAILING");
        expect(mine()).to.have.length(3); // API_WEBHOOK_MAX_ATTEMPTS in this test: 3
        const log = await api().get(`/v1/webhooks/${id}/deliveries`).set(...bearer(w.tier3)).expect(200);
        const d = log.body.items[0];
        expect(d).to.include({ state: "FAILED", attempts: 3, lastStatus: 500 });
        expect(d.log.map((a: { status: number }) => a.status)).to.deep.equal([500, 500, 500]);
        const at = d.log.map((a: { at: string }) => Date.parse(a.at));
        expect(at[2] - at[1]).to.be.greaterThan(at[1] - at[0] - 5); // backoff grows (40 ms, then 80 ms)
        expect((await api().get(`/v1/webhooks/${id}`).set(...bearer(w.tier3)).expect(200)).body.status).to.equal("FAILING");
        // FAILING: a new event is queued but not sent.
        const second = await offer(w.tier2, w.tier3, 1_000n * UNIT);
        for (let i = 0; i < 5; i++) await worker.tick();
        expect(receiver.received.some((r) => r.json.data.receivableId === second.offeredId && r.json.organisation === w.tier3.address)).to.equal(false);
        // The admin fixes the receiver and resumes: the queued one goes out; the failed one is redelivered on request.
        receiver.answer = 200;
        await api().patch(`/v1/webhooks/${id}`).set(...bearer(w.tier3)).send({ status: "ACTIVE" }).expect(200);
        await deliverUntil(() => receiver.received.some((r) => r.json.data.receivableId === second.offeredId && r.json.organisation === w.tier3.address));
        const again = await api().post(`/v1/webhooks/${id}/deliveries/${encodeURIComponent(d.id)}/redeliver`).set(...bearer(w.tier3)).expect(202);
        expect(again.body).to.include({ state: "PENDING", redeliveryOf: d.id, notificationId: d.notificationId });
        await deliverUntil(() => mine().length === 4);
        expect(mine()[3]!.headers["ledgerline-event-id"]).to.equal(d.notificationId);
        expect(mine()[3]!.headers["ledgerline-delivery-id"]).to.equal(again.body.id);
      } finally {
        receiver.answer = 200;
      }
    });
  });

  describe("API-side and time-based notifications", function () {
    const now = async () => new Date((await chainNow()) * 1000);
    let quoteId: string;

    before(async function () {
      const rootId = await confirmedReceivable(w, { supplier: w.tier1, amount: 5_000n * UNIT, maturityInDays: 60 });
      const opened = await api()
        .post("/v1/financing-requests")
        .set(...bearer(w.tier1))
        .send({ receivableId: rootId, amount: (2_000n * UNIT).toString(), mode: "PURCHASE", deadline: (await chainNow()) + 2 * DAY })
        .expect(201);
      const quoted = await api()
        .post(`/v1/financing-requests/${opened.body.id}/quotes`)
        .set(...bearer(w.bankA))
        .send({ mode: "PURCHASE", advance: (1_900n * UNIT).toString(), expiry: (await chainNow()) + 5 * DAY })
        .expect(201);
      quoteId = quoted.body.id as string;
    });

    it("tells the request's holder of a quote at once, nobody else; the sweep restores one a crash left unwritten, once", async function () {
      const id = `api:quote.received:${quoteId}:${w.tier1.address}`;
      const row = await w.db.prisma.notification.findUniqueOrThrow({ where: { id } });
      expect(JSON.parse(row.payload)).to.include({ quoteId, financier: w.bankA.address, advance: (1_900n * UNIT).toString() });
      expect(await w.db.prisma.notification.count({ where: { type: "quote.received", payload: { contains: quoteId } } })).to.equal(1);
      await w.db.prisma.notification.delete({ where: { id } });
      const schedule = createNotificationScheduler({ sql: w.db.sql, now: () => new Date(), maturityDays: 1, quoteExpiringSeconds: 1 });
      await schedule();
      await schedule();
      expect(await w.db.prisma.notification.count({ where: { id } })).to.equal(1);
    });

    it("tells the organisation's users when a maker's action waits for a checker, and nobody else", async function () {
      const invoiceHash = await registerInvoice(w, { supplier: w.tier1, amount: 1_000n * UNIT });
      const prepared = await api()
        .post("/v1/prepared-actions")
        .set(...bearer(w.core))
        .set("Idempotency-Key", idem())
        .send({ action: "invoice.confirm", params: { invoiceHash }, body: {} })
        .expect(201);
      const rows = (await w.db.prisma.notification.findMany({ where: { type: "preparedAction.awaitingApproval" } })).filter((r) => r.payload.includes(prepared.body.id as string));
      expect(rows.map((r) => r.organisation)).to.deep.equal([w.core.address]);
      expect(JSON.parse(rows[0]!.payload)).to.include({ preparedActionId: prepared.body.id, action: "invoice.confirm" });
      // A crash between the action and its notification: the sweep writes it, once.
      await w.db.prisma.notification.delete({ where: { id: rows[0]!.id } });
      const schedule = createNotificationScheduler({ sql: w.db.sql, now: () => new Date(Date.now() + 1_000), maturityDays: 1, quoteExpiringSeconds: 1 });
      await schedule();
      await schedule();
      expect(await w.db.prisma.notification.count({ where: { id: rows[0]!.id } })).to.equal(1);
    });

    it("tells of a quote about to expire and of maturities approaching once each, whatever the number of ticks", async function () {
      const at = await now();
      const schedule = createNotificationScheduler({ sql: w.db.sql, now: () => at, maturityDays: 61, quoteExpiringSeconds: 6 * DAY });
      await schedule();
      await schedule();
      const expiring = await w.db.prisma.notification.findMany({ where: { type: "quote.expiring" } });
      expect(expiring.map((r) => [r.organisation, (JSON.parse(r.payload) as { quoteId: string }).quoteId])).to.deep.include([w.tier1.address, quoteId]);
      expect(expiring.filter((r) => r.payload.includes(quoteId))).to.have.length(1);
      const maturing = await w.db.prisma.notification.findMany({ where: { type: "maturity.approaching" } });
      const holders = maturing.filter((r) => r.organisation !== w.core.address);
      // Each part to its holder, once; the core enterprise per pool, with the face due.
      const keys = holders.map((r) => `${r.organisation}:${(JSON.parse(r.payload) as { receivableId: string }).receivableId}`);
      expect(new Set(keys).size).to.equal(keys.length);
      const parts = await w.db.prisma.receivable.findMany({ where: { status: { not: "BURNED" }, maturity: { gt: BigInt(Math.floor(at.getTime() / 1000)), lte: BigInt(Math.floor(at.getTime() / 1000) + 61 * DAY) } } });
      expect(keys.sort()).to.deep.equal(parts.filter((p) => p.holder !== p.issuer).map((p) => `${p.holder}:${p.id}`).sort());
      const pools = maturing.filter((r) => r.organisation === w.core.address).map((r) => JSON.parse(r.payload) as { face: string; maturity: number });
      expect(pools.length).to.be.greaterThan(0);
      expect(pools.every((p) => BigInt(p.face) > 0n)).to.equal(true);
      const count = await w.db.prisma.notification.count();
      await schedule();
      expect(await w.db.prisma.notification.count()).to.equal(count);
    });
  });

  describe("the event stream (GET /v1/events)", function () {
    it("streams the organisation's notifications as they happen, resumes after Last-Event-ID, and shows nothing of others'", async function () {
      const server = http.createServer(w.h.app);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as AddressInfo).port;
      const open = (actor: Actor, lastEventId?: string) => {
        const frames: { id: string; event: string; data: { data: Record<string, unknown>; organisation: string } }[] = [];
        let buffer = "";
        const req = http.get({ host: "127.0.0.1", port, path: "/v1/events", headers: { Authorization: `Bearer ${actor.auth}`, ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) } }, (res) => {
          expect(res.headers["content-type"]).to.contain("text/event-stream");
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffer += chunk;
            let i: number;
            while ((i = buffer.indexOf("\n\n")) >= 0) {
              const frame = buffer.slice(0, i);
              buffer = buffer.slice(i + 2);
              const f = Object.fromEntries(frame.split("\n").filter((l) => !l.startsWith(":") && l.includes(": ")).map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]));
              if (f.data !== undefined) frames.push({ id: f.id!, event: f.event!, data: JSON.parse(f.data) as never });
            }
          });
        });
        return { frames, close: () => req.destroy() };
      };
      try {
        const tier2 = open(w.tier2);
        const tier3 = open(w.tier3);
        await new Promise((r) => setTimeout(r, 300));
        const first = await offer(w.tier1, w.tier2, 1_000n * UNIT);
        const until = async (pred: () => boolean) => {
          const deadline = Date.now() + 10_000;
          while (!pred()) {
            if (Date.now() > deadline) throw new Error("no event in time");
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        await until(() => tier2.frames.some((f) => f.data.data.receivableId === first.offeredId));
        const frame = tier2.frames.find((f) => f.data.data.receivableId === first.offeredId)!;
        expect(frame.event).to.equal("offer.toSign");
        expect(frame.data.organisation).to.equal(w.tier2.address);
        tier2.close();
        // While disconnected, another offer; reconnecting with the last id gets it, and not the first again.
        const second = await offer(w.tier1, w.tier2, 1_000n * UNIT);
        const resumed = open(w.tier2, frame.id);
        await until(() => resumed.frames.some((f) => f.data.data.receivableId === second.offeredId));
        expect(resumed.frames.some((f) => f.data.data.receivableId === first.offeredId)).to.equal(false);
        resumed.close();
        expect(tier3.frames.every((f) => f.data.organisation === w.tier3.address)).to.equal(true);
        expect(JSON.stringify(tier3.frames)).not.to.contain(`"receivableId":"${first.offeredId}"`);
        tier3.close();
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    it("refuses the operator and auditors (403) and a missing credential (401)", async function () {
      expect((await api().get("/v1/events").set(...bearer(w.operator))).status).to.equal(403);
      expect((await api().get("/v1/events")).status).to.equal(401);
    });
  });

  // Last: it rewrites the chain under the world.
  describe("a reorganisation", function () {
    it("withdraws the notification of a reorganised event not yet sent, and retracts one already delivered", async function () {
      // Tier 2's subscription to offers (made above) is the receiver's.
      const snap = (await network.provider.send("evm_snapshot", [])) as string;
      const sent = await offer(w.tier1, w.tier2, 1_000n * UNIT);
      await deliverUntil(() => receiver.received.some((r) => r.json.data.receivableId === sent.offeredId && r.json.type === "offer.toSign"));
      const sentNotification = receiver.received.find((r) => r.json.data.receivableId === sent.offeredId)!.json.id;
      const unsent = await offer(w.tier1, w.tier2, 2_000n * UNIT);
      const unsentRow = await w.db.prisma.notification.findFirstOrThrow({ where: { type: "offer.toSign", payload: { contains: `"receivableId":"${unsent.offeredId}"` } } });
      const received = receiver.received.length;
      // The chain goes back before both offers and grows longer on another branch.
      expect(await network.provider.send("evm_revert", [snap])).to.equal(true);
      for (let i = 0; i < 12; i++) await network.provider.send("evm_mine", []);
      await w.indexer.syncTo();
      const retracted = await w.db.prisma.notification.findMany({ where: { id: { in: [sentNotification, unsentRow.id] } } });
      expect(retracted.every((r) => r.retractedAtMs !== null)).to.equal(true);
      const unsentDelivery = await w.db.prisma.webhookDelivery.findFirstOrThrow({ where: { notificationId: unsentRow.id } });
      expect(unsentDelivery).to.include({ state: "WITHDRAWN", attempts: 0 });
      await deliverUntil(() => receiver.received.some((r) => r.json.type === "notification.retracted" && r.json.retracts === sentNotification));
      for (let i = 0; i < 3; i++) await worker.tick();
      const after = receiver.received.slice(received);
      // One retraction (of the delivered one), nothing about the one never sent.
      expect(after.map((r) => [r.json.type, r.json.retracts])).to.deep.equal([["notification.retracted", sentNotification]]);
      expect(after[0]!.json.data).to.include({ reason: "REORGANISED", type: "offer.toSign" });
      // The stream and the list show the retraction too.
      const list = await api().get("/v1/notifications").set(...bearer(w.tier2)).expect(200);
      expect(list.body.items.some((x: { type: string; retracts: string }) => x.type === "notification.retracted" && x.retracts === unsentRow.id)).to.equal(true);
      expect(list.body.items.find((x: { id: string }) => x.id === sentNotification).retracted).to.equal(true);
    });
  });
});
