-- Contract audit (issue 8): a core enterprise's credit line, which any financier could overwrite, became
-- its issuance limit, set by the operator alone (no grantor); a freeze became a dispute with an owner and
-- an end (the latest dispute per tree, and when a debtor's dispute lapses).

-- RenameTable
ALTER TABLE "credit_line" RENAME TO "issuance_limit";

-- RenameColumn
ALTER TABLE "issuance_limit" RENAME COLUMN "credit_limit" TO "issuance_limit";

-- RenameColumn
ALTER TABLE "issuance_limit" RENAME COLUMN "used" TO "issued";

-- DropColumn
ALTER TABLE "issuance_limit" DROP COLUMN "grantor";

-- AddColumn
ALTER TABLE "receivable_root" ADD COLUMN "frozen_until" BIGINT;

-- CreateTable
CREATE TABLE "dispute" (
    "root_id" TEXT NOT NULL PRIMARY KEY,
    "raiser" TEXT NOT NULL,
    "evidence_hash" TEXT NOT NULL,
    "raised_at" BIGINT NOT NULL,
    "expires_at" BIGINT,
    "status" TEXT NOT NULL,
    "resolved_by" TEXT,
    "raised_block" BIGINT NOT NULL,
    "updated_block" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "dispute_status_idx" ON "dispute"("status");
