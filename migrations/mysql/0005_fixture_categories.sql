-- Generated users (npm run generate:test-data) carry their per-category base in one column of
-- their row instead of 1-4 rows of user_recap_categories each: 10 M users are 10 M rows to
-- load, not 30 M (LOAD DATA of the rows was the load's whole cost). The projector turns the
-- column into user_recap_categories rows the first time it folds an event for the user
-- (consumer/src/projector/fixture.ts), so top_category is recomputed from the same table as
-- for every other user. NULL for every user the fixture did not make, and once materialized.
-- Format: a JSON array of [category, trx_count, net amount] triples.
ALTER TABLE user_recap_data ADD COLUMN fixture_categories VARCHAR(1024) NULL DEFAULT NULL
  COMMENT 'generated users only: per-category base, JSON [[category, trx_count, amount], ...], until the projector materializes it';
