-- The read model of user-recap-projector: one row per user, folded from trx.* events exactly
-- once. Amounts are in minor units (cents); times are UTC. Rebuildable from the log at any time
-- (docs/read-model.md).
CREATE TABLE IF NOT EXISTS user_recap_data (
  user_id          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  trx_count        INT UNSIGNED    NOT NULL DEFAULT 0,
  total_amount     BIGINT          NOT NULL DEFAULT 0 COMMENT 'sum of trx.created amounts',
  refund_count     INT UNSIGNED    NOT NULL DEFAULT 0,
  refunded_amount  BIGINT          NOT NULL DEFAULT 0 COMMENT 'sum of trx.refunded amounts',
  first_trx_at     DATETIME(6)     NULL,
  last_trx_at      DATETIME(6)     NULL,
  top_category     VARCHAR(255)    NULL COMMENT 'the category with the most transactions (ties: larger amount, then name)',
  updated_at       TIMESTAMP(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- Per-category totals behind top_category.
CREATE TABLE IF NOT EXISTS user_recap_categories (
  user_id    BIGINT UNSIGNED NOT NULL,
  category   VARCHAR(255)    NOT NULL,
  trx_count  INT UNSIGNED    NOT NULL DEFAULT 0,
  amount     BIGINT          NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, category)
) ENGINE=InnoDB;

-- Event ids already folded: a client's retry can put one event in the log twice.
CREATE TABLE IF NOT EXISTS user_recap_applied (
  event_id    BINARY(16)      NOT NULL PRIMARY KEY,
  user_id     BIGINT UNSIGNED NOT NULL,
  applied_at  TIMESTAMP(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- The projector's position per partition, written in the same transaction as what it covers.
CREATE TABLE IF NOT EXISTS projector_offsets (
  consumer_group  VARCHAR(255) NOT NULL,
  topic           VARCHAR(255) NOT NULL,
  partition_id    INT          NOT NULL,
  next_offset     BIGINT       NOT NULL,
  updated_at      TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (consumer_group, topic, partition_id)
) ENGINE=InnoDB;
