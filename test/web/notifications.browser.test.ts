/**
 * Notifications in Chromium (issue 12 item 3): the header's bell follows the event stream — an offer made
 * through the API appears at once, counted as new, for its receiver only — and an admin's webhooks page
 * adds a webhook (its secret shown once), shows the delivery log as a real receiver answers, and
 * redelivers. Both languages, checked with axe; a role without notifications has no bell.
 */
import { expect } from "chai";
import request from "supertest";
import { createDeliveryWorker, type DeliveryWorker } from "../../server/notifications/delivery";
import { createSealedBox, developmentProfileKey } from "../../server/lib/sealedBox";
import { silentLogger } from "../../server/lib/logger";
import { bearer, confirmedReceivable, UNIT } from "../server/api/world";
import { independentlyVerified, startReceiver, type Receiver } from "../server/notifications/receiver";
import { browserAvailable, DEMO_NAMES, expectAccessible, signInAsDemo, startWebSystem, type WebSystem } from "./browser";

describe("web app in Chromium: notifications and webhooks", function () {
  let sys: WebSystem;
  let receiver: Receiver;
  let worker: DeliveryWorker;

  before(async function () {
    if (!browserAvailable()) this.skip();
    sys = await startWebSystem({ env: { API_WEBHOOK_ALLOW_LOOPBACK: "true" } });
    receiver = await startReceiver();
    worker = createDeliveryWorker({
      sql: sys.w.db.sql,
      box: createSealedBox(developmentProfileKey()),
      policy: { allowLoopback: true, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200, timeoutMs: 2_000 },
      logger: silentLogger(),
      pollMs: 100,
    });
    worker.start();
  });

  after(async function () {
    await worker?.stop();
    await receiver?.close();
    await sys?.close();
  });

  async function offerTo(): Promise<string> {
    const rootId = await confirmedReceivable(sys.w, { supplier: sys.w.tier1, amount: 900n * UNIT });
    const res = await request(sys.w.h.app)
      .post(`/v1/receivables/${rootId}/transfer`)
      .set(...bearer(sys.w.tier1))
      .set("Idempotency-Key", `web-notify-${Date.now()}`)
      .send({ to: sys.w.tier2.address, amount: (300n * UNIT).toString() })
      .expect(201);
    return res.body.offeredId as string;
  }

  it("shows an offer in the receiver's bell as it happens (en), and nothing in another organisation's", async function () {
    const tier2 = await sys.context("en");
    const tier3 = await sys.context("en");
    try {
      await signInAsDemo(tier2.page, DEMO_NAMES.tier2);
      await signInAsDemo(tier3.page, DEMO_NAMES.tier3);
      const bell = tier2.page.getByRole("button", { name: /^Notifications/ });
      await bell.waitFor();
      await tier2.page.getByRole("button", { name: "Notifications" }).click();
      await tier2.page.getByText("Live", { exact: true }).waitFor();
      await tier2.page.getByRole("button", { name: "Notifications" }).click();
      await tier2.page.getByText("Live", { exact: true }).waitFor({ state: "hidden" });
      const id = await offerTo();
      await tier2.page.getByRole("button", { name: "Notifications, 1 new" }).waitFor();
      await tier2.page.getByRole("button", { name: "Notifications, 1 new" }).click();
      await tier2.page.getByRole("link", { name: `Offer to sign for: receivable ${id}` }).waitFor();
      await expectAccessible(tier2.page, "notifications (en, tier 2)");
      await tier2.page.getByRole("link", { name: `Offer to sign for: receivable ${id}` }).click();
      await tier2.page.waitForURL(/\/offers$/);
      // Tier 3 was offered nothing.
      await tier3.page.getByRole("button", { name: "Notifications" }).click();
      await tier3.page.getByText("Latest notifications").waitFor();
      expect(await tier3.page.getByText(`receivable ${id}`).count()).to.equal(0);
      expect(tier2.errors).to.deep.equal([]);
      expect(tier3.errors).to.deep.equal([]);
    } finally {
      await tier2.context.close();
      await tier3.context.close();
    }
  });

  it("adds a webhook (zh-CN), shows its secret once, the delivery log as the receiver answers, and redelivers", async function () {
    const { page, errors, context } = await sys.context("zh-CN");
    try {
      await signInAsDemo(page, DEMO_NAMES.tier2);
      await page.getByRole("link", { name: "Webhook", exact: true }).click();
      await page.getByRole("heading", { name: "Webhook", exact: true }).waitFor();
      await page.getByText("尚无 Webhook。").waitFor();
      // Nothing sent without a URL; a private address is refused by the server, on the field.
      await page.getByRole("button", { name: "添加 Webhook" }).click();
      await page.getByText("请输入接收地址").waitFor();
      await page.getByRole("textbox", { name: /接收地址/ }).fill("https://10.1.2.3/hook");
      await page.getByRole("button", { name: "添加 Webhook" }).click();
      await page.getByText("private, link-local and reserved addresses are not webhook targets").waitFor();
      await page.getByRole("textbox", { name: /接收地址/ }).fill(receiver.url);
      await page.getByRole("button", { name: "添加 Webhook" }).click();
      const secret = (await page.getByTestId("webhook-secret").textContent())!.trim();
      expect(secret).to.match(/^whsec_/);
      await expectAccessible(page, "webhooks (zh-CN, tier 2)");
      const id = await offerTo();
      const got = await receiver.waitFor((r) => r.json.data.receivableId === id, 20_000);
      expect(independentlyVerified(secret, got.headers["ledgerline-signature"], got.body)).to.equal(true);
      const log = page.getByRole("region", { name: `${receiver.url} 的投递记录` });
      await log.getByRole("cell", { name: "已送达" }).first().waitFor({ timeout: 15_000 });
      await log.getByRole("cell", { name: "HTTP 200" }).first().waitFor();
      const before = receiver.received.filter((r) => r.json.id === got.json.id).length;
      await log.getByRole("button", { name: "重新投递" }).first().click();
      await receiver.waitFor(() => receiver.received.filter((r) => r.json.id === got.json.id).length > before, 20_000);
      // The secret is not shown again.
      await page.reload();
      await page.getByRole("heading", { name: "Webhook", exact: true }).waitFor();
      expect(await page.getByTestId("webhook-secret").count()).to.equal(0);
      expect(errors.filter((e) => !/status of 400/.test(e))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("gives the operator no bell and no webhooks page", async function () {
    const { page, context } = await sys.context("en");
    try {
      await signInAsDemo(page, "Platform operator");
      expect(await page.getByRole("button", { name: /^Notifications/ }).count()).to.equal(0);
      await page.goto("/webhooks");
      await page.getByRole("heading", { name: "Not found" }).waitFor();
    } finally {
      await context.close();
    }
  });
});
