-- The append-only event store, written by the events-pg-sink consumer with COPY.
CREATE TABLE events (
  event_id        uuid        PRIMARY KEY,
  service         text        NOT NULL,
  event_type      text        NOT NULL,
  schema_version  integer     NOT NULL,
  schema_id       integer     NOT NULL,
  user_id         bigint,
  occurred_at     timestamptz NOT NULL,
  received_at     timestamptz NOT NULL,
  kafka_partition integer     NOT NULL,
  kafka_offset    bigint      NOT NULL,
  payload         jsonb       NOT NULL,
  stored_at       timestamptz NOT NULL DEFAULT now()
);

-- Counting and filtering by service (the load test's verification: service LIKE 'prefix-%').
CREATE INDEX events_service_idx ON events (service text_pattern_ops);

-- The sink's position: the next offset to read per (group, topic, partition), written in the
-- same transaction as the rows it covers. This is the source of truth on assignment.
CREATE TABLE sink_offsets (
  consumer_group text        NOT NULL,
  topic          text        NOT NULL,
  partition      integer     NOT NULL,
  next_offset    bigint      NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);
