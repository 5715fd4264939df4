-- Issue 12 item 4: the registration number and date a financier obtained for a financing in the PBOC
-- movable-property financing registry.

-- CreateTable
CREATE TABLE "financing_registration" (
    "quote_hash" TEXT NOT NULL PRIMARY KEY,
    "financier" TEXT NOT NULL,
    "registration_number" TEXT NOT NULL,
    "registered_on" TEXT NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "recorded_at_ms" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "financing_registration_financier_idx" ON "financing_registration"("financier");
