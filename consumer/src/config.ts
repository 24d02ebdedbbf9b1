import {
  deepFreeze, int, invalidConfig, parseEnv, parseKafkaConfig, parseLogConfig, parsePostgresConfig, parseSchemaRegistryUrl, positiveInt, str,
  type Env, type KafkaConfig, type LogConfig, type PostgresConfig,
} from '../../lib/src/config.js'

export interface SinkConfig {
  readonly groupId: string
  /** Partitions whose batches are written at once (each on its own Postgres connection). */
  readonly concurrency: number
  readonly maxBytesPerPartition: number
  /** A fetch waits for this many bytes (or maxWaitMs): fewer, larger Postgres transactions. */
  readonly fetchMinBytes: number
  readonly fetchMaxWaitMs: number
  readonly retryMinMs: number
  readonly retryMaxMs: number
  readonly sessionTimeoutMs: number
}

export interface ConsumerConfig {
  readonly kafka: KafkaConfig
  readonly postgres: PostgresConfig
  readonly sink: SinkConfig
  readonly log: LogConfig
  readonly shutdownTimeoutMs: number
  /** Where GET /metrics and GET /health listen (port 0: any free port). */
  readonly metrics: { readonly host: string; readonly port: number }
  readonly schemaRegistryUrl: string | undefined
}

export function parseConsumerConfig(env: Env): Readonly<ConsumerConfig> {
  const e = parseEnv(env, {
    SINK_GROUP_ID: str({ default: 'events-pg-sink' }),
    SINK_CONCURRENCY: positiveInt({ default: 3 }),
    SINK_MAX_BYTES_PER_PARTITION: positiveInt({ default: 2 * 1024 * 1024 }),
    SINK_FETCH_MIN_BYTES: positiveInt({ default: 64 * 1024 }),
    SINK_FETCH_MAX_WAIT_MS: positiveInt({ default: 50 }),
    SINK_RETRY_MIN_MS: positiveInt({ default: 200 }),
    SINK_RETRY_MAX_MS: positiveInt({ default: 10_000 }),
    SINK_SESSION_TIMEOUT_MS: positiveInt({ default: 30_000 }),
    SHUTDOWN_TIMEOUT_MS: positiveInt({ default: 20_000 }),
    METRICS_HOST: str({ default: '127.0.0.1' }),
    METRICS_PORT: int({ default: 9464 }),
  })
  if (e.METRICS_PORT < 0 || e.METRICS_PORT > 65535) throw invalidConfig('METRICS_PORT', `must be 0–65535, got ${e.METRICS_PORT}`)
  const sink: SinkConfig = {
    groupId: e.SINK_GROUP_ID,
    concurrency: e.SINK_CONCURRENCY,
    maxBytesPerPartition: e.SINK_MAX_BYTES_PER_PARTITION,
    fetchMinBytes: e.SINK_FETCH_MIN_BYTES,
    fetchMaxWaitMs: e.SINK_FETCH_MAX_WAIT_MS,
    retryMinMs: e.SINK_RETRY_MIN_MS,
    retryMaxMs: e.SINK_RETRY_MAX_MS,
    sessionTimeoutMs: e.SINK_SESSION_TIMEOUT_MS,
  }
  const postgres = parsePostgresConfig(env)
  return deepFreeze({
    kafka: parseKafkaConfig(env, 'consumer'),
    // One connection per concurrently written partition, plus one spare.
    postgres: { ...postgres, poolMax: Math.max(postgres.poolMax, sink.concurrency + 1) },
    sink,
    log: parseLogConfig(env),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    schemaRegistryUrl: parseSchemaRegistryUrl(env),
  })
}
