-- The projector's invalidation outbox: a row per user whose read-model row a committed fold
-- changed and whose cache entry may not be dropped yet. Written in the fold's transaction,
-- deleted once the entry is dropped from Redis; what a projector killed (or Redis unreachable)
-- between the commit and the drop leaves behind is dropped by the next drain
-- (consumer/src/projector/invalidations.ts). `token` is the writing batch's: a later batch that
-- marks the user again replaces it, so the earlier batch's delete leaves the newer mark alone.
CREATE TABLE IF NOT EXISTS cache_invalidations (
  user_id  BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  token    BINARY(8)       NOT NULL
) ENGINE=InnoDB;
