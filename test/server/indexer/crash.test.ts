// Crashes and outages, against a real JSON-RPC endpoint (this test's Hardhat chain served over HTTP):
// - the indexer PROCESS (scripts/indexer.ts) is SIGKILLed at random moments during a backfill of a few
//   thousand events and restarted, again and again; the final database equals a fresh re-index row for row;
// - the node goes away (a TCP proxy in front of it is closed) during a backfill and while following the
//   head, and comes back; nothing is lost or duplicated.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { invoiceNumberHashOf } from "../../../server/lib/typedData";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import { confirm, deploySystemFixture, type System } from "../../fixtures/settlement";
import { openSql } from "../../../server/db/sql";
import { openDatabase } from "../../../server/db/client";
import { createHttpTransport } from "../../../server/lib/rpc";
import { createIndexer } from "../../../server/indexer/indexer";
import { silentLogger } from "../../../server/lib/logger";
import { announceDialects, freshDatabase, testDialects } from "../db/fresh";
import { deploymentOf, expectSameAsFreshIndex, TEST_INDEXER_CONFIG } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** About 3,500 events in ~60 blocks: 500 confirmations and 500 splits, mined in batches. */
async function manyEventsFixture(): Promise<System> {
  const sys = await deploySystemFixture();
  await network.provider.send("evm_setAutomine", [false]);
  try {
    const maturity = sys.maturity;
    let nonce = await sys.core.getNonce("pending");
    for (let i = 0; i < 500; i++) {
      const invoice = { invoiceHash: ethers.id(`crash invoice ${i}`), invoiceNumberHash: invoiceNumberHashOf(`CRASH-${i}`), supplier: sys.tier1.address, debtor: sys.core.address, currency: sys.currency, amount: 10_000n + BigInt(i), maturity };
      await sys.ledger.connect(sys.core).confirmInvoice(invoice, { nonce: nonce++, gasLimit: 400_000 });
      if (i % 25 === 24) await network.provider.send("evm_mine", []);
    }
    await network.provider.send("evm_mine", []);
    const roots = (await sys.ledger.queryFilter(sys.ledger.filters.InvoiceConfirmed())).map((e) => e.args.rootId);
    let n2 = await sys.tier1.getNonce("pending");
    for (let i = 0; i < 500; i++) {
      await sys.ledger.connect(sys.tier1).split(roots[i % roots.length]!, 100n, { nonce: n2++, gasLimit: 400_000 });
      if (i % 25 === 24) await network.provider.send("evm_mine", []);
    }
    await network.provider.send("evm_mine", []);
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
  return sys;
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

/** A TCP proxy that can be cut (every connection destroyed, port closed) and restored on the same port. */
function tcpProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, "127.0.0.1");
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  return {
    open,
    get port() {
      return port;
    },
    async cut() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

describe("indexer: crashes and RPC outages", function () {
  let server: JsonRpcServer;
  let rpcUrl: string;

  before(async function () {
    announceDialects();
    server = new JsonRpcServer({ hostname: "127.0.0.1", port: 0, provider: network.provider });
    const { port } = await server.listen();
    rpcUrl = `http://127.0.0.1:${port}`;
  });
  after(async function () {
    await server?.close();
  });

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, function () {
      it("survives SIGKILL of the indexer process at random moments of a backfill, equal to a fresh re-index", async function () {
        const sys = await loadFixture(manyEventsFixture);
        const deployment = await deploymentOf(sys);
        const head = await ethers.provider.getBlockNumber();
        const fresh = await freshDatabase(dialect, "crash");
        // Migrate once up front, so the first kill cannot land in the migration.
        await (await openDatabase({ url: fresh.url })).close();
        const probe = openSql(fresh.url);
        const checkpoint = async () => {
          const rows = await probe.query<{ checkpoint_block: number | string }>(`SELECT "checkpoint_block" FROM "indexer_state"`).catch(() => []);
          return rows[0] ? Number(rows[0].checkpoint_block) : -1;
        };
        const env = {
          ...process.env,
          DATABASE_URL: fresh.url,
          RPC_URL: rpcUrl,
          RECEIVABLE_TOKEN_ADDRESS: deployment.contracts.ReceivableToken,
          FINANCING_SETTLEMENT_ADDRESS: deployment.contracts.FinancingSettlement,
          REPAYMENT_VAULT_ADDRESS: deployment.contracts.RepaymentVault,
          RISK_PROGRAMME_ADDRESS: deployment.contracts.RiskProgramme,
          START_BLOCK: "0",
          CONFIRMATIONS: "0",
          // Small batches and a window over the last blocks: kills land in ranged backfill, in
          // journalled following, and inside transactions.
          REORG_WINDOW: "12",
          INDEXER_BLOCK_RANGE: "4",
          INDEXER_MAX_BLOCK_RANGE: "8",
          INDEXER_BATCH_LOGS: "60",
          INDEXER_POLL_MS: "50",
          LOG_LEVEL: "error",
        };
        const killedAt: number[] = [];
        try {
          for (let round = 0; ; round++) {
            const before = await checkpoint();
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "indexer.ts")], {
              cwd: ROOT,
              env,
              stdio: ["ignore", "ignore", "inherit"],
            });
            const exit = exited(child);
            if (round < 5 && before < head) {
              await waitFor(async () => (await checkpoint()) > before || child.exitCode !== null, 60_000, "the indexer to make progress");
              expect(child.exitCode, "indexer exited on its own").to.equal(null);
              await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 80)));
              child.kill("SIGKILL");
              await exit;
              killedAt.push(await checkpoint());
              continue;
            }
            // Generous: a restarted process spends most of this starting ts-node on a busy 2-core machine.
            await waitFor(async () => (await checkpoint()) >= head, 180_000, "the indexer to catch up");
            child.kill("SIGTERM");
            expect(await exit).to.equal(0);
            break;
          }
          console.log(`      (killed at checkpoints ${killedAt.join(", ")} of ${head})`);
          expect(killedAt.length, "kills during the backfill").to.be.greaterThanOrEqual(3);
          expect(killedAt.some((c) => c < head), "at least one kill before the end").to.equal(true);
          const crashed = await openDatabase({ url: fresh.url });
          try {
            await expectSameAsFreshIndex(crashed, { dialect, provider: network.provider, deployment, head, label: "ref" });
            const events = await crashed.sql.query(`SELECT COUNT(*) AS n FROM "chain_event"`);
            expect(Number(events[0]!.n)).to.be.greaterThan(3_000);
          } finally {
            await crashed.close();
          }
        } finally {
          await probe.close();
          await fresh.drop();
        }
      });

      it("loses and duplicates nothing when the node goes away during a backfill and while following, and comes back", async function () {
        const sys = await loadFixture(manyEventsFixture);
        const deployment = await deploymentOf(sys);
        const proxy = tcpProxy(Number(new URL(rpcUrl).port));
        await proxy.open();
        const fresh = await freshDatabase(dialect, "outage");
        const db = await openDatabase({ url: fresh.url });
        const indexer = createIndexer({
          provider: createHttpTransport(`http://127.0.0.1:${proxy.port}`, { timeoutMs: 1_000 }),
          db,
          config: { ...TEST_INDEXER_CONFIG, blockRange: 4, maxBlockRange: 8, batchLogs: 150, reorgWindow: 12 },
          deployment,
          logger: silentLogger(),
        });
        const running = indexer.start();
        try {
          // Outage 1: in the middle of the backfill.
          await waitFor(async () => indexer.status().checkpoint > 5, 30_000, "backfill progress");
          await proxy.cut();
          // A batch whose logs were already read may still commit; after that nothing moves.
          await new Promise((r) => setTimeout(r, 300));
          const during = indexer.status().checkpoint;
          await new Promise((r) => setTimeout(r, 300));
          expect(indexer.status().lastError ?? "", "the indexer saw the outage").to.match(/unreachable|failed|closed|socket|ECONNREFUSED|terminated/i);
          expect(indexer.status().checkpoint, "no progress without the node").to.equal(during);
          await proxy.open();
          let head = await ethers.provider.getBlockNumber();
          await waitFor(async () => indexer.status().checkpoint >= head, 60_000, "catching up after outage 1");
          // Outage 2: while following the head, with new blocks mined meanwhile.
          await proxy.cut();
          for (let i = 0; i < 4; i++) await confirm(sys, sys.tier2, 5_000n + BigInt(i));
          await new Promise((r) => setTimeout(r, 300));
          await proxy.open();
          head = await ethers.provider.getBlockNumber();
          await waitFor(async () => indexer.status().checkpoint >= head, 30_000, "catching up after outage 2");
          await indexer.stop();
          await running;
          await expectSameAsFreshIndex(db, { dialect, provider: network.provider, deployment, head, label: "ref2" });
        } finally {
          await indexer.stop();
          await proxy.cut().catch(() => {});
          await db.close();
          await fresh.drop();
        }
      });
    });
  }
});
