-- Issue 8 item 3 (F3): a registration is keyed by supplier and invoice hash, as the ledger keys it, so
-- the invoice projection has one row per registration (id = supplier:invoice_hash) and carries the
-- invoice number's hash; each supplier's registration of a hash has its own document record.

-- AlterTable
ALTER TABLE "invoice" ADD COLUMN "id" TEXT;
UPDATE "invoice" SET "id" = "supplier" || ':' || "invoice_hash";
ALTER TABLE "invoice" ALTER COLUMN "id" SET NOT NULL;
ALTER TABLE "invoice" DROP CONSTRAINT "invoice_pkey";
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_pkey" PRIMARY KEY ("id");
ALTER TABLE "invoice" ADD COLUMN "invoice_number_hash" TEXT;

-- CreateIndex
CREATE INDEX "invoice_invoice_hash_idx" ON "invoice"("invoice_hash");

-- AlterTable
ALTER TABLE "invoice_document" DROP CONSTRAINT "invoice_document_pkey";
ALTER TABLE "invoice_document" ADD CONSTRAINT "invoice_document_pkey" PRIMARY KEY ("invoice_hash", "supplier");
