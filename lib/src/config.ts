/**
 * Configuration: environment variables parsed once, at start, into frozen typed objects.
 * A bad value throws PIPELINE_CONFIG_INVALID naming every offending variable; only a
 * deployable's main.ts reads process.env and passes it here.
 */
import { bool, cleanEnv, makeValidator, num, port, str, url, type CleanedEnv, type ValidatorSpec } from 'envalid'
import { PipelineError } from './errors.js'

export type Env = Readonly<Record<string, string | undefined>>

export const int = makeValidator<number>((input: string) => {
  const value = Number(input)
  if (!Number.isSafeInteger(value)) throw new Error(`expected an integer, got "${input}"`)
  return value
})

export const positiveInt = makeValidator<number>((input: string) => {
  const value = Number(input)
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`expected a positive integer, got "${input}"`)
  return value
})

/** A replication factor: a positive integer, or `auto` (decided from the cluster's size). */
export const replicas = makeValidator<number | 'auto'>((input: string) => {
  if (input === 'auto') return 'auto'
  const value = Number(input)
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`expected a positive integer or auto, got "${input}"`)
  return value
})

export const list = makeValidator<readonly string[]>((input: string) => {
  const items = input.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  if (items.length === 0) throw new Error('expected a comma-separated list')
  return items
})

/** PIPELINE_CONFIG_INVALID for one variable, in the same shape parseEnv reports. */
export function invalidConfig(variable: string, message: string): PipelineError {
  return new PipelineError('PIPELINE_CONFIG_INVALID', `invalid configuration: ${variable}: ${message}`, {
    errors: [{ path: variable, message }],
  })
}

