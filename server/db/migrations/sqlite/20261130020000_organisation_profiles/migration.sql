-- Issue 12 item 1: organisation profiles (the settlement bank account sealed with AES-256-GCM), their
-- onboarding state, and their content-addressed KYC documents.

-- CreateTable
CREATE TABLE "organisation_profile" (
    "address" TEXT NOT NULL PRIMARY KEY,
    "role" TEXT NOT NULL,
    "legal_name_zh" TEXT NOT NULL,
    "legal_name_en" TEXT,
    "credit_code" TEXT NOT NULL,
    "registered_address" TEXT NOT NULL,
    "contact" TEXT NOT NULL,
    "bank_account_sealed" TEXT NOT NULL,
    "search_text" TEXT NOT NULL,
    "kyc_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "applied_by" TEXT NOT NULL,
    "applied_at_ms" BIGINT NOT NULL,
    "decided_by" TEXT,
    "decided_at_ms" BIGINT,
    "rejection_reason" TEXT,
    "registration_tx_hash" TEXT,
    "updated_at_ms" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "kyc_document" (
    "address" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" INTEGER,
    "stored_path" TEXT,
    "uploaded_at_ms" BIGINT,

    PRIMARY KEY ("address", "hash")
);

-- CreateIndex
CREATE INDEX "organisation_profile_credit_code_idx" ON "organisation_profile"("credit_code");

-- CreateIndex
CREATE INDEX "organisation_profile_status_idx" ON "organisation_profile"("status");
