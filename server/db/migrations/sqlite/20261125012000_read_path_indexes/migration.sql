-- The API's read paths: a holder's receivables paged by id, and a lineage tree's receivables and
-- history in order, each a range scan of one index instead of a lookup followed by a sort. The two
-- root_id indexes are replaced by the wider ones, which serve every query the old ones served.

-- DropIndex
DROP INDEX "receivable_root_id_idx";

-- DropIndex
DROP INDEX "receivable_history_root_id_idx";

-- CreateIndex
CREATE INDEX "receivable_holder_id_idx" ON "receivable"("holder", "id");

-- CreateIndex
CREATE INDEX "receivable_root_id_id_idx" ON "receivable"("root_id", "id");

-- CreateIndex
CREATE INDEX "receivable_history_root_id_block_number_log_index_idx" ON "receivable_history"("root_id", "block_number", "log_index");
