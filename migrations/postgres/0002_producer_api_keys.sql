-- Who may write: producer-api's keys (lib/src/api-keys/). Only the SHA-256 digest of a key is
-- stored; `key_id` is the public part of the key (`pak_<key_id>_<secret>`). producer-api
-- reads the keys not revoked every API_KEYS_REFRESH_MS and serves from memory.
CREATE TABLE producer_api_keys (
  key_id     text        PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
  name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  key_hash   bytea       NOT NULL CHECK (octet_length(key_hash) = 32),
  -- The event `service` values the key may write: names, `prefix*`, or `*` for any.
  services   text[]      NOT NULL CHECK (cardinality(services) > 0),
  -- Requests per second for this key, across every producer-api instance; NULL: API_KEY_RATE_LIMIT.
  rate_limit integer     CHECK (rate_limit > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
