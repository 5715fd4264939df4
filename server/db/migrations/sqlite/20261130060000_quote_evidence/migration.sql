-- Issue 12 item 6: a financier's due-diligence decision record per quote, whose keccak256 is signed in
-- the quote (`evidenceHash`) and emitted with its acceptance. Quotes and financings from before carry none.
ALTER TABLE "financing_quote" ADD COLUMN "evidence_hash" TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000000000000000000000000000';
ALTER TABLE "financing_execution" ADD COLUMN "evidence_hash" TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000000000000000000000000000';

-- CreateTable
CREATE TABLE "quote_evidence" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "request_id" TEXT NOT NULL,
    "financier" TEXT NOT NULL,
    "evidence_hash" TEXT NOT NULL,
    "record" TEXT NOT NULL,
    "quote_id" TEXT,
    "created_at_ms" BIGINT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "quote_evidence_quote_id_key" ON "quote_evidence"("quote_id");

-- CreateIndex
CREATE INDEX "quote_evidence_financier_idx" ON "quote_evidence"("financier");

-- CreateIndex
CREATE INDEX "quote_evidence_evidence_hash_idx" ON "quote_evidence"("evidence_hash");
