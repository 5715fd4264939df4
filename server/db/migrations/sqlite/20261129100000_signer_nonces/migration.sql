-- The nonce manager of custodial keys (server/signing/nonces.ts): the next nonce per key and chain,
-- and every transaction sent, recorded before it is broadcast. Idempotent answers remember the chain
-- and block they were given on (server/api/idempotency.ts).

-- CreateTable
CREATE TABLE "signer_account" (
    "chain" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "next_nonce" BIGINT NOT NULL,
    "updated_at_ms" BIGINT NOT NULL,

    PRIMARY KEY ("chain", "address")
);

-- CreateTable
CREATE TABLE "signer_transaction" (
    "chain" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "nonce" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "raw" TEXT NOT NULL,
    "call_hash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "block_number" BIGINT,
    "block_hash" TEXT,
    "idempotency_scope" TEXT,
    "idempotency_key" TEXT,
    "created_at_ms" BIGINT NOT NULL,
    "updated_at_ms" BIGINT NOT NULL,

    PRIMARY KEY ("chain", "address", "nonce")
);

-- CreateIndex
CREATE INDEX "signer_transaction_idempotency_scope_idempotency_key_idx" ON "signer_transaction"("idempotency_scope", "idempotency_key");

-- CreateIndex
CREATE INDEX "signer_transaction_chain_state_idx" ON "signer_transaction"("chain", "state");

-- AlterTable
ALTER TABLE "idempotency_record" ADD COLUMN "chain" TEXT;
ALTER TABLE "idempotency_record" ADD COLUMN "block_number" BIGINT;
ALTER TABLE "idempotency_record" ADD COLUMN "block_hash" TEXT;
