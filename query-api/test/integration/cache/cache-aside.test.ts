/** createCacheAside on the real Redis of the local stack (the loader stands in for MySQL). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRedis } from '../../../../lib/src/redis.js'
import { userDataKey, userGenerationKey } from '../../../../lib/src/read-model.js'
import { freePort } from '../../../../lib/test/helpers/processes.js'
import { quietLogger, testRedis } from '../../../../lib/test/helpers/services.js'
import { createCacheAside, type CacheConfig } from '../../../src/cache/cache-aside.js'

const config: CacheConfig = { ttlSeconds: 60, jitter: 0.2, notFoundTtlSeconds: 5 }

/** The cache as objects: what a reader of its JSON text sees. */
function objects<T>(deps: Parameters<typeof createCacheAside<T>>[0]) {
  const cache = createCacheAside(deps)
  return { get: async (userId: number) => { const text = await cache.getJson(userId); return text === undefined ? undefined : JSON.parse(text) as unknown } }
}

function counting<T>(value: (userId: number) => T | undefined, delayMs = 0) {
  const calls: number[] = []
  return {
    calls,
    load: async (userId: number) => {
      calls.push(userId)
      const read = value(userId) // what MySQL had when the query ran
      await new Promise((r) => setTimeout(r, delayMs))
      return read
    },
  }
}

test('a miss loads once and stores with a jittered TTL; the next read is a hit', async (t) => {
  const redis = await testRedis(t)
  const loader = counting((id) => ({ id }))
  const cache = objects({ redis, load: loader.load, config })
  assert.deepEqual(await cache.get(7), { id: 7 })
  assert.deepEqual(await cache.get(7), { id: 7 })
  assert.deepEqual(loader.calls, [7])
  const ttl = await redis.ttl(userDataKey(7))
  assert.ok(ttl >= 48 && ttl <= 72, `TTL ${ttl} within 60 s ± 20 %`)
})

test('concurrent misses for one user share one load', async (t) => {
  const redis = await testRedis(t)
  const loader = counting((id) => ({ id }), 50)
  const cache = objects({ redis, load: loader.load, config })
  const results = await Promise.all(Array.from({ length: 100 }, () => cache.get(8)))
  assert.ok(results.every((r) => JSON.stringify(r) === '{"id":8}'))
  assert.deepEqual(loader.calls, [8])
})

test('a load that raced an invalidation (the generation moved) is answered but not cached', async (t) => {
  const redis = await testRedis(t)
  let version = 1
  const loader = counting(() => ({ version }), 100)
  const cache = objects({ redis, load: loader.load, config })
  const reading = cache.get(9) // reads version 1 ...
  await new Promise((r) => setTimeout(r, 20))
  version = 2 // ... while the projector commits version 2 and invalidates
  await redis.multi().incr(userGenerationKey(9)).del(userDataKey(9)).exec()
  assert.deepEqual(await reading, { version: 1 })
  assert.equal(await redis.get(userDataKey(9)), null, 'the older row was not cached')
  assert.deepEqual(await cache.get(9), { version: 2 })
  assert.deepEqual(await cache.get(9), { version: 2 })
  assert.equal(loader.calls.length, 2)
})

test('an unknown user is cached as absent, for the shorter TTL', async (t) => {
  const redis = await testRedis(t)
  const loader = counting(() => undefined)
  const cache = objects({ redis, load: loader.load, config })
  assert.equal(await cache.get(10), undefined)
  assert.equal(await cache.get(10), undefined)
  assert.equal(loader.calls.length, 1)
  const ttl = await redis.ttl(userDataKey(10))
  assert.ok(ttl >= 1 && ttl <= 6, `TTL ${ttl}`)
})

test('Redis unavailable: every read is answered from the loader, none fails', async (t) => {
  const redis = createRedis({ url: `redis://127.0.0.1:${await freePort()}`, keyPrefix: 'x:' }, quietLogger)
  t.after(() => redis.disconnect())
  const loader = counting((id) => ({ id }))
  const cache = objects({ redis, load: loader.load, config })
  assert.deepEqual(await cache.get(11), { id: 11 })
  assert.deepEqual(await cache.get(11), { id: 11 })
  assert.equal(loader.calls.length, 2)
})

test('a loader failure reaches the caller and is not cached', async (t) => {
  const redis = await testRedis(t)
  let fail = true
  const cache = objects({
    redis, config,
    load: async (id: number) => {
      if (fail) throw new Error('mysql down')
      return { id }
    },
  })
  await assert.rejects(cache.get(12), /mysql down/)
  fail = false
  assert.deepEqual(await cache.get(12), { id: 12 })
})
