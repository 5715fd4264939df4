-- Off-chain records of the API (server/db/schema/api.prisma): credentials, SIWE nonces,
-- idempotent answers, invoice documents, financing requests and quotes, audit log.

-- CreateTable
CREATE TABLE "api_key" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "secret_hash" TEXT NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "organisation" TEXT,
    "admin" BOOLEAN NOT NULL,
    "label" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at_ms" BIGINT NOT NULL,
    "revoked_at_ms" BIGINT
);

-- CreateIndex
CREATE INDEX "api_key_organisation_idx" ON "api_key"("organisation");

-- CreateTable
CREATE TABLE "api_session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "secret_hash" TEXT NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "organisation" TEXT,
    "admin" BOOLEAN NOT NULL,
    "credential_id" TEXT NOT NULL,
    "expires_at_ms" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "api_session_expires_at_ms_idx" ON "api_session"("expires_at_ms");

-- CreateIndex
CREATE INDEX "api_session_credential_id_idx" ON "api_session"("credential_id");

-- CreateTable
CREATE TABLE "siwe_nonce" (
    "nonce" TEXT NOT NULL PRIMARY KEY,
    "expires_at_ms" BIGINT NOT NULL,
    "used_at_ms" BIGINT
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "status" INTEGER,
    "body" TEXT,
    "created_at_ms" BIGINT NOT NULL,

    PRIMARY KEY ("scope", "key")
);

-- CreateTable
CREATE TABLE "invoice_document" (
    "invoice_hash" TEXT NOT NULL PRIMARY KEY,
    "supplier" TEXT NOT NULL,
    "debtor" TEXT NOT NULL,
    "invoice_number" TEXT NOT NULL,
    "metadata" TEXT NOT NULL,
    "content_type" TEXT,
    "size_bytes" INTEGER,
    "stored_path" TEXT,
    "created_at_ms" BIGINT NOT NULL,
    "uploaded_at_ms" BIGINT
);

-- CreateIndex
CREATE INDEX "invoice_document_supplier_idx" ON "invoice_document"("supplier");

-- CreateIndex
CREATE INDEX "invoice_document_debtor_idx" ON "invoice_document"("debtor");

-- CreateTable
CREATE TABLE "financing_request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "receivable_id" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "deadline_ms" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "accepted_quote_id" TEXT,
    "created_at_ms" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "financing_request_status_deadline_ms_idx" ON "financing_request"("status", "deadline_ms");

-- CreateIndex
CREATE INDEX "financing_request_holder_idx" ON "financing_request"("holder");

-- CreateIndex
CREATE INDEX "financing_request_receivable_id_idx" ON "financing_request"("receivable_id");

-- CreateTable
CREATE TABLE "financing_quote" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "request_id" TEXT NOT NULL,
    "financier" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "receivable_id" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "advance" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "repayment" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "expiry" BIGINT NOT NULL,
    "nonce" TEXT NOT NULL,
    "quote_hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "supersedes" TEXT,
    "accepted_tx_hash" TEXT,
    "created_at_ms" BIGINT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "financing_quote_quote_hash_key" ON "financing_quote"("quote_hash");

-- CreateIndex
CREATE INDEX "financing_quote_request_id_idx" ON "financing_quote"("request_id");

-- CreateIndex
CREATE INDEX "financing_quote_financier_status_idx" ON "financing_quote"("financier", "status");

-- CreateTable
CREATE TABLE "audit_log" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at_ms" BIGINT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "tx_hash" TEXT,
    "detail" TEXT
);

-- CreateIndex
CREATE INDEX "audit_log_at_ms_idx" ON "audit_log"("at_ms");
