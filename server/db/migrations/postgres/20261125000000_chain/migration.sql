-- CreateTable
CREATE TABLE "indexer_state" (
    "id" TEXT NOT NULL,
    "chain_id" BIGINT NOT NULL,
    "genesis_hash" TEXT NOT NULL,
    "contracts" TEXT NOT NULL,
    "start_block" BIGINT NOT NULL,
    "checkpoint_block" BIGINT NOT NULL,
    "checkpoint_hash" TEXT,
    "undo_floor" BIGINT NOT NULL,
    "head_block" BIGINT NOT NULL,
    "lag_blocks" BIGINT NOT NULL,
    "events_total" BIGINT NOT NULL,
    "events_per_second" DOUBLE PRECISION NOT NULL,
    "phase" TEXT NOT NULL,
    "last_error" TEXT,
    "writer" TEXT,
    "updated_at_ms" BIGINT NOT NULL,

    CONSTRAINT "indexer_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "indexed_block" (
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "parent_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,

    CONSTRAINT "indexed_block_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "indexer_undo" (
    "block_number" BIGINT NOT NULL,
    "seq" INTEGER NOT NULL,
    "table_name" TEXT NOT NULL,
    "row_key" TEXT NOT NULL,
    "row_before" TEXT,

    CONSTRAINT "indexer_undo_pkey" PRIMARY KEY ("block_number","seq")
);

-- CreateTable
CREATE TABLE "chain_event" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "block_hash" TEXT NOT NULL,
    "block_timestamp" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "tx_index" INTEGER NOT NULL,
    "contract" TEXT NOT NULL,
    "contract_name" TEXT NOT NULL,
    "event_name" TEXT NOT NULL,
    "args" TEXT NOT NULL,

    CONSTRAINT "chain_event_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateIndex
CREATE INDEX "chain_event_tx_hash_idx" ON "chain_event"("tx_hash");

-- CreateIndex
CREATE INDEX "chain_event_event_name_idx" ON "chain_event"("event_name");

-- CreateTable
CREATE TABLE "organisation" (
    "address" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL,
    "kyc_hash" TEXT NOT NULL,
    "registered_block" BIGINT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "organisation_pkey" PRIMARY KEY ("address")
);

-- CreateIndex
CREATE INDEX "organisation_role_idx" ON "organisation"("role");

-- CreateTable
CREATE TABLE "credit_line" (
    "core_enterprise" TEXT NOT NULL,
    "grantor" TEXT NOT NULL,
    "credit_limit" TEXT NOT NULL,
    "used" TEXT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "credit_line_pkey" PRIMARY KEY ("core_enterprise")
);

-- CreateTable
CREATE TABLE "currency" (
    "address" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "currency_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "ledger_parameters" (
    "contract" TEXT NOT NULL,
    "min_part_amount" TEXT NOT NULL,
    "max_depth" INTEGER NOT NULL,
    "default_offer_window" BIGINT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "ledger_parameters_pkey" PRIMARY KEY ("contract")
);

-- CreateTable
CREATE TABLE "invoice" (
    "invoice_hash" TEXT NOT NULL,
    "supplier" TEXT NOT NULL,
    "debtor" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "maturity" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "reject_reason" TEXT,
    "root_id" TEXT,
    "confirmation_nonce" TEXT,
    "registered_block" BIGINT,
    "confirmed_block" BIGINT,
    "confirmed_tx_hash" TEXT,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "invoice_pkey" PRIMARY KEY ("invoice_hash")
);

-- CreateIndex
CREATE INDEX "invoice_supplier_idx" ON "invoice"("supplier");

-- CreateIndex
CREATE INDEX "invoice_debtor_status_idx" ON "invoice"("debtor", "status");

-- CreateTable
CREATE TABLE "receivable_root" (
    "root_id" TEXT NOT NULL,
    "invoice_hash" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "supplier" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "face_amount" TEXT NOT NULL,
    "maturity" BIGINT NOT NULL,
    "frozen" BOOLEAN NOT NULL,
    "overdue" BOOLEAN NOT NULL,
    "confirmed_block" BIGINT NOT NULL,
    "confirmed_tx_hash" TEXT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "receivable_root_pkey" PRIMARY KEY ("root_id")
);

-- CreateIndex
CREATE INDEX "receivable_root_issuer_maturity_idx" ON "receivable_root"("issuer", "maturity");

-- CreateTable
CREATE TABLE "receivable" (
    "id" TEXT NOT NULL,
    "root_id" TEXT NOT NULL,
    "parent_id" TEXT,
    "depth" INTEGER NOT NULL,
    "holder" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "initial_amount" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "offered_to" TEXT,
    "offer_deadline" BIGINT,
    "pledgee" TEXT,
    "financed" BOOLEAN NOT NULL,
    "issuer" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "maturity" BIGINT NOT NULL,
    "created_block" BIGINT NOT NULL,
    "created_tx_hash" TEXT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "receivable_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "receivable_holder_status_idx" ON "receivable"("holder", "status");

-- CreateIndex
CREATE INDEX "receivable_root_id_idx" ON "receivable"("root_id");

-- CreateIndex
CREATE INDEX "receivable_parent_id_idx" ON "receivable"("parent_id");

-- CreateIndex
CREATE INDEX "receivable_issuer_maturity_idx" ON "receivable"("issuer", "maturity");

-- CreateIndex
CREATE INDEX "receivable_offered_to_idx" ON "receivable"("offered_to");

-- CreateIndex
CREATE INDEX "receivable_pledgee_idx" ON "receivable"("pledgee");

-- CreateTable
CREATE TABLE "receivable_history" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "receivable_id" TEXT NOT NULL,
    "root_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "from_address" TEXT,
    "to_address" TEXT,
    "amount" TEXT,
    "related_id" TEXT,
    "detail" TEXT,
    "tx_hash" TEXT NOT NULL,
    "block_timestamp" BIGINT NOT NULL,

    CONSTRAINT "receivable_history_pkey" PRIMARY KEY ("block_number","log_index","receivable_id")
);

-- CreateIndex
CREATE INDEX "receivable_history_receivable_id_idx" ON "receivable_history"("receivable_id");

-- CreateIndex
CREATE INDEX "receivable_history_root_id_idx" ON "receivable_history"("root_id");
