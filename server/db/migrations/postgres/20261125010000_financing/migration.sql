-- AlterTable
ALTER TABLE "receivable" ADD COLUMN "redeemed_amount" TEXT NOT NULL DEFAULT '0';

-- CreateTable
CREATE TABLE "financing_execution" (
    "quote_hash" TEXT NOT NULL,
    "receivable_id" TEXT NOT NULL,
    "financed_id" TEXT NOT NULL,
    "financier" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "advance" TEXT NOT NULL,
    "repayment" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "block_timestamp" BIGINT NOT NULL,

    CONSTRAINT "financing_execution_pkey" PRIMARY KEY ("quote_hash")
);

-- CreateIndex
CREATE INDEX "financing_execution_financier_idx" ON "financing_execution"("financier");

-- CreateIndex
CREATE INDEX "financing_execution_holder_idx" ON "financing_execution"("holder");

-- CreateIndex
CREATE INDEX "financing_execution_receivable_id_idx" ON "financing_execution"("receivable_id");

-- CreateIndex
CREATE INDEX "financing_execution_financed_id_idx" ON "financing_execution"("financed_id");

-- CreateIndex
CREATE INDEX "financing_execution_block_number_idx" ON "financing_execution"("block_number");

-- CreateTable
CREATE TABLE "quote_cancellation" (
    "quote_hash" TEXT NOT NULL,
    "financier" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "block_timestamp" BIGINT NOT NULL,

    CONSTRAINT "quote_cancellation_pkey" PRIMARY KEY ("quote_hash")
);

-- CreateIndex
CREATE INDEX "quote_cancellation_block_number_idx" ON "quote_cancellation"("block_number");

-- CreateTable
CREATE TABLE "financier_nonce" (
    "financier" TEXT NOT NULL,
    "min_nonce" TEXT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "financier_nonce_pkey" PRIMARY KEY ("financier")
);

-- CreateTable
CREATE TABLE "repayment_pool" (
    "pool_id" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "maturity" BIGINT NOT NULL,
    "face" TEXT NOT NULL,
    "deposited" TEXT NOT NULL,
    "overdue_marked" BOOLEAN NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "repayment_pool_pkey" PRIMARY KEY ("pool_id")
);

-- CreateIndex
CREATE INDEX "repayment_pool_issuer_maturity_idx" ON "repayment_pool"("issuer", "maturity");

-- CreateTable
CREATE TABLE "repayment_deposit" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "pool_id" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "maturity" BIGINT NOT NULL,
    "amount" TEXT NOT NULL,
    "deposited" TEXT NOT NULL,
    "face" TEXT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "block_timestamp" BIGINT NOT NULL,

    CONSTRAINT "repayment_deposit_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateIndex
CREATE INDEX "repayment_deposit_pool_id_idx" ON "repayment_deposit"("pool_id");

-- CreateIndex
CREATE INDEX "repayment_deposit_issuer_idx" ON "repayment_deposit"("issuer");

-- CreateTable
CREATE TABLE "redemption" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "receivable_id" TEXT NOT NULL,
    "root_id" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "pool_id" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "to_holder" TEXT NOT NULL,
    "pledgee" TEXT,
    "to_pledgee" TEXT NOT NULL,
    "paid" TEXT NOT NULL,
    "pledge_owed" TEXT NOT NULL,
    "burnt" BOOLEAN NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "block_timestamp" BIGINT NOT NULL,

    CONSTRAINT "redemption_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateIndex
CREATE INDEX "redemption_receivable_id_idx" ON "redemption"("receivable_id");

-- CreateIndex
CREATE INDEX "redemption_holder_idx" ON "redemption"("holder");

-- CreateIndex
CREATE INDEX "redemption_pledgee_idx" ON "redemption"("pledgee");

-- CreateTable
CREATE TABLE "pledge_debt" (
    "receivable_id" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "pledgee" TEXT NOT NULL,
    "owed" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "recorded_block" BIGINT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "pledge_debt_pkey" PRIMARY KEY ("receivable_id")
);

-- CreateIndex
CREATE INDEX "pledge_debt_pledgee_idx" ON "pledge_debt"("pledgee");

-- CreateIndex
CREATE INDEX "pledge_debt_holder_idx" ON "pledge_debt"("holder");
