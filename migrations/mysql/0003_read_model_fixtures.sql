-- Fixtures loaded straight into the read model rather than folded from the log
-- (npm run generate:test-data): which users, from which seed, and which of them are loaded, so
-- that a second run neither duplicates nor fails, an interrupted one resumes, and
-- read-model:rebuild can load the same rows again (docs/read-model.md, "Generated users").
CREATE TABLE IF NOT EXISTS read_model_fixtures (
  name          VARCHAR(64)     NOT NULL PRIMARY KEY,
  seed          BIGINT          NOT NULL,
  generator     INT             NOT NULL COMMENT 'version of the generator: the same seed and version make the same rows',
  users         BIGINT UNSIGNED NOT NULL COMMENT 'the fixture is users 1..users',
  started_at    TIMESTAMP(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  completed_at  TIMESTAMP(6)    NULL
) ENGINE=InnoDB;

-- The ranges of a fixture's users that are loaded, each written in the transaction that loaded it.
CREATE TABLE IF NOT EXISTS read_model_fixture_chunks (
  name        VARCHAR(64)     NOT NULL,
  first_user  BIGINT UNSIGNED NOT NULL,
  last_user   BIGINT UNSIGNED NOT NULL,
  loaded_at   TIMESTAMP(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (name, first_user)
) ENGINE=InnoDB;
