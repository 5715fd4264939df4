/**
 * Kill -9 between projection and delivery loses nothing (issue 12 item 3), with real processes:
 * - the indexer PROCESS (scripts/indexer.ts) is SIGKILLed at random moments while it indexes a chain of
 *   offers into a fresh database and restarted: every offer on chain has exactly one notification and one
 *   delivery to the subscribed webhook — none lost, none doubled (they commit with their block or not at all);
 * - a delivery worker PROCESS is SIGKILLed while its request is in flight at the receiver: after the lease,
 *   another worker delivers it again (at least once: the receiver sees the same event id twice), and every
 *   other notification is delivered. SQLite, and PostgreSQL when TEST_POSTGRES_URL is set.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { network } from "hardhat";
import request from "supertest";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import { openDatabase, type Db } from "../../../server/db/client";
import { createSealedBox, developmentProfileKey } from "../../../server/lib/sealedBox";
import { silentLogger } from "../../../server/lib/logger";
import { createDeliveryWorker, secretAad } from "../../../server/notifications/delivery";
import { freshDatabase, testDialects, type FreshDatabase } from "../db/fresh";
import { bearer, confirmedReceivable, createWorld, UNIT, type World } from "../api/world";
import { startReceiver, type Receiver } from "./receiver";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const OFFERS = 24;

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const dialect of testDialects()) describe(`Notifications: kill -9 between projection and delivery (${dialect})`, function () {
  this.timeout(300_000);
  let w: World;
  let server: JsonRpcServer;
  let rpcUrl: string;
  let receiver: Receiver;
  let fresh: FreshDatabase;
  let db: Db;
  let offered: string[];
  let firstOfferBlock = 0;
  const hookId = `whk_${"1".repeat(24)}`;

  before(async function () {
    w = await createWorld({ dialect, env: { API_WEBHOOK_ALLOW_LOOPBACK: "true" } });
    server = new JsonRpcServer({ hostname: "127.0.0.1", port: 0, provider: network.provider });
    rpcUrl = `http://127.0.0.1:${(await server.listen()).port}`;
    receiver = await startReceiver();
    offered = [];
    for (let i = 0; i < OFFERS; i++) {
      const rootId = await confirmedReceivable(w, { supplier: w.tier1, amount: 1_000n * UNIT });
      const res = await request(w.h.app)
        .post(`/v1/receivables/${rootId}/transfer`)
        .set(...bearer(w.tier1))
        .set("Idempotency-Key", `crash-offer-${Date.now()}-${i}`)
        .send({ to: w.tier2.address, amount: (400n * UNIT).toString() })
        .expect(201);
      offered.push(res.body.offeredId as string);
      if (i === 0) firstOfferBlock = res.body.blockNumber as number;
    }
    // Another database indexes the same chain from scratch; tier 2 subscribed there before it starts.
    fresh = await freshDatabase(dialect, "notifycrash");
    db = await openDatabase({ url: fresh.url });
    const now = BigInt(Date.now());
    await db.prisma.webhookSubscription.create({
      data: {
        id: hookId,
        organisation: w.tier2.address,
        url: receiver.url,
        eventTypes: JSON.stringify(["offer.toSign"]),
        description: null,
        secretSealed: createSealedBox(developmentProfileKey()).seal("whsec_crash-test", secretAad(hookId)),
        status: "ACTIVE",
        failingSinceMs: null,
        createdBy: "test",
        createdAtMs: now,
        updatedAtMs: now,
      },
    });
  });
  after(async function () {
    await receiver?.close();
    await db?.close();
    await fresh?.drop();
    await server?.close();
    await w?.close();
  });

  it("loses and doubles nothing when the indexer process is killed at random moments", async function () {
    const head = Number(await network.provider.send("eth_blockNumber", []));
    const checkpoint = async () => {
      const rows = await db.sql.query<{ checkpoint_block: unknown }>(`SELECT "checkpoint_block" FROM "indexer_state"`).catch(() => []);
      return rows[0] ? Number(rows[0].checkpoint_block) : -1;
    };
    const env = {
      ...process.env,
      DATABASE_URL: fresh.url,
      RPC_URL: rpcUrl,
      RECEIVABLE_TOKEN_ADDRESS: w.addresses.ledger,
      FINANCING_SETTLEMENT_ADDRESS: w.addresses.financing,
      REPAYMENT_VAULT_ADDRESS: w.addresses.vault,
      RISK_PROGRAMME_ADDRESS: (await w.programmes.getAddress()).toLowerCase(),
      START_BLOCK: "0",
      CONFIRMATIONS: "0",
      // Small ranges and batches: kills land between blocks and inside transactions.
      REORG_WINDOW: "12",
      INDEXER_BLOCK_RANGE: "2",
      INDEXER_MAX_BLOCK_RANGE: "4",
      INDEXER_BATCH_LOGS: "10",
      INDEXER_POLL_MS: "50",
      LOG_LEVEL: "error",
    };
    const killedAt: number[] = [];
    for (let round = 0; ; round++) {
      const before = await checkpoint();
      const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "indexer.ts")], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
      const exit = exited(child);
      if (round < 4 && before < head) {
        // Spread the kills over the blocks that carry the offers.
        const mark = Math.max(before + 1, firstOfferBlock + Math.floor(((head - firstOfferBlock) * round) / 4));
        await waitFor(async () => (await checkpoint()) >= mark || child.exitCode !== null, 120_000, "the indexer to make progress");
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
        child.kill("SIGKILL");
        await exit;
        killedAt.push(await checkpoint());
        continue;
      }
      await waitFor(async () => (await checkpoint()) >= head, 180_000, "the indexer to catch up");
      child.kill("SIGTERM");
      await exit;
      break;
    }
    console.log(`      (killed at checkpoints ${killedAt.join(", ")} of ${head})`);
    const rows = await db.prisma.notification.findMany({ where: { type: "offer.toSign", organisation: w.tier2.address } });
    const ids = rows.map((r) => (JSON.parse(r.payload) as { receivableId: string }).receivableId).sort();
    expect(ids).to.deep.equal([...offered].sort());
    const deliveries = await db.prisma.webhookDelivery.findMany({ where: { subscriptionId: hookId } });
    expect(deliveries.map((d) => d.notificationId).sort()).to.deep.equal(rows.map((r) => r.id).sort());
    expect(deliveries.every((d) => d.state === "PENDING" && d.attempts === 0)).to.equal(true);
  });

  it("delivers again what a delivery process killed mid-request had claimed, and everything else", async function () {
    receiver.answer = "hang";
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "deliveryProcess.ts")], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: fresh.url, LEASE_MS: "1500" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const exit = exited(child);
    await waitFor(() => receiver.received.length > 0, 120_000, "the delivery process to send");
    const inFlight = receiver.received[0]!.json.id;
    child.kill("SIGKILL");
    await exit;
    const claimed = await db.prisma.webhookDelivery.findMany({ where: { subscriptionId: hookId, attempts: { gt: 0 } } });
    expect(claimed.length).to.be.greaterThan(0);
    expect(claimed.every((d) => d.state === "PENDING")).to.equal(true); // nothing marked done by the dead process

    receiver.answer = 200;
    const worker = createDeliveryWorker({
      sql: db.sql,
      box: createSealedBox(developmentProfileKey()),
      policy: { allowLoopback: true, maxAttempts: 5, retryBaseMs: 50, retryMaxMs: 200, timeoutMs: 5_000 },
      logger: silentLogger(),
      pollMs: 50,
      leaseMs: 1_500,
    });
    try {
      await waitFor(
        async () => {
          await worker.tick();
          return (await db.prisma.webhookDelivery.count({ where: { subscriptionId: hookId, state: { not: "DELIVERED" } } })) === 0;
        },
        30_000,
        "every delivery to be delivered",
      );
    } finally {
      await worker.stop();
    }
    const seen = new Set(receiver.received.map((r) => r.json.id));
    const all = await db.prisma.notification.findMany({ where: { type: "offer.toSign", organisation: w.tier2.address } });
    expect(all.every((n) => seen.has(n.id))).to.equal(true);
    expect(receiver.received.filter((r) => r.json.id === inFlight).length).to.be.at.least(2);
  });
});
