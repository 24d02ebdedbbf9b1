/**
 * Who may write, through inject(): 401 without a known key, 403 for a service the key may not
 * write, 429 past its rate limit, each problem+json from the table of codes; nothing of a
 * refused request reaches the sender. The key set and the limiter are in memory here; the
 * integration test runs them on the real Postgres and Redis.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CODES } from '../../../../lib/src/errors.js'
import type { RateDecision, RateLimiter } from '../../../src/auth/rate-limiter.js'
import { WWW_AUTHENTICATE } from '../../../src/plugins/api-keys.js'
import { post, testApp } from '../../helpers/app.js'
import { testKey } from '../../helpers/auth.js'

const event = (service: string) => ({ service, event_type: 'generic', payload: { a: 1 } })
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/** Every member of a problem+json answer, and nothing about the key beyond its public id. */
function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string; json: () => Record<string, unknown> }, code: keyof typeof CODES, url: string) {
  assert.equal(res.statusCode, CODES[code].status, res.body)
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const body = res.json()
  assert.equal(body.type, `urn:pipeline:problem:${code}`)
  assert.equal(body.code, code)
  assert.equal(body.title, CODES[code].title)
  assert.equal(body.status, CODES[code].status)
  assert.equal(body.instance, url)
  assert.equal(typeof body.detail, 'string')
  assert.doesNotMatch(res.body, /pak_[0-9a-f]{16}_/, 'no key in the answer')
}

