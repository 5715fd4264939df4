-- Issue 13: risk-sharing programmes, their parties, and enrolled financings (RiskProgramme's events).

-- CreateTable
CREATE TABLE "risk_programme" (
    "id" TEXT NOT NULL,
    "admin" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "coverage_bps" INTEGER,
    "subsidy_bps" INTEGER,
    "subsidy_to_financier" BOOLEAN NOT NULL DEFAULT false,
    "cap_per_financing" TEXT,
    "cap_per_enterprise" TEXT,
    "cap_per_financier" TEXT,
    "waiting_period" INTEGER,
    "claim_window" INTEGER,
    "balance" TEXT NOT NULL,
    "reserved" TEXT NOT NULL,
    "paid_in" TEXT NOT NULL,
    "subsidies_paid" TEXT NOT NULL,
    "compensation_paid" TEXT NOT NULL,
    "recovered" TEXT NOT NULL,
    "created_block" BIGINT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "risk_programme_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "risk_position" (
    "id" TEXT NOT NULL,
    "programme_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "party" TEXT NOT NULL,
    "committed" TEXT NOT NULL DEFAULT '0',
    "paid_in" TEXT NOT NULL DEFAULT '0',
    "quota" TEXT NOT NULL DEFAULT '0',
    "valid_from" BIGINT,
    "valid_until" BIGINT,
    "certificate_hash" TEXT,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "risk_position_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "risk_position_programme_id_idx" ON "risk_position"("programme_id");

-- CreateIndex
CREATE INDEX "risk_position_party_idx" ON "risk_position"("party");

-- CreateTable
CREATE TABLE "risk_enrolment" (
    "financed_id" TEXT NOT NULL,
    "programme_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "financier" TEXT NOT NULL,
    "supplier" TEXT NOT NULL,
    "obligor" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "advance" TEXT NOT NULL,
    "repayment" TEXT NOT NULL,
    "maturity" BIGINT NOT NULL,
    "enrolled_at" BIGINT NOT NULL,
    "coverage" TEXT NOT NULL,
    "subsidy" TEXT NOT NULL,
    "subsidy_recipient" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "subsidy_paid" TEXT NOT NULL,
    "loss" TEXT NOT NULL,
    "compensation" TEXT NOT NULL,
    "recovered" TEXT NOT NULL,
    "pool_share" TEXT NOT NULL,
    "enrolment" TEXT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "updated_block" BIGINT NOT NULL,

    CONSTRAINT "risk_enrolment_pkey" PRIMARY KEY ("financed_id")
);

-- CreateIndex
CREATE INDEX "risk_enrolment_programme_id_idx" ON "risk_enrolment"("programme_id");

-- CreateIndex
CREATE INDEX "risk_enrolment_financier_idx" ON "risk_enrolment"("financier");

-- CreateIndex
CREATE INDEX "risk_enrolment_supplier_idx" ON "risk_enrolment"("supplier");

