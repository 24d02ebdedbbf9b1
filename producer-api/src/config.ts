import {
  deepFreeze, int, invalidConfig, list, num, parseConnectionConfig, parseEnv, parseHttpServerConfig, parseKafkaConfig, parseLogConfig, parsePostgresConfig,
  parseRedisConfig, parseSchemaRegistryUrl, port, positiveInt, str,
  type ConnectionConfig, type Env, type HttpServerConfig, type KafkaConfig, type LogConfig, type PostgresConfig, type RedisConfig,
} from '../../lib/src/config.js'
import { DEFAULT_PAYLOAD_MAX_DEPTH, PAYLOAD_MAX_DEPTH_CEILING } from './events/validate.js'
import type { Thresholds } from './lag/policy.js'

export interface ProducerApiConfig {
  readonly host: string
  readonly port: number
  /** Largest accepted request body (bytes), for /events and /events/batch alike. */
  readonly bodyLimit: number
  readonly maxBatchEvents: number
  /** How deeply an event's payload may nest (the payload object is level 1). */
  readonly maxPayloadDepth: number
  readonly kafka: KafkaConfig
  readonly send: SendConfig
  readonly log: LogConfig
  readonly shutdownTimeoutMs: number
  readonly lag: LagConfig
  readonly admission: AdmissionConfig
  readonly schemaRegistryUrl: string | undefined
  readonly connections: ConnectionConfig
  /** HTTP_* timeouts and header size (lib/src/http/server-options.ts). */
  readonly server: HttpServerConfig
  readonly auth: AuthConfig
  /** Processes serving the port (1: this one; more: a node:cluster primary and that many workers, lib/src/cluster.ts). */
  readonly workers: number
}

/** Producer API keys (producer-api/src/auth/): where they live, how fresh, the rate limit. */
export interface AuthConfig {
  /** NODE_ENV=production: without a key in the table the API refuses to start. */
  readonly requireKeys: boolean
  /** The keys' table (DATABASE_URL). */
  readonly postgres: PostgresConfig
  /** How often the key set is read again: the bound on a revocation taking effect. */
  readonly refreshMs: number
  /** A read of the key set slower than this fails (and the last set stands). */
  readonly loadTimeoutMs: number
  /** The rate limit's counters (REDIS_URL, REDIS_KEY_PREFIX). */
  readonly redis: RedisConfig
  /** Requests per second of a key created without a rate limit of its own. */
  readonly defaultRateLimit: number
  /** A rate-limit check slower than this admits the request (fail open). */
  readonly rateLimitTimeoutMs: number
}

/** What the process is allowed, read by main.ts (lib/src/fd-limit.ts). */
export interface HostLimits {
  /** The soft limit on open files; undefined when unknown. */
  readonly fdLimit?: number | undefined
}

export interface LagConfig {
  /** Consumer groups whose lag throttles ingestion. */
  readonly groups: readonly string[]
  /** Groups whose lag is only reported (/health/lag, metrics): a stale read model must not stop ingestion. */
  readonly observedGroups: readonly string[]
  readonly intervalMs: number
  readonly staleAfterMs: number
  readonly thresholds: Thresholds
}

export interface AdmissionConfig {
  readonly maxRequests: number
  readonly maxBytes: number
  /** 503 while the event loop lags more than this (0: off). */
  readonly maxEventLoopDelayMs: number
  readonly retryAfterSeconds: number
}

export interface SendConfig {
  /** How long a request waits for the broker's acks=all before a 503. */
  readonly ackTimeoutMs: number
  /** How long events may wait to share a produce request with others (0: next tick). */
  readonly lingerMs: number
  /** Flush a shared produce request at this many events or bytes. */
  readonly maxEvents: number
  readonly maxBytes: number
  /** Produce requests in flight at once; more than 1 lets kafkajs retries reorder a partition. */
  readonly maxInFlight: number
  /** Retry-After (s) answered when the broker is unavailable. */
  readonly retryAfterSeconds: number
}

