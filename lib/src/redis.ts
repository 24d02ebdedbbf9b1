import { Redis } from 'ioredis'
import type { RedisConfig } from './config.js'
import type { Logger } from './logger.js'

/**
 * A Redis client that fails fast instead of queueing: while Redis is away a command rejects at
 * once (no offline queue, one attempt), so callers fall back to MySQL rather than wait. It
 * reconnects by itself; connection errors are logged, never thrown at the process.
 * `autoPipelining: false` for a client whose caller batches its own commands (auto-pipelining
 * would send them one turn of the event loop later).
 */
export function createRedis(config: RedisConfig, logger: Logger, options: { readonly commandTimeoutMs?: number; readonly autoPipelining?: boolean } = {}): Redis {
  const redis = new Redis(config.url, {
    keyPrefix: config.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    enableAutoPipelining: options.autoPipelining ?? true,
    retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** Math.min(attempt, 6)),
  })
  let down = false
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err }, 'redis unavailable')
    down = true
  })
  redis.on('ready', () => {
    if (down) logger.info('redis available again')
    down = false
  })
  return redis
}

/** Resolves once connected, or rejects after `timeoutMs` (readiness at start). */
export async function redisReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`redis not ready within ${timeoutMs} ms`)) }, timeoutMs)
    const onReady = () => { cleanup(); resolve() }
    const cleanup = () => { clearTimeout(timer); redis.off('ready', onReady) }
    redis.on('ready', onReady)
  })
}
