import {
  deepFreeze, int, invalidConfig, parseEnv, parseKafkaConfig, parseLogConfig, parseMysqlConfig, parsePostgresConfig, parseRedisConfig,
  parseSchemaRegistryUrl, positiveInt, str,
  type Env, type KafkaConfig, type LogConfig, type MysqlConfig, type PostgresConfig, type RedisConfig,
} from '../../lib/src/config.js'

/** One consumer group whose position lives in its own database (SINK_* or PROJECTOR_* variables). */
export interface GroupConfig {
  readonly groupId: string
  /** Partitions whose batches are written at once (each on its own database connection). */
  readonly concurrency: number
  readonly maxBytesPerPartition: number
  /** A fetch waits for this many bytes (or fetchMaxWaitMs): fewer, larger transactions. */
  readonly fetchMinBytes: number
  readonly fetchMaxWaitMs: number
  readonly retryMinMs: number
  readonly retryMaxMs: number
  readonly sessionTimeoutMs: number
}

interface ProcessSection {
  readonly kafka: KafkaConfig
  readonly log: LogConfig
  readonly shutdownTimeoutMs: number
  /** Where GET /metrics and GET /health listen (port 0: any free port). */
  readonly metrics: { readonly host: string; readonly port: number }
  readonly schemaRegistryUrl: string | undefined
}

export interface ConsumerConfig extends ProcessSection {
  readonly postgres: PostgresConfig
  readonly sink: GroupConfig
}

export interface ProjectorConfig extends ProcessSection {
  readonly mysql: MysqlConfig
  readonly redis: RedisConfig
  readonly projector: GroupConfig
  /** How long folded event ids are kept to recognise a client's retry, and how often they are pruned. */
  readonly dedupe: { readonly retentionSeconds: number; readonly pruneIntervalMs: number }
  /** How often the invalidation outbox is drained (./projector/invalidations.ts). */
  readonly invalidationDrainMs: number
}

export function parseGroupConfig(env: Env, prefix: 'SINK' | 'PROJECTOR', defaultGroupId: string): GroupConfig {
  const name = (suffix: string) => `${prefix}_${suffix}`
  const ints = parseEnv(env, {
    [name('CONCURRENCY')]: positiveInt({ default: 3 }),
    [name('MAX_BYTES_PER_PARTITION')]: positiveInt({ default: 2 * 1024 * 1024 }),
    [name('FETCH_MIN_BYTES')]: positiveInt({ default: 256 * 1024 }),
    [name('FETCH_MAX_WAIT_MS')]: positiveInt({ default: 250 }),
    [name('RETRY_MIN_MS')]: positiveInt({ default: 200 }),
    [name('RETRY_MAX_MS')]: positiveInt({ default: 10_000 }),
    [name('SESSION_TIMEOUT_MS')]: positiveInt({ default: 30_000 }),
  }) as Readonly<Record<string, number>>
  const { [name('GROUP_ID')]: groupId } = parseEnv(env, { [name('GROUP_ID')]: str({ default: defaultGroupId }) }) as Readonly<Record<string, string>>
  const get = (suffix: string): number => {
    const value = ints[name(suffix)]
    if (value === undefined) throw new Error(`${name(suffix)} has no value`) // unreachable: every one has a default
    return value
  }
  return {
    groupId: groupId ?? defaultGroupId,
    concurrency: get('CONCURRENCY'),
    maxBytesPerPartition: get('MAX_BYTES_PER_PARTITION'),
    fetchMinBytes: get('FETCH_MIN_BYTES'),
    fetchMaxWaitMs: get('FETCH_MAX_WAIT_MS'),
    retryMinMs: get('RETRY_MIN_MS'),
    retryMaxMs: get('RETRY_MAX_MS'),
    sessionTimeoutMs: get('SESSION_TIMEOUT_MS'),
  }
}

/** `metricsPortVariable`: each process kind has its own, so that one environment can start both. */
function parseProcessSection(env: Env, clientId: string, metricsPortVariable: string, defaultMetricsPort: number): ProcessSection {
  const e = parseEnv(env, {
    SHUTDOWN_TIMEOUT_MS: positiveInt({ default: 20_000 }),
    METRICS_HOST: str({ default: '127.0.0.1' }),
  })
  const { [metricsPortVariable]: metricsPort = defaultMetricsPort } = parseEnv(env, {
    [metricsPortVariable]: int({ default: defaultMetricsPort }),
  }) as Readonly<Record<string, number>>
  if (metricsPort < 0 || metricsPort > 65535) throw invalidConfig(metricsPortVariable, `must be 0–65535, got ${metricsPort}`)
  return {
    kafka: parseKafkaConfig(env, clientId),
    log: parseLogConfig(env),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metrics: { host: e.METRICS_HOST, port: metricsPort },
    schemaRegistryUrl: parseSchemaRegistryUrl(env),
  }
}

/** events-pg-sink. */
export function parseConsumerConfig(env: Env): Readonly<ConsumerConfig> {
  const sink = parseGroupConfig(env, 'SINK', 'events-pg-sink')
  const postgres = parsePostgresConfig(env)
  return deepFreeze({
    ...parseProcessSection(env, 'consumer', 'METRICS_PORT', 9464),
    // One connection per concurrently written partition, plus one spare.
    postgres: { ...postgres, poolMax: Math.max(postgres.poolMax, sink.concurrency + 1) },
    sink,
  })
}

/** user-recap-projector. */
export function parseProjectorConfig(env: Env): Readonly<ProjectorConfig> {
  const projector = parseGroupConfig(env, 'PROJECTOR', 'user-recap-projector')
  const mysql = parseMysqlConfig(env)
  const e = parseEnv(env, {
    PROJECTOR_DEDUPE_RETENTION_SECONDS: positiveInt({ default: 7 * 24 * 3600 }),
    PROJECTOR_PRUNE_INTERVAL_MS: positiveInt({ default: 10 * 60_000 }),
    PROJECTOR_INVALIDATION_DRAIN_MS: positiveInt({ default: 5000 }),
  })
  return deepFreeze({
    dedupe: { retentionSeconds: e.PROJECTOR_DEDUPE_RETENTION_SECONDS, pruneIntervalMs: e.PROJECTOR_PRUNE_INTERVAL_MS },
    invalidationDrainMs: e.PROJECTOR_INVALIDATION_DRAIN_MS,
    ...parseProcessSection(env, 'projector', 'PROJECTOR_METRICS_PORT', 9465),
    mysql: { ...mysql, poolMax: Math.max(mysql.poolMax, projector.concurrency + 1) },
    redis: parseRedisConfig(env),
    projector,
  })
}
