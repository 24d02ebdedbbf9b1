/**
 * A per-key request rate limit shared by every producer-api instance: one counter per key in
 * Redis, a fixed window of one second that starts with the window's first request (INCR, and
 * PEXPIRE when the counter is new, in one Lua script: one round trip, atomic). Past the key's
 * limit the answer is `limited` with the time left in the window.
 *
 * When Redis cannot answer (down, or slower than its command timeout), the request is
 * admitted: an ingestion API must not lose writes because its cache is away. Each such request
 * is counted (pipeline_rate_limit_bypassed_total); the outage is logged once, and its end.
 */
import type { Redis } from 'ioredis'
import type { Logger } from '../../../lib/src/logger.js'
import type { ApiKeyMetrics } from '../../../lib/src/metrics.js'

export const RATE_LIMIT_WINDOW_MS = 1000
const KEY_PREFIX = 'ratelimit:'

const SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`

export type RateDecision =
  | { readonly outcome: 'allowed' }
  | { readonly outcome: 'limited'; readonly retryAfterSeconds: number }
  | { readonly outcome: 'bypassed' }

export interface RateLimiter {
  /** Counts one request of key `id` against `limit` per second. */
  take(id: string, limit: number): Promise<RateDecision>
}

/** The command defineCommand adds to the client. */
interface Counting {
  pipelineRateLimit(key: string, windowMs: number): Promise<[number, number]>
}

export interface RateLimiterDeps {
  /** Commands must fail fast when Redis is away (lib/src/redis.ts: no offline queue, a command timeout). */
  readonly redis: Pick<Redis, 'defineCommand'>
  readonly logger: Logger
  readonly metrics: ApiKeyMetrics
}

export function createRateLimiter(deps: RateLimiterDeps): RateLimiter {
  deps.redis.defineCommand('pipelineRateLimit', { numberOfKeys: 1, lua: SCRIPT })
  const redis = deps.redis as Pick<Redis, 'defineCommand'> & Counting
  let failing = false
  return {
    async take(id, limit) {
      let count: number
      let ttl: number
      try {
        [count, ttl] = await redis.pipelineRateLimit(`${KEY_PREFIX}${id}`, RATE_LIMIT_WINDOW_MS)
      } catch (err) {
        deps.metrics.rateLimitBypassed.inc()
        if (!failing) deps.logger.warn({ err }, 'rate limiter unavailable (redis): admitting requests without a limit')
        failing = true
        return { outcome: 'bypassed' }
      }
      if (failing) deps.logger.info('rate limiter available again')
      failing = false
      if (count <= limit) return { outcome: 'allowed' }
      return { outcome: 'limited', retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) }
    },
  }
}
