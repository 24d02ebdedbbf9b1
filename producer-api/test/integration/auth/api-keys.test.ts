/**
 * Who may write, on the real Postgres and Redis: keys made by the keys module (what `npm run
 * keys` runs) are taken, revoked ones refused within the refresh bound, the rate limit holds
 * across two app instances sharing Redis, and neither Postgres nor Redis going away stops
 * writes. Servers are taken away through a proxy of the test's own (lib/test/helpers/proxy.ts),
 * never stopped. Each app has a recording sender in place of the broker: a refused request
 * sends nothing.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { pino } from 'pino'
import { createApiKey, loadActiveApiKeys, revokeApiKey } from '../../../../lib/src/api-keys/store.js'
import { parsePostgresConfig, parseRedisConfig } from '../../../../lib/src/config.js'
import { createApiKeyMetrics } from '../../../../lib/src/metrics.js'
import { createPgPool } from '../../../../lib/src/pg/pool.js'
import { createRedis, redisReady } from '../../../../lib/src/redis.js'
import { createTestKey } from '../../../../lib/test/helpers/keys.js'
import { startProxy } from '../../../../lib/test/helpers/proxy.js'
import { quietLogger, testRedis, uniqueName, waitFor } from '../../../../lib/test/helpers/services.js'
import { createKeySet } from '../../../src/auth/key-set.js'
import { createRateLimiter } from '../../../src/auth/rate-limiter.js'
import { post, testApp, type TestAppOptions } from '../../helpers/app.js'

const event = (service: string) => ({ service, event_type: 'generic', payload: { n: 1 } })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const withPort = (url: string, port: number) => Object.assign(new URL(url), { port: String(port) }).toString()

interface RealAuth {
  readonly pgUrl?: string
  readonly redisUrl?: string
  readonly keyPrefix: string
  readonly refreshMs?: number
  readonly lines?: { level: number; msg: string }[]
}

/** The key check as main.ts wires it: the key set read from Postgres, the limiter on Redis (one client each, as one process has). */
function realAuth(t: TestContext, o: RealAuth): NonNullable<TestAppOptions['auth']> {
  const logger = o.lines === undefined ? quietLogger : pino({ level: 'info' }, { write: (line: string) => { o.lines?.push(JSON.parse(line) as { level: number; msg: string }) } })
  return async (registry) => {
    const pool = createPgPool({ url: o.pgUrl ?? parsePostgresConfig(process.env).url, poolMax: 1 }, quietLogger, 'test')
    const redis = createRedis({ url: o.redisUrl ?? parseRedisConfig(process.env).url, keyPrefix: o.keyPrefix }, quietLogger, { commandTimeoutMs: 250 })
    const apiKeys = createApiKeyMetrics(registry)
    const keys = createKeySet({ load: () => loadActiveApiKeys(pool, 2000), refreshMs: o.refreshMs ?? 5000, defaultRateLimit: 1000, logger, metrics: apiKeys })
    t.after(async () => { // after hooks run first-registered first: the key set stops before its pool ends
      await keys.close()
      redis.disconnect()
      await pool.end()
    })
    await keys.start()
    await redisReady(redis)
    return { auth: { keys, limiter: createRateLimiter({ redis, logger, metrics: apiKeys }) }, apiKeys }
  }
}

const metricValue = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)

test('a key made by the keys module is taken; revoked, it is refused within API_KEYS_REFRESH_MS; nothing refused is sent', async (t) => {
  const refreshMs = 300
  const { app, sent } = await testApp(t, { auth: realAuth(t, { keyPrefix: `${uniqueName('test')}:`, refreshMs }) })
  const pool = createPgPool({ ...parsePostgresConfig(process.env), poolMax: 1 }, quietLogger, 'test')
  // Made after the app started: taken from the next refresh on.
  const { key, record } = await createApiKey(pool, { name: uniqueName('integration'), services: ['web'] })
  t.after(async () => {
    await pool.query('DELETE FROM producer_api_keys WHERE key_id = $1', [record.id])
    await pool.end()
  })
  const headers = { authorization: `Bearer ${key}` }
  await waitFor(async () => (await app.inject(post('/events', event('web'), headers))).statusCode === 202, { timeoutMs: refreshMs * 5, message: 'the new key taken' })
  assert.equal((await app.inject(post('/events', event('billing'), headers))).statusCode, 403)
  const before = sent.length

  assert.equal(await revokeApiKey(pool, record.id), 'revoked')
  const revokedAt = Date.now()
  let status = 202
  while (status === 202 && Date.now() - revokedAt < 5000) {
    status = (await app.inject(post('/events', event('web'), headers))).statusCode
    if (status === 202) await sleep(20)
  }
  const took = Date.now() - revokedAt
  assert.equal(status, 401)
  t.diagnostic(`revoked → 401 after ${took} ms (API_KEYS_REFRESH_MS ${refreshMs})`)
  assert.ok(took <= refreshMs + 500, `refused within the refresh bound: ${took} ms`)
  const after = sent.length
  assert.equal((await app.inject(post('/events', event('web'), headers))).json().code, 'PIPELINE_API_KEY_INVALID')
  assert.equal(sent.length, after, 'a 401 sends nothing')
  assert.ok(after >= before)
})

