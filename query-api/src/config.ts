import {
  bool, deepFreeze, invalidConfig, num, parseConnectionConfig, parseEnv, parseHttpServerConfig, parseLogConfig, parseMysqlConfig, parseRedisConfig, port, positiveInt,
  str, type ConnectionConfig, type Env, type HttpServerConfig, type LogConfig, type MysqlConfig, type RedisConfig,
} from '../../lib/src/config.js'
import type { SignatureConfig } from './auth/signature.js'
import type { CacheConfig } from './cache/cache-aside.js'
import type { NearCacheConfig } from './cache/near-cache.js'

/** For local runs only: a process started with it logs a warning; set QUERY_SIGNING_SECRET anywhere else. */
export const LOCAL_SIGNING_SECRET = 'local-development-signing-secret'

export interface QueryConfig {
  readonly host: string
  readonly port: number
  readonly signature: SignatureConfig
  readonly cache: CacheConfig
  readonly nearCache: NearCacheConfig
  readonly mysql: MysqlConfig
  readonly redis: RedisConfig
  readonly log: LogConfig
  readonly shutdownTimeoutMs: number
  readonly retryAfterSeconds: number
  readonly connections: ConnectionConfig
  /** HTTP_* timeouts and header size (lib/src/http/server-options.ts). */
  readonly server: HttpServerConfig
  /** Processes serving the port (1: this one; more: a node:cluster primary and that many workers, lib/src/cluster.ts). */
  readonly workers: number
}

/** `fdLimit`: the process' soft limit on open files, read by main.ts (lib/src/fd-limit.ts); undefined when unknown. */
export function parseQueryConfig(env: Env, host: { readonly fdLimit?: number | undefined } = {}): Readonly<QueryConfig> {
  const e = parseEnv(env, {
    QUERY_HOST: str({ default: '127.0.0.1' }),
    QUERY_PORT: port({ default: 3002 }),
    QUERY_SIGNING_SECRET: str({ default: LOCAL_SIGNING_SECRET }),
    QUERY_MAX_SKEW_SECONDS: positiveInt({ default: 300 }),
    QUERY_LEGACY_SIGNATURES: bool({ default: false }),
    CACHE_TTL_SECONDS: positiveInt({ default: 3600 }),
    CACHE_TTL_JITTER: num({ default: 0.2 }),
    CACHE_NOT_FOUND_TTL_SECONDS: positiveInt({ default: 5 }),
    NEAR_CACHE_ENTRIES: num({ default: 50_000 }),
    NEAR_CACHE_MAX_AGE_MS: positiveInt({ default: 30_000 }),
    QUERY_RETRY_AFTER_SECONDS: positiveInt({ default: 1 }),
    SHUTDOWN_TIMEOUT_MS: positiveInt({ default: 10_000 }),
    QUERY_WORKERS: positiveInt({ default: 1 }),
  })
  if (e.QUERY_SIGNING_SECRET.length < 16) throw invalidConfig('QUERY_SIGNING_SECRET', 'must be at least 16 characters')
  if (!Number.isSafeInteger(e.NEAR_CACHE_ENTRIES) || e.NEAR_CACHE_ENTRIES < 0) throw invalidConfig('NEAR_CACHE_ENTRIES', `must be a whole number ≥ 0 (0: off), got ${e.NEAR_CACHE_ENTRIES}`)
  if (!(e.CACHE_TTL_JITTER >= 0 && e.CACHE_TTL_JITTER < 1)) throw invalidConfig('CACHE_TTL_JITTER', `must be in [0, 1), got ${e.CACHE_TTL_JITTER}`)
  return deepFreeze({
    host: e.QUERY_HOST,
    port: e.QUERY_PORT,
    signature: { secret: e.QUERY_SIGNING_SECRET, maxSkewMs: e.QUERY_MAX_SKEW_SECONDS * 1000, legacy: e.QUERY_LEGACY_SIGNATURES },
    cache: { ttlSeconds: e.CACHE_TTL_SECONDS, jitter: e.CACHE_TTL_JITTER, notFoundTtlSeconds: e.CACHE_NOT_FOUND_TTL_SECONDS },
    nearCache: { maxEntries: e.NEAR_CACHE_ENTRIES, maxAgeMs: e.NEAR_CACHE_MAX_AGE_MS },
    mysql: parseMysqlConfig(env),
    redis: parseRedisConfig(env),
    log: parseLogConfig(env),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    retryAfterSeconds: e.QUERY_RETRY_AFTER_SECONDS,
    connections: parseConnectionConfig(env, host.fdLimit),
    server: parseHttpServerConfig(env),
    workers: e.QUERY_WORKERS,
  })
}
