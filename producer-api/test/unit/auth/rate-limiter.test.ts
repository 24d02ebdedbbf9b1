/** The limiter's decisions over a stand-in for Redis (the Lua script itself runs in the integration test). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Redis } from 'ioredis'
import { pino } from 'pino'
import { createApiKeyMetrics, createRegistry } from '../../../../lib/src/metrics.js'
import { createRateLimiter, RATE_LIMIT_WINDOW_MS } from '../../../src/auth/rate-limiter.js'

/** Answers the script as Redis would: the count in the window and the ms left; `down` rejects. */
function fakeRedis(state: { count: number; ttl: number; down: boolean; calls: [string, number, number][] }): Pick<Redis, 'defineCommand'> {
  const fake = {
    defineCommand: () => undefined,
    pipelineRateLimitBy: async (key: string, windowMs: number, requests: number) => {
      state.calls.push([key, windowMs, requests])
      if (state.down) throw new Error("Stream isn't writeable and enableOfflineQueue options is false")
      state.count += requests
      return [state.count, state.ttl]
    },
  }
  return fake
}

test('within the limit: allowed; past it: limited with the rest of the window as Retry-After; Redis away: bypassed, counted, logged once', async () => {
  const state = { count: 0, ttl: 400, down: false, calls: [] as [string, number, number][] }
  const registry = createRegistry('test')
  const lines: { level: number; msg: string }[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as { level: number; msg: string }) } })
  const limiter = createRateLimiter({ redis: fakeRedis(state), logger, metrics: createApiKeyMetrics(registry) })

  assert.deepEqual(await limiter.take('0123456789abcdef', 2), { outcome: 'allowed' })
  assert.deepEqual(await limiter.take('0123456789abcdef', 2), { outcome: 'allowed' })
  assert.deepEqual(await limiter.take('0123456789abcdef', 2), { outcome: 'limited', retryAfterSeconds: 1 })
  state.ttl = 1
  assert.deepEqual(await limiter.take('0123456789abcdef', 2), { outcome: 'limited', retryAfterSeconds: 1 }, 'never below 1 s')
  assert.deepEqual(state.calls[0], ['ratelimit:0123456789abcdef', RATE_LIMIT_WINDOW_MS, 1])

  state.down = true
  assert.deepEqual(await limiter.take('0123456789abcdef', 2), { outcome: 'bypassed' })
  assert.deepEqual(await limiter.take('0123456789abcdef', 2), { outcome: 'bypassed' })
  const bypassed = (await registry.getSingleMetric('pipeline_rate_limit_bypassed_total')?.get())?.values[0]?.value
  assert.equal(bypassed, 2)
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [[40, 'rate limiter unavailable (redis): admitting requests without a limit']])
  state.down = false
  state.count = 0
  assert.deepEqual(await limiter.take('0123456789abcdef', 2), { outcome: 'allowed' })
  assert.deepEqual(lines.at(-1), { ...lines.at(-1), level: 30, msg: 'rate limiter available again' })
})

test('the requests of one turn are counted by one call per key, each decided by its place in the count', async () => {
  const state = { count: 0, ttl: 700, down: false, calls: [] as [string, number, number][] }
  const limiter = createRateLimiter({ redis: fakeRedis(state), logger: pino({ level: 'silent' }), metrics: createApiKeyMetrics(createRegistry('test')) })
  const a = Array.from({ length: 5 }, () => limiter.take('aaaaaaaaaaaaaaaa', 3))
  const b = limiter.take('bbbbbbbbbbbbbbbb', 10)
  assert.deepEqual(await Promise.all(a), [
    { outcome: 'allowed' }, { outcome: 'allowed' }, { outcome: 'allowed' },
    { outcome: 'limited', retryAfterSeconds: 1 }, { outcome: 'limited', retryAfterSeconds: 1 },
  ])
  assert.deepEqual(await b, { outcome: 'allowed' })
  assert.deepEqual(state.calls, [['ratelimit:aaaaaaaaaaaaaaaa', RATE_LIMIT_WINDOW_MS, 5], ['ratelimit:bbbbbbbbbbbbbbbb', RATE_LIMIT_WINDOW_MS, 1]])
  // A later turn opens a new batch.
  assert.deepEqual(await limiter.take('aaaaaaaaaaaaaaaa', 100), { outcome: 'allowed' })
  assert.equal(state.calls.length, 3)
})