export function parseProducerApiConfig(env: Env, host: HostLimits = {}): Readonly<ProducerApiConfig> {
  const e = parseEnv(env, {
    HOST: str({ default: '127.0.0.1' }),
    PORT: port({ default: 3000 }),
    PRODUCER_WORKERS: positiveInt({ default: 1 }),
    BODY_LIMIT_BYTES: positiveInt({ default: 1024 * 1024 }),
    BATCH_MAX_EVENTS: positiveInt({ default: 1000 }),
    PAYLOAD_MAX_DEPTH: positiveInt({ default: DEFAULT_PAYLOAD_MAX_DEPTH }),
    SEND_ACK_TIMEOUT_MS: positiveInt({ default: 5000 }),
    SEND_LINGER_MS: int({ default: 1 }),
    SEND_MAX_EVENTS: positiveInt({ default: 10_000 }),
    SEND_MAX_BYTES: positiveInt({ default: 1024 * 1024 }),
    SEND_MAX_IN_FLIGHT: positiveInt({ default: 1 }),
    SEND_RETRY_AFTER_SECONDS: positiveInt({ default: 2 }),
    SHUTDOWN_TIMEOUT_MS: positiveInt({ default: 10_000 }),
    LAG_GROUPS: list({ default: ['events-pg-sink'] }),
    LAG_OBSERVED_GROUPS: str({ default: 'user-recap-projector' }),
    LAG_POLL_MS: positiveInt({ default: 1000 }),
    LAG_STALE_MS: positiveInt({ default: 5000 }),
    LAG_SOFT: positiveInt({ default: 100_000 }),
    LAG_HARD: positiveInt({ default: 1_000_000 }),
    LAG_HYSTERESIS: num({ default: 0.2 }),
    LAG_MIN_SHED_RATIO: num({ default: 0.1 }),
    LAG_MAX_RETRY_AFTER_SECONDS: positiveInt({ default: 60 }),
    LAG_UNKNOWN_RETRY_AFTER_SECONDS: positiveInt({ default: 5 }),
    ADMISSION_MAX_REQUESTS: positiveInt({ default: 2000 }),
    ADMISSION_MAX_BYTES: positiveInt({ default: 64 * 1024 * 1024 }),
    ADMISSION_MAX_EVENT_LOOP_DELAY_MS: int({ default: 1000 }),
    ADMISSION_RETRY_AFTER_SECONDS: positiveInt({ default: 1 }),
    NODE_ENV: str({ default: 'development' }),
    API_KEYS_REFRESH_MS: positiveInt({ default: 5000 }),
    API_KEYS_LOAD_TIMEOUT_MS: positiveInt({ default: 3000 }),
    API_KEY_RATE_LIMIT: positiveInt({ default: 1000 }),
    API_KEY_RATE_LIMIT_TIMEOUT_MS: positiveInt({ default: 250 }),
  })
  if (e.LAG_HARD <= e.LAG_SOFT) {
    throw invalidConfig('LAG_HARD', `must be above LAG_SOFT (${e.LAG_SOFT}), got ${e.LAG_HARD}`)
  }
  if (e.PAYLOAD_MAX_DEPTH > PAYLOAD_MAX_DEPTH_CEILING) {
    throw invalidConfig('PAYLOAD_MAX_DEPTH', `must be at most ${PAYLOAD_MAX_DEPTH_CEILING}, got ${e.PAYLOAD_MAX_DEPTH}`)
  }
  for (const [name, value] of [['LAG_HYSTERESIS', e.LAG_HYSTERESIS], ['LAG_MIN_SHED_RATIO', e.LAG_MIN_SHED_RATIO]] as const) {
    if (!(value >= 0 && value < 1)) throw invalidConfig(name, `must be in [0, 1), got ${value}`)
  }
  return deepFreeze({
    host: e.HOST,
    port: e.PORT,
    workers: e.PRODUCER_WORKERS,
    bodyLimit: e.BODY_LIMIT_BYTES,
    maxBatchEvents: e.BATCH_MAX_EVENTS,
    maxPayloadDepth: e.PAYLOAD_MAX_DEPTH,
    kafka: parseKafkaConfig(env, 'producer-api'),
    send: {
      ackTimeoutMs: e.SEND_ACK_TIMEOUT_MS,
      lingerMs: e.SEND_LINGER_MS,
      maxEvents: e.SEND_MAX_EVENTS,
      maxBytes: e.SEND_MAX_BYTES,
      maxInFlight: e.SEND_MAX_IN_FLIGHT,
      retryAfterSeconds: e.SEND_RETRY_AFTER_SECONDS,
    },
    log: parseLogConfig(env),
    schemaRegistryUrl: parseSchemaRegistryUrl(env),
    connections: parseConnectionConfig(env, host.fdLimit),
    server: parseHttpServerConfig(env),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    lag: {
      groups: e.LAG_GROUPS,
      // '' (or 'none') observes nothing beyond LAG_GROUPS.
      observedGroups: e.LAG_OBSERVED_GROUPS.split(',').map((g) => g.trim()).filter((g) => g !== '' && g !== 'none' && !e.LAG_GROUPS.includes(g)),
      intervalMs: e.LAG_POLL_MS,
      staleAfterMs: e.LAG_STALE_MS,
      thresholds: {
        soft: e.LAG_SOFT,
        hard: e.LAG_HARD,
        hysteresis: e.LAG_HYSTERESIS,
        minShedShare: e.LAG_MIN_SHED_RATIO,
        maxRetryAfterSeconds: e.LAG_MAX_RETRY_AFTER_SECONDS,
        unknownRetryAfterSeconds: e.LAG_UNKNOWN_RETRY_AFTER_SECONDS,
      },
    },
    admission: {
      maxRequests: e.ADMISSION_MAX_REQUESTS,
      maxBytes: e.ADMISSION_MAX_BYTES,
      maxEventLoopDelayMs: e.ADMISSION_MAX_EVENT_LOOP_DELAY_MS,
      retryAfterSeconds: e.ADMISSION_RETRY_AFTER_SECONDS,
    },
    auth: {
      requireKeys: e.NODE_ENV === 'production',
      postgres: parsePostgresConfig(env),
      refreshMs: e.API_KEYS_REFRESH_MS,
      loadTimeoutMs: e.API_KEYS_LOAD_TIMEOUT_MS,
      redis: parseRedisConfig(env),
      defaultRateLimit: e.API_KEY_RATE_LIMIT,
      rateLimitTimeoutMs: e.API_KEY_RATE_LIMIT_TIMEOUT_MS,
    },
  })
}
