-- The indexer records how many confirmations it waits for, so that every API process answers a write
-- with the block at which the read views will include it (issue 14 item 4), from the indexer it follows
-- rather than from a setting of its own that could disagree.
ALTER TABLE "indexer_state" ADD COLUMN "confirmations" INTEGER NOT NULL DEFAULT 0;