test('no key, another scheme, a malformed, unknown or wrong key: 401 with WWW-Authenticate, before the body is read; nothing sent', async (t) => {
  const known = testKey()
  const { app, sent } = await testApp(t, { keys: { key: known } })
  const cases: [Record<string, string>, 'PIPELINE_API_KEY_MISSING' | 'PIPELINE_API_KEY_INVALID'][] = [
    [{}, 'PIPELINE_API_KEY_MISSING'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, 'PIPELINE_API_KEY_MISSING'],
    [{ authorization: 'Bearer' }, 'PIPELINE_API_KEY_MISSING'],
    [{ authorization: 'Bearer not-a-key' }, 'PIPELINE_API_KEY_INVALID'],
    [bearer(testKey().key), 'PIPELINE_API_KEY_INVALID'],
    [bearer(`${known.key.slice(0, 21)}${'x'.repeat(43)}`), 'PIPELINE_API_KEY_INVALID'],
  ]
  for (const url of ['/events', '/events/batch']) {
    for (const [headers, code] of cases) {
      const body = url === '/events' ? event('svc') : { events: [event('svc')] }
      const res = await app.inject(post(url, body, headers))
      assertProblem(res, code, url)
      assert.equal(res.headers['www-authenticate'], code === 'PIPELINE_API_KEY_MISSING' ? WWW_AUTHENTICATE : `${WWW_AUTHENTICATE}, error="invalid_token"`)
    }
  }
  // Checked before the body: a body Fastify would refuse (415, 400) is 401 all the same.
  assertProblem(await app.inject(post('/events', 'not json', { 'content-type': 'text/plain' })), 'PIPELINE_API_KEY_MISSING', '/events')
  assertProblem(await app.inject(post('/events', '{"', { 'content-encoding': 'br' })), 'PIPELINE_API_KEY_MISSING', '/events')
  assert.equal(sent.length, 0)
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  assert.match(metrics, /pipeline_api_key_failures_total\{reason="PIPELINE_API_KEY_MISSING",service="test"\} 8/)
  assert.match(metrics, /pipeline_api_key_failures_total\{reason="PIPELINE_API_KEY_INVALID",service="test"\} 6/)
  for (const url of ['/health', '/health/ready', '/health/lag', '/metrics', '/docs/json']) {
    assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} needs no key`)
  }
})

test('a key writes the services it is bound to (names and prefix*); any other is 403 for the whole request, nothing written', async (t) => {
  const web = testKey({ name: 'web', services: ['web', 'shop-*'] })
  const { app, sent } = await testApp(t, { keys: { key: web }, overrides: { maxBatchEvents: 10 } })
  const headers = bearer(web.key)
  assert.equal((await app.inject(post('/events', event('web'), headers))).statusCode, 202)
  assert.equal((await app.inject(post('/events', event('shop-eu'), headers))).statusCode, 202)
  assert.equal((await app.inject(post('/events/batch', { events: [event('web'), event('shop-us')] }, headers))).statusCode, 202)
  assert.equal(sent.length, 4)

  const single = await app.inject(post('/events', event('billing'), headers))
  assertProblem(single, 'PIPELINE_SERVICE_FORBIDDEN', '/events')
  assert.deepEqual(single.json().errors, [{ path: '/service', message: `API key ${web.record.id} (web) may not write service "billing"` }])

  // One event of another service refuses the batch whole, even beside valid and invalid events.
  const batch = await app.inject(post('/events/batch', { events: [event('web'), event('billing'), { ...event('web'), event_type: 'nope' }, event('shop')] }, headers))
  assertProblem(batch, 'PIPELINE_SERVICE_FORBIDDEN', '/events/batch')
  assert.deepEqual(batch.json().errors.map((e: { index: number; path: string }) => [e.index, e.path]), [[1, '/service'], [3, '/service']])
  assert.match(batch.json().detail, /"billing", "shop"; nothing was written/)
  assert.equal(sent.length, 4, 'nothing of a 403 is sent')

  // Events without a string service are validation's to refuse (400), not authorization's.
  const invalid = await app.inject(post('/events', { event_type: 'generic', payload: {} }, headers))
  assert.equal(invalid.json().code, 'PIPELINE_EVENT_INVALID')
})

test('a 403 lists at most 10 services however many a batch names', async (t) => {
  const only = testKey({ services: ['web'] })
  const { app } = await testApp(t, { keys: { key: only }, overrides: { maxBatchEvents: 1000, bodyLimit: 1024 * 1024 } })
  const events = Array.from({ length: 500 }, (_, i) => event(`svc-${i}`))
  const res = await app.inject(post('/events/batch', { events }, bearer(only.key)))
  assert.equal(res.statusCode, 403)
  assert.equal(res.json().errors.length, 10)
  assert.match(res.json().detail, /and 490 more; nothing was written$/)
})

test('past its rate limit a key gets 429 with Retry-After and nothing is sent; Redis away: the request is admitted', async (t) => {
  const decisions: RateDecision[] = [{ outcome: 'allowed' }, { outcome: 'limited', retryAfterSeconds: 1 }, { outcome: 'bypassed' }]
  const asked: [string, number][] = []
  const limiter: RateLimiter = { take: async (id, limit) => { asked.push([id, limit]); return decisions.shift() ?? { outcome: 'allowed' } } }
  const key = testKey({ rateLimit: 7 })
  const { app, sent } = await testApp(t, { keys: { key, limiter } })
  assert.equal((await app.inject(post('/events', event('svc'), bearer(key.key)))).statusCode, 202)
  const limited = await app.inject(post('/events', event('svc'), bearer(key.key)))
  assertProblem(limited, 'PIPELINE_RATE_LIMITED', '/events')
  assert.equal(limited.headers['retry-after'], '1')
  assert.deepEqual([limited.json().key_id, limited.json().limit], [key.record.id, 7])
  assert.equal((await app.inject(post('/events', event('svc'), bearer(key.key)))).statusCode, 202, 'bypassed: admitted')
  assert.equal(sent.length, 2)
  assert.deepEqual(asked, [[key.record.id, 7], [key.record.id, 7], [key.record.id, 7]])
  // Refused keys never reach the limiter.
  await app.inject(post('/events', event('svc'), bearer(testKey().key)))
  assert.equal(asked.length, 3)
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  assert.match(metrics, /pipeline_http_throttled_total\{status="429",reason="PIPELINE_RATE_LIMITED",service="test"\} 1/)
})

test('the OpenAPI document names the bearer scheme on both ingestion routes, with their 401, 403 and 429', async (t) => {
  const { app } = await testApp(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  assert.equal(doc.components.securitySchemes.producerApiKey.type, 'http')
  assert.equal(doc.components.securitySchemes.producerApiKey.scheme, 'bearer')
  for (const path of ['/events', '/events/batch']) {
    assert.deepEqual(doc.paths[path].post.security, [{ producerApiKey: [] }])
    for (const status of ['401', '403', '429']) assert.ok(doc.paths[path].post.responses[status], `${path} documents ${status}`)
  }
  assert.equal(doc.paths['/health'].get.security, undefined)
})
