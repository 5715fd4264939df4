-- Issue 12 item 3: the notification outbox (written with the indexer's projection in one transaction),
-- webhook subscriptions (secrets sealed), their deliveries and the delivery log.

-- CreateTable
CREATE TABLE "notification" (
    "seq" SERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "organisation" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "block_number" BIGINT,
    "block_hash" TEXT,
    "tx_hash" TEXT,
    "retracts" TEXT,
    "retracted_at_ms" BIGINT,
    "created_at_ms" BIGINT NOT NULL,

    CONSTRAINT "notification_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_id_key" ON "notification"("id");

-- CreateIndex
CREATE INDEX "notification_organisation_seq_idx" ON "notification"("organisation", "seq");

-- CreateIndex
CREATE INDEX "notification_block_number_idx" ON "notification"("block_number");

-- CreateTable
CREATE TABLE "webhook_subscription" (
    "id" TEXT NOT NULL,
    "organisation" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "event_types" TEXT NOT NULL,
    "description" TEXT,
    "secret_sealed" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "failing_since_ms" BIGINT,
    "created_by" TEXT NOT NULL,
    "created_at_ms" BIGINT NOT NULL,
    "updated_at_ms" BIGINT NOT NULL,

    CONSTRAINT "webhook_subscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_subscription_organisation_idx" ON "webhook_subscription"("organisation");

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "organisation" TEXT NOT NULL,
    "notification_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "next_attempt_at_ms" BIGINT NOT NULL,
    "lease_owner" TEXT,
    "lease_until_ms" BIGINT,
    "last_status" INTEGER,
    "last_error" TEXT,
    "delivered_at_ms" BIGINT,
    "redelivery_of" TEXT,
    "created_at_ms" BIGINT NOT NULL,

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_delivery_state_next_attempt_at_ms_idx" ON "webhook_delivery"("state", "next_attempt_at_ms");

-- CreateIndex
CREATE INDEX "webhook_delivery_subscription_id_created_at_ms_idx" ON "webhook_delivery"("subscription_id", "created_at_ms");

-- CreateIndex
CREATE INDEX "webhook_delivery_notification_id_idx" ON "webhook_delivery"("notification_id");

-- CreateTable
CREATE TABLE "webhook_attempt" (
    "delivery_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at_ms" BIGINT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "status" INTEGER,
    "error" TEXT,

    CONSTRAINT "webhook_attempt_pkey" PRIMARY KEY ("delivery_id","attempt")
);
