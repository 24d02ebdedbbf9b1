/**
 * The near cache on the real Redis of the local stack: entries are answered from the process
 * and dropped when anyone else changes the key (Redis tracking), and a lost connection turns
 * the near cache off until tracking is on again, after which invalidations still arrive.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Registry } from 'prom-client'
import { createQueryMetrics } from '../../../../lib/src/metrics.js'
import { invalidateUsers, userDataKey } from '../../../../lib/src/read-model.js'
import { quietLogger, testRedis, waitFor } from '../../../../lib/test/helpers/services.js'
import { createCacheAside } from '../../../src/cache/cache-aside.js'
import { createNearCache } from '../../../src/cache/near-cache.js'

async function setup(t: TestContext) {
  const redis = await testRedis(t)
  const other = await testRedis(t, redis.options.keyPrefix) // the projector, or another query-api
  const near = createNearCache(redis, { prefix: 'user-data:', config: { maxEntries: 1000, maxAgeMs: 60_000 }, logger: quietLogger })
  t.after(() => near.close())
  await waitFor(() => near.active, { timeoutMs: 5000, message: 'near cache on' })
  const metrics = createQueryMetrics(new Registry())
  const version = new Map<number, number>()
  const cache = createCacheAside({ redis, near, metrics, config: { ttlSeconds: 60, jitter: 0, notFoundTtlSeconds: 5 }, load: async (id: number) => ({ id, v: version.get(id) ?? 1 }) })
  const get = async (id: number) => JSON.parse((await cache.getJson(id)) ?? 'null') as { v: number }
  const counts = async () => Object.fromEntries((await metrics.cache.get()).values.map((x) => [String(x.labels.result), x.value]))
  /**
   * Reads `id` until the near cache holds it: a fill is a change of the key too, and a Redis hit
   * is kept only if that invalidation did not come while it was in flight.
   */
  const warm = (id: number) => waitFor(async () => { await get(id); return near.get(userDataKey(id)) !== undefined }, { timeoutMs: 2000, intervalMs: 5, message: 'kept' })
  return { redis, other, near, version, get, counts, warm }
}

test('a second read is answered from the process; the projector\'s invalidation or another writer drops it at once', async (t) => {
  const { other, near, version, get, counts, warm } = await setup(t)
  const id = 7_000_000 + Math.floor(Math.random() * 1e6)
  assert.equal((await get(id)).v, 1) // miss: loaded and stored in Redis
  await warm(id) // a Redis hit: kept here
  const before = await counts()
  assert.equal((await get(id)).v, 1)
  assert.equal((await counts()).local, (before.local ?? 0) + 1, 'answered from the process')
  assert.equal((await counts()).hit, before.hit)
  version.set(id, 2)
  await invalidateUsers(other, [id]) // the projector after its commit
  await waitFor(() => near.get(userDataKey(id)) === undefined, { timeoutMs: 2000, message: 'invalidated' })
  assert.equal((await get(id)).v, 2)
  assert.equal((await get(id)).v, 2)
  await other.set(userDataKey(id), JSON.stringify({ id, v: 3 })) // another instance's fill
  await waitFor(() => near.get(userDataKey(id)) === undefined, { timeoutMs: 2000, message: 'invalidated' })
  assert.equal((await get(id)).v, 3)
})

test('a lost connection (data or invalidation) turns the near cache off; once tracking is on again, invalidations arrive', async (t) => {
  const { redis, other, near, version, warm, get } = await setup(t)
  const id = 8_000_000 + Math.floor(Math.random() * 1e6)
  await warm(id)
  assert.equal(near.size, 1)
  for (const kill of ['data', 'invalidation'] as const) {
    // CLIENT KILL from outside, as a network cut or a Redis restart would do.
    // The invalidation connection is the one this data connection's tracking redirects to (not
    // any other subscriber: the stack's own query-api has one too).
    const tracking = (await redis.call('CLIENT', 'TRACKINGINFO')) as unknown[]
    const redirect = tracking[tracking.indexOf('redirect') + 1]
    const victim = String(kill === 'data' ? await redis.client('ID') : redirect)
    assert.ok(/^\d+$/.test(victim) && victim !== '-1', `the connection to kill: ${victim}`)
    await other.client('KILL', 'ID', victim)
    await waitFor(() => !near.active, { timeoutMs: 2000, message: `off after the ${kill} connection died` })
    assert.equal(near.size, 0)
    await waitFor(() => near.active, { timeoutMs: 10_000, message: 'on again' })
    await warm(id)
    version.set(id, (version.get(id) ?? 1) + 1)
    await invalidateUsers(other, [id])
    await waitFor(() => near.get(userDataKey(id)) === undefined, { timeoutMs: 2000, message: `invalidated after the ${kill} connection came back` })
    assert.equal((await get(id)).v, version.get(id))
  }
})