/** Validates `env` against `specs`; collects every failure into one PIPELINE_CONFIG_INVALID. */
export function parseEnv<S extends Record<string, ValidatorSpec<unknown>>>(env: Env, specs: S): CleanedEnv<S> {
  return cleanEnv(env, specs, {
    reporter: ({ errors }) => {
      const names = Object.keys(errors)
      if (names.length === 0) return
      const detail = names.map((name) => `${name}: ${errors[name]?.message ?? 'invalid'}`).join('; ')
      throw new PipelineError('PIPELINE_CONFIG_INVALID', `invalid configuration: ${detail}`, {
        errors: names.map((name) => ({ path: name, message: errors[name]?.message ?? 'invalid' })),
      })
    },
  })
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

// ------------------------------------------------------------------ shared sections

export interface KafkaConfig {
  readonly brokers: readonly string[]
  readonly clientId: string
  readonly topic: string
  readonly dlqTopic: string
  readonly partitions: number
  /** A number, or 'auto': as many replicas as brokers, up to 3, when the topics are created (lib/src/kafka/topics.ts). */
  readonly replicationFactor: number | 'auto'
  /** Unset: 2, or the replication factor if it is smaller (an acks=all write then needs two copies). */
  readonly minInsyncReplicas: number | undefined
  readonly retentionMs: number
  readonly maxMessageBytes: number
  readonly connectionTimeoutMs: number
  readonly requestTimeoutMs: number
}

export function parseKafkaConfig(env: Env, clientId: string): KafkaConfig {
  const e = parseEnv(env, {
    KAFKA_BROKERS: list({ default: ['127.0.0.1:9092'], desc: 'comma-separated bootstrap brokers' }),
    KAFKA_CLIENT_ID: str({ default: clientId }),
    KAFKA_TOPIC: str({ default: 'events' }),
    KAFKA_DLQ_TOPIC: str({ default: '' }),
    KAFKA_TOPIC_PARTITIONS: positiveInt({ default: 6 }),
    KAFKA_REPLICATION_FACTOR: replicas({ default: 'auto', desc: 'a positive integer, or auto: min(3, brokers)' }),
    KAFKA_MIN_INSYNC_REPLICAS: positiveInt({ default: undefined }),
    KAFKA_RETENTION_MS: int({ default: 7 * 24 * 3600 * 1000, desc: '-1 keeps records forever' }),
    KAFKA_MAX_MESSAGE_BYTES: positiveInt({ default: 4 * 1024 * 1024 }),
    KAFKA_CONNECTION_TIMEOUT_MS: positiveInt({ default: 3000 }),
    KAFKA_REQUEST_TIMEOUT_MS: positiveInt({ default: 10_000 }),
  })
  const replicationFactor = e.KAFKA_REPLICATION_FACTOR
  if (replicationFactor !== 'auto' && e.KAFKA_MIN_INSYNC_REPLICAS !== undefined && e.KAFKA_MIN_INSYNC_REPLICAS > replicationFactor) {
    throw invalidConfig('KAFKA_MIN_INSYNC_REPLICAS', `must not exceed KAFKA_REPLICATION_FACTOR (${replicationFactor}), got ${e.KAFKA_MIN_INSYNC_REPLICAS}`)
  }
  return {
    brokers: e.KAFKA_BROKERS,
    clientId: e.KAFKA_CLIENT_ID,
    topic: e.KAFKA_TOPIC,
    dlqTopic: e.KAFKA_DLQ_TOPIC === '' ? `${e.KAFKA_TOPIC}.dlq` : e.KAFKA_DLQ_TOPIC,
    partitions: e.KAFKA_TOPIC_PARTITIONS,
    replicationFactor,
    minInsyncReplicas: e.KAFKA_MIN_INSYNC_REPLICAS,
    retentionMs: e.KAFKA_RETENTION_MS,
    maxMessageBytes: e.KAFKA_MAX_MESSAGE_BYTES,
    connectionTimeoutMs: e.KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: e.KAFKA_REQUEST_TIMEOUT_MS,
  }
}

/** SCHEMA_REGISTRY_URL: a Confluent-compatible registry (e.g. http://redpanda:8081); unset: the catalog's ids. */
export function parseSchemaRegistryUrl(env: Env): string | undefined {
  const e = parseEnv(env, { SCHEMA_REGISTRY_URL: str({ default: '' }) })
  if (e.SCHEMA_REGISTRY_URL === '') return undefined
  if (!/^https?:\/\/\S+$/.test(e.SCHEMA_REGISTRY_URL)) {
    throw invalidConfig('SCHEMA_REGISTRY_URL', `must be an http(s) URL, got "${e.SCHEMA_REGISTRY_URL}"`)
  }
  return e.SCHEMA_REGISTRY_URL
}

export interface PostgresConfig {
  readonly url: string
  readonly poolMax: number
}

export function parsePostgresConfig(env: Env): PostgresConfig {
  const e = parseEnv(env, {
    DATABASE_URL: url({ default: 'postgres://admin:admin@127.0.0.1:55432/aurore_events' }),
    PG_POOL_MAX: positiveInt({ default: 4 }),
  })
  return { url: e.DATABASE_URL, poolMax: e.PG_POOL_MAX }
}

export interface MysqlConfig {
  readonly url: string
  readonly poolMax: number
}

/** The read model's MySQL (MariaDB here): MYSQL_URL, MYSQL_POOL_MAX. */
export function parseMysqlConfig(env: Env): MysqlConfig {
  const e = parseEnv(env, {
    MYSQL_URL: url({ default: 'mysql://forecap_user:forecap_pass@127.0.0.1:33306/forecap_db' }),
    MYSQL_POOL_MAX: positiveInt({ default: 8 }),
  })
  return { url: e.MYSQL_URL, poolMax: e.MYSQL_POOL_MAX }
}

export interface RedisConfig {
  readonly url: string
  /** Prefix of every key the pipeline writes (one Redis can serve several deployments). */
  readonly keyPrefix: string
}

export function parseRedisConfig(env: Env): RedisConfig {
  const e = parseEnv(env, {
    REDIS_URL: url({ default: 'redis://127.0.0.1:56379' }),
    REDIS_KEY_PREFIX: str({ default: 'pipeline:' }),
  })
  return { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX }
}

export interface ConnectionConfig {
  /** Open HTTP connections beyond which new ones are refused (closed at once). */
  readonly maxConnections: number
  /** Descriptors kept for everything else (broker and database sockets, logs, /proc reads). */
  readonly fdReserve: number
  /** The process' soft limit on open files, when known (lib/src/fd-limit.ts). */
  readonly fdLimit: number | undefined
}

export const DEFAULT_MAX_CONNECTIONS = 8192

/**
 * HTTP_MAX_CONNECTIONS (default: 8192, or fewer if the fd limit is lower) and HTTP_FD_RESERVE
 * (256). With a known fd limit, more connections than the limit minus the reserve are refused
 * as configuration: each one holds a descriptor, and the process must never run out of them.
 */
export function parseConnectionConfig(env: Env, fdLimit: number | undefined): ConnectionConfig {
  const e = parseEnv(env, {
    HTTP_MAX_CONNECTIONS: positiveInt({ default: undefined }),
    HTTP_FD_RESERVE: int({ default: 256 }),
  })
  if (e.HTTP_FD_RESERVE < 0) throw invalidConfig('HTTP_FD_RESERVE', `must be 0 or more, got ${e.HTTP_FD_RESERVE}`)
  const ceiling = fdLimit === undefined ? Infinity : fdLimit - e.HTTP_FD_RESERVE
  if (ceiling < 1) {
    throw invalidConfig('HTTP_FD_RESERVE', `leaves no descriptor for connections: the open-file limit is ${fdLimit}, the reserve ${e.HTTP_FD_RESERVE}`)
  }
  const maxConnections = e.HTTP_MAX_CONNECTIONS ?? Math.min(DEFAULT_MAX_CONNECTIONS, ceiling)
  if (maxConnections > ceiling) {
    throw invalidConfig('HTTP_MAX_CONNECTIONS',
      `must be at most ${ceiling} (the open-file limit ${fdLimit} minus HTTP_FD_RESERVE ${e.HTTP_FD_RESERVE}), got ${maxConnections}; raise ulimit -n or lower it`)
  }
  return { maxConnections, fdReserve: e.HTTP_FD_RESERVE, fdLimit }
}

export interface HttpServerConfig {
  /** The request line and headers must have arrived within this (slowloris); also bounds a connection that sends nothing. */
  readonly headersTimeoutMs: number
  /** The whole request, body included, must have arrived within this (0: no bound). */
  readonly requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number
  /** A socket with no activity either way (a client that stops reading) is closed after this (0: never). */
  readonly connectionTimeoutMs: number
  /** How often the two request timeouts are checked (Node checks every 30 s by default). */
  readonly timeoutCheckIntervalMs: number
  /** Request line and headers together, in bytes: more is 431. */
  readonly maxHeaderBytes: number
  /** Requests served on one connection before it is closed (0: no bound). */
  readonly maxRequestsPerSocket: number
  /** After answering a request whose body it did not read (413, 415, …), how long the rest is read and dropped before the socket closes (0: at once). */
  readonly lingerMs: number
}

/**
 * What the HTTP server allows a client, for producer-api and query-api alike: HTTP_HEADERS_TIMEOUT_MS
 * (10 s), HTTP_REQUEST_TIMEOUT_MS (30 s), HTTP_KEEP_ALIVE_TIMEOUT_MS (72 s, Fastify's default: longer
 * than a load balancer's usual 60 s idle timeout, so that the balancer closes first),
 * HTTP_CONNECTION_TIMEOUT_MS (60 s), HTTP_TIMEOUT_CHECK_INTERVAL_MS (1 s), HTTP_MAX_HEADER_BYTES
 * (16 KiB, Node's default), HTTP_MAX_REQUESTS_PER_SOCKET (0: no bound) and HTTP_LINGER_MS (5 s;
 * lib/src/http/server-options.ts, lingerBeforeClose).
 */
export function parseHttpServerConfig(env: Env): HttpServerConfig {
  const e = parseEnv(env, {
    HTTP_HEADERS_TIMEOUT_MS: positiveInt({ default: 10_000 }),
    HTTP_REQUEST_TIMEOUT_MS: int({ default: 30_000 }),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt({ default: 72_000 }),
    HTTP_CONNECTION_TIMEOUT_MS: int({ default: 60_000 }),
    HTTP_TIMEOUT_CHECK_INTERVAL_MS: positiveInt({ default: 1000 }),
    HTTP_MAX_HEADER_BYTES: positiveInt({ default: 16 * 1024 }),
    HTTP_MAX_REQUESTS_PER_SOCKET: int({ default: 0 }),
    HTTP_LINGER_MS: int({ default: 5000 }),
  })
  for (const name of ['HTTP_REQUEST_TIMEOUT_MS', 'HTTP_CONNECTION_TIMEOUT_MS', 'HTTP_MAX_REQUESTS_PER_SOCKET', 'HTTP_LINGER_MS'] as const) {
    if (e[name] < 0) throw invalidConfig(name, `must be 0 (no bound) or more, got ${e[name]}`)
  }
  if (e.HTTP_REQUEST_TIMEOUT_MS > 0 && e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw invalidConfig('HTTP_HEADERS_TIMEOUT_MS', `must be at most HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS}), got ${e.HTTP_HEADERS_TIMEOUT_MS}`)
  }
  if (e.HTTP_TIMEOUT_CHECK_INTERVAL_MS > e.HTTP_HEADERS_TIMEOUT_MS) {
    throw invalidConfig('HTTP_TIMEOUT_CHECK_INTERVAL_MS', `must be at most HTTP_HEADERS_TIMEOUT_MS (${e.HTTP_HEADERS_TIMEOUT_MS}), got ${e.HTTP_TIMEOUT_CHECK_INTERVAL_MS}`)
  }
  return {
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeoutMs: e.HTTP_CONNECTION_TIMEOUT_MS,
    timeoutCheckIntervalMs: e.HTTP_TIMEOUT_CHECK_INTERVAL_MS,
    maxHeaderBytes: e.HTTP_MAX_HEADER_BYTES,
    maxRequestsPerSocket: e.HTTP_MAX_REQUESTS_PER_SOCKET,
    lingerMs: e.HTTP_LINGER_MS,
  }
}

export interface ProcessConfig {
  /** Transient uncaught errors (EMFILE, ENFILE) tolerated within a minute before the process stops (lib/src/process-errors.ts). */
  readonly maxTransientErrorsPerMinute: number
}

export function parseProcessConfig(env: Env): Readonly<ProcessConfig> {
  const e = parseEnv(env, { PROCESS_TRANSIENT_ERRORS_PER_MINUTE: int({ default: 60 }) })
  if (e.PROCESS_TRANSIENT_ERRORS_PER_MINUTE < 0) {
    throw invalidConfig('PROCESS_TRANSIENT_ERRORS_PER_MINUTE', `must be 0 or more, got ${e.PROCESS_TRANSIENT_ERRORS_PER_MINUTE}`)
  }
  return deepFreeze({ maxTransientErrorsPerMinute: e.PROCESS_TRANSIENT_ERRORS_PER_MINUTE })
}

export interface LogConfig {
  readonly level: string
}

export function parseLogConfig(env: Env): LogConfig {
  const e = parseEnv(env, {
    LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  })
  return { level: e.LOG_LEVEL }
}

export { bool, num, port, str, url }
