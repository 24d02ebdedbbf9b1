-- The projector prunes folded event ids older than PROJECTOR_DEDUPE_RETENTION_SECONDS by applied_at.
CREATE INDEX IF NOT EXISTS user_recap_applied_at_idx ON user_recap_applied (applied_at);
