-- Issue 8 item 3 (F3): a registration is keyed by supplier and invoice hash, as the ledger keys it, so
-- the invoice projection has one row per registration (id = supplier:invoice_hash) and carries the
-- invoice number's hash; each supplier's registration of a hash has its own document record.
-- SQLite cannot change a primary key in place: both tables are rebuilt.

CREATE TABLE "new_invoice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "invoice_hash" TEXT NOT NULL,
    "invoice_number_hash" TEXT,
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
    "updated_block" BIGINT NOT NULL
);
INSERT INTO "new_invoice" ("id", "invoice_hash", "supplier", "debtor", "currency", "amount", "maturity", "status", "reject_reason", "root_id", "confirmation_nonce", "registered_block", "confirmed_block", "confirmed_tx_hash", "updated_block")
SELECT "supplier" || ':' || "invoice_hash", "invoice_hash", "supplier", "debtor", "currency", "amount", "maturity", "status", "reject_reason", "root_id", "confirmation_nonce", "registered_block", "confirmed_block", "confirmed_tx_hash", "updated_block" FROM "invoice";
DROP TABLE "invoice";
ALTER TABLE "new_invoice" RENAME TO "invoice";
CREATE INDEX "invoice_invoice_hash_idx" ON "invoice"("invoice_hash");
CREATE INDEX "invoice_supplier_idx" ON "invoice"("supplier");
CREATE INDEX "invoice_debtor_status_idx" ON "invoice"("debtor", "status");
CREATE TABLE "new_invoice_document" (
    "invoice_hash" TEXT NOT NULL,
    "supplier" TEXT NOT NULL,
    "debtor" TEXT NOT NULL,
    "invoice_number" TEXT NOT NULL,
    "metadata" TEXT NOT NULL,
    "content_type" TEXT,
    "size_bytes" INTEGER,
    "stored_path" TEXT,
    "created_at_ms" BIGINT NOT NULL,
    "uploaded_at_ms" BIGINT,

    PRIMARY KEY ("invoice_hash", "supplier")
);
INSERT INTO "new_invoice_document" ("invoice_hash", "supplier", "debtor", "invoice_number", "metadata", "content_type", "size_bytes", "stored_path", "created_at_ms", "uploaded_at_ms")
SELECT "invoice_hash", "supplier", "debtor", "invoice_number", "metadata", "content_type", "size_bytes", "stored_path", "created_at_ms", "uploaded_at_ms" FROM "invoice_document";
DROP TABLE "invoice_document";
ALTER TABLE "new_invoice_document" RENAME TO "invoice_document";
CREATE INDEX "invoice_document_supplier_idx" ON "invoice_document"("supplier");
CREATE INDEX "invoice_document_debtor_idx" ON "invoice_document"("debtor");
