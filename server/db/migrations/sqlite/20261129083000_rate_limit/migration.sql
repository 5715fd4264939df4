-- The API's rate-limit windows (used on PostgreSQL, where several API processes share them; the
-- single SQLite API process counts in memory). Kept in both dialects so the schema is one.

-- CreateTable
CREATE TABLE "rate_limit_window" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "window_start" BIGINT NOT NULL,
    "hits" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "rate_limit_window_window_start_idx" ON "rate_limit_window"("window_start");
