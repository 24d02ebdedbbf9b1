/**
 * A per-key request rate limit shared by every producer-api instance: one counter per key in
 * Redis, a fixed window of one second that starts with the window's first request (INCRBY, and
 * PEXPIRE when the counter is new, in one Lua script: one round trip, atomic). Past the key's
 * limit the answer is `limited` with the time left in the window.
 *
 * The requests of one key that arrive in the same turn of the event loop are counted by one
 * script call (INCRBY their number; each is allowed by its own place in the count): as exact
 * as one call each, with one Redis command per key and turn instead of one per request (at
 * 5,000 single POSTs/s the limiter's commands were about a tenth of producer-api's CPU).
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
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
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

/** The command defineCommand adds to the client: the count after adding `requests`, and the ms left in the window. */
interface Counting {
  pipelineRateLimitBy(key: string, windowMs: number, requests: number): Promise<[number, number]>
}

export interface RateLimiterDeps {
  /** Commands must fail fast when Redis is away (lib/src/redis.ts: no offline queue, a command timeout). */
  readonly redis: Pick<Redis, 'defineCommand'>
  readonly logger: Logger
  readonly metrics: ApiKeyMetrics
}

interface Waiter {
  readonly limit: number
  readonly decide: (decision: RateDecision) => void
}

const ALLOWED: RateDecision = { outcome: 'allowed' }
const BYPASSED: RateDecision = { outcome: 'bypassed' }

export function createRateLimiter(deps: RateLimiterDeps): RateLimiter {
  deps.redis.defineCommand('pipelineRateLimitBy', { numberOfKeys: 1, lua: SCRIPT })
  const redis = deps.redis as Pick<Redis, 'defineCommand'> & Counting
  /** The requests of this turn, by key, not counted yet. */
  const pending = new Map<string, Waiter[]>()
  let failing = false

  async function count(id: string, waiters: readonly Waiter[]): Promise<void> {
    let total: number
    let ttl: number
    try {
      [total, ttl] = await redis.pipelineRateLimitBy(`${KEY_PREFIX}${id}`, RATE_LIMIT_WINDOW_MS, waiters.length)
    } catch (err) {
      deps.metrics.rateLimitBypassed.inc(waiters.length)
      if (!failing) deps.logger.warn({ err }, 'rate limiter unavailable (redis): admitting requests without a limit')
      failing = true
      for (const w of waiters) w.decide(BYPASSED)
      return
    }
    if (failing) deps.logger.info('rate limiter available again')
    failing = false
    const before = total - waiters.length
    const limited: RateDecision = { outcome: 'limited', retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) }
    waiters.forEach((w, i) => w.decide(before + i + 1 <= w.limit ? ALLOWED : limited))
  }

  /** The first request of a key in this turn opens its batch; the batch is counted once the turn's I/O is read. */
  function open(id: string): Waiter[] {
    const batch: Waiter[] = []
    pending.set(id, batch)
    setImmediate(() => {
      pending.delete(id)
      // count decides every waiter; should it throw all the same, none is left waiting.
      count(id, batch).catch(() => { for (const w of batch) w.decide(BYPASSED) })
    })
    return batch
  }

  return {
    take(id, limit) {
      return new Promise((decide) => {
        (pending.get(id) ?? open(id)).push({ limit, decide })
      })
    },
  }
}
