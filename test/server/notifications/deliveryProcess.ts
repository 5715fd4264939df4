// The delivery worker every API process runs (server/api/server.ts), as a process of its own so that the
// crash test can SIGKILL it in the middle of a delivery. DATABASE_URL names the outbox; LEASE_MS the claim.
import { openSql } from "../../../server/db/sql";
import { createSealedBox, developmentProfileKey } from "../../../server/lib/sealedBox";
import { silentLogger } from "../../../server/lib/logger";
import { createDeliveryWorker } from "../../../server/notifications/delivery";

// Only when run as a process: the test runner loads every file under test/ as a module too.
if (require.main === module) {
  createDeliveryWorker({
    sql: openSql(process.env.DATABASE_URL!),
    box: createSealedBox(developmentProfileKey()),
    policy: { allowLoopback: true, maxAttempts: 5, retryBaseMs: 50, retryMaxMs: 200, timeoutMs: 60_000 },
    logger: silentLogger(),
    pollMs: 50,
    leaseMs: Number(process.env.LEASE_MS ?? 2_000),
  }).start();
}
