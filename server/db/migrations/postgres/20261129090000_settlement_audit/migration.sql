-- Issue 8 (settlement side): each financier's own exposure limit per obligor and its outstanding
-- financed face; balances the vault credited because a currency refused to deliver them; and whether a
-- pool whose trees were marked overdue was later cured by a deposit that completed it.

-- AlterTable
ALTER TABLE "repayment_pool" ADD COLUMN "cured" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "exposure" (
    "id" TEXT NOT NULL,
    "financier" TEXT NOT NULL,
    "obligor" TEXT NOT NULL,
    "exposure_limit" TEXT NOT NULL,
    "outstanding" TEXT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "exposure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "exposure_financier_idx" ON "exposure"("financier");

-- CreateIndex
CREATE INDEX "exposure_obligor_idx" ON "exposure"("obligor");

-- CreateTable
CREATE TABLE "payment_credit" (
    "id" TEXT NOT NULL,
    "payee" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "balance" TEXT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "payment_credit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payment_credit_payee_idx" ON "payment_credit"("payee");