test('the rate limit holds across two instances sharing Redis: exactly the limit taken per second, the rest 429 with Retry-After, nothing of them sent', async (t) => {
  const keyPrefix = `${uniqueName('test')}:`
  const { key, record } = await createTestKey(t, { rateLimit: 5 })
  const a = await testApp(t, { auth: realAuth(t, { keyPrefix }) })
  const b = await testApp(t, { auth: realAuth(t, { keyPrefix }) })
  const send = () => Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).app.inject(post('/events', event('svc'), { authorization: `Bearer ${key}` }))))
  const first = await send()
  const statuses = first.map((r) => r.statusCode)
  assert.equal(statuses.filter((s) => s === 202).length, 5, JSON.stringify(statuses))
  assert.equal(statuses.filter((s) => s === 429).length, 7, JSON.stringify(statuses))
  for (const res of first.filter((r) => r.statusCode === 429)) {
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
    assert.equal(res.json().code, 'PIPELINE_RATE_LIMITED')
    assert.equal(res.json().key_id, record.id)
    assert.equal(res.headers['retry-after'], '1')
  }
  assert.equal(a.sent.length + b.sent.length, 5, 'only the admitted events are sent')

  // The window's counter lives in Redis under the deployment's prefix, and expires with the window.
  const redis = await testRedis(t, keyPrefix)
  const ttl = await redis.pttl(`ratelimit:${record.id}`)
  assert.ok(ttl > 0 && ttl <= 1000, `window TTL ${ttl} ms`)
  await sleep(1100)
  const next = await send()
  assert.equal(next.filter((r) => r.statusCode === 202).length, 5, 'a new window, a new allowance')
})

test('Redis away (connections cut, or no answer): writes are admitted without a limit, counted and logged once; back: limited again', async (t) => {
  const proxy = await startProxy(t, Number(new URL(parseRedisConfig(process.env).url).port))
  const lines: { level: number; msg: string }[] = []
  const { key } = await createTestKey(t, { rateLimit: 2 })
  const { app, sent } = await testApp(t, { auth: realAuth(t, { keyPrefix: `${uniqueName('test')}:`, redisUrl: `redis://127.0.0.1:${proxy.port}`, lines }) })
  const headers = { authorization: `Bearer ${key}` }
  const burst = async (n: number) => (await Promise.all(Array.from({ length: n }, () => app.inject(post('/events', event('svc'), headers))))).map((r) => r.statusCode)
  assert.deepEqual((await burst(3)).sort(), [202, 202, 429], 'limited while Redis answers')

  await proxy.cut()
  assert.deepEqual(await burst(6), [202, 202, 202, 202, 202, 202], 'Redis down: every write admitted')
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  assert.equal(metricValue(metrics, 'pipeline_rate_limit_bypassed_total'), 6)
  assert.equal(lines.filter((l) => l.level === 40 && /rate limiter unavailable/.test(l.msg)).length, 1, 'one warning for the outage')

  await proxy.restore()
  await sleep(1100) // a fresh window once the client is back
  await waitFor(async () => (await burst(3)).includes(429), { timeoutMs: 10_000, intervalMs: 200, message: 'limited again once Redis is back' })
  assert.ok(lines.some((l) => l.level === 30 && /rate limiter available again/.test(l.msg)))

  // Connected but silent: each check gives up after the command timeout (250 ms) and admits.
  proxy.hang()
  const started = Date.now()
  assert.deepEqual(await burst(4), [202, 202, 202, 202], 'Redis silent: admitted')
  assert.ok(Date.now() - started < 2000, `admitted after the command timeout, not held: ${Date.now() - started} ms`)
  assert.ok(sent.length >= 2 + 6 + 4)
})

test('Postgres away: the last key set keeps serving, refresh errors are counted; back: new keys are taken again', async (t) => {
  const pg = parsePostgresConfig(process.env)
  const proxy = await startProxy(t, Number(new URL(pg.url).port))
  const lines: { level: number; msg: string }[] = []
  const { key } = await createTestKey(t, { services: ['web'] })
  const { app } = await testApp(t, { auth: realAuth(t, { keyPrefix: `${uniqueName('test')}:`, pgUrl: withPort(pg.url, proxy.port), refreshMs: 100, lines }) })
  const headers = { authorization: `Bearer ${key}` }
  await proxy.cut()
  await sleep(500)
  for (let i = 0; i < 5; i++) assert.equal((await app.inject(post('/events', event('web'), headers))).statusCode, 202)
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  assert.ok(metricValue(metrics, 'pipeline_api_keys_refresh_errors_total') >= 1, 'failed reads counted')
  assert.equal(lines.filter((l) => l.level === 40).length, 1, JSON.stringify(lines))
  const late = await createTestKey(t, { services: ['web'] }) // made while this instance cannot read
  assert.equal((await app.inject(post('/events', event('web'), late.headers))).statusCode, 401)
  await proxy.restore()
  await waitFor(async () => (await app.inject(post('/events', event('web'), late.headers))).statusCode === 202, { timeoutMs: 10_000, message: 'the new key once Postgres is back' })
})
