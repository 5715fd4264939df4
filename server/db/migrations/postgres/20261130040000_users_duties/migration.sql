-- Issue 12 item 2: people and duties inside an organisation (maker-checker). Users with duties, API keys
-- and sessions that belong to a user, each organisation's approval thresholds, prepared actions waiting
-- for a checker, and the user of each audit-log step.

-- CreateTable
CREATE TABLE "organisation_user" (
    "id" TEXT NOT NULL,
    "organisation" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "duties" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at_ms" BIGINT NOT NULL,
    "disabled_at_ms" BIGINT,

    CONSTRAINT "organisation_user_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "organisation_user_organisation_idx" ON "organisation_user"("organisation");

-- CreateTable
CREATE TABLE "approval_policy" (
    "organisation" TEXT NOT NULL,
    "thresholds" TEXT NOT NULL,
    "approval_window_seconds" INTEGER NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at_ms" BIGINT NOT NULL,

    CONSTRAINT "approval_policy_pkey" PRIMARY KEY ("organisation")
);

-- CreateTable
CREATE TABLE "prepared_action" (
    "id" TEXT NOT NULL,
    "organisation" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "request" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "prepared_by" TEXT NOT NULL,
    "prepared_at_ms" BIGINT NOT NULL,
    "expires_at_ms" BIGINT NOT NULL,
    "approved_by" TEXT,
    "approved_at_ms" BIGINT,
    "rejected_by" TEXT,
    "rejected_at_ms" BIGINT,
    "reason" TEXT,
    "result" TEXT,
    "tx_hash" TEXT,
    "executed_at_ms" BIGINT,

    CONSTRAINT "prepared_action_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "prepared_action_organisation_status_idx" ON "prepared_action"("organisation", "status");

-- CreateIndex
CREATE INDEX "prepared_action_organisation_prepared_at_ms_idx" ON "prepared_action"("organisation", "prepared_at_ms");

-- AlterTable
ALTER TABLE "api_key" ADD COLUMN "user_id" TEXT;

-- CreateIndex
CREATE INDEX "api_key_user_id_idx" ON "api_key"("user_id");

-- AlterTable
ALTER TABLE "api_session" ADD COLUMN "user_id" TEXT;

-- AlterTable
ALTER TABLE "audit_log" ADD COLUMN "user_id" TEXT;

-- Every organisation key issued before users existed becomes its own user, with the duties the key had:
-- an admin key every duty, any other key those of everything but administration (it could not issue
-- keys). Existing clients keep working unchanged; an admin then names real people and narrows duties.
INSERT INTO "organisation_user" ("id", "organisation", "name", "duties", "created_by", "created_at_ms", "disabled_at_ms")
SELECT 'usr_' || "id", "organisation", "label",
       CASE WHEN "admin" THEN 'admin,maker,checker,viewer' ELSE 'maker,checker,viewer' END,
       'migration', "created_at_ms", "revoked_at_ms"
  FROM "api_key" WHERE "subject_kind" = 'ORGANISATION' AND "organisation" IS NOT NULL;

UPDATE "api_key" SET "user_id" = 'usr_' || "id" WHERE "subject_kind" = 'ORGANISATION' AND "organisation" IS NOT NULL;

-- Sessions opened from those keys carry on as their user; any other organisation session (a wallet or
-- demo sign-in, at most API_SESSION_TTL_SECONDS old) signs in again.
UPDATE "api_session" SET "user_id" = 'usr_' || substr("credential_id", 5) WHERE "subject_kind" = 'ORGANISATION' AND "credential_id" LIKE 'key:%';
DELETE FROM "api_session" WHERE "subject_kind" = 'ORGANISATION' AND "user_id" IS NULL;
