import {
  deepFreeze, int, parseEnv, parseKafkaConfig, parseLogConfig, port, positiveInt, str,
  type Env, type KafkaConfig, type LogConfig,
} from '../../lib/src/config.js'

export interface ProducerApiConfig {
  readonly host: string
  readonly port: number
  /** Largest accepted request body (bytes), for /events and /events/batch alike. */
  readonly bodyLimit: number
  readonly maxBatchEvents: number
  readonly kafka: KafkaConfig
  readonly send: SendConfig
  readonly log: LogConfig
  readonly shutdownTimeoutMs: number
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

export function parseProducerApiConfig(env: Env): Readonly<ProducerApiConfig> {
  const e = parseEnv(env, {
    HOST: str({ default: '127.0.0.1' }),
    PORT: port({ default: 3000 }),
    BODY_LIMIT_BYTES: positiveInt({ default: 1024 * 1024 }),
    BATCH_MAX_EVENTS: positiveInt({ default: 1000 }),
    SEND_ACK_TIMEOUT_MS: positiveInt({ default: 5000 }),
    SEND_LINGER_MS: int({ default: 1 }),
    SEND_MAX_EVENTS: positiveInt({ default: 10_000 }),
    SEND_MAX_BYTES: positiveInt({ default: 1024 * 1024 }),
    SEND_MAX_IN_FLIGHT: positiveInt({ default: 1 }),
    SEND_RETRY_AFTER_SECONDS: positiveInt({ default: 2 }),
    SHUTDOWN_TIMEOUT_MS: positiveInt({ default: 10_000 }),
  })
  return deepFreeze({
    host: e.HOST,
    port: e.PORT,
    bodyLimit: e.BODY_LIMIT_BYTES,
    maxBatchEvents: e.BATCH_MAX_EVENTS,
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
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  })
}
