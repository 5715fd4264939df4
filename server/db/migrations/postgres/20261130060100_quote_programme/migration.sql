-- Issue 13: a quote placed through the API may ask to enrol its financing in a risk-sharing programme.
-- Quotes from before asked for none.
ALTER TABLE "financing_quote" ADD COLUMN "programme_id" TEXT NOT NULL DEFAULT '0';
