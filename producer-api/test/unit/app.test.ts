/**
 * The HTTP contract of producer-api through Fastify's inject(), with a recording sender in
 * place of the broker (the broker path is covered by the integration and e2e tests).
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { gzipSync } from 'node:zlib'
import type { OutgoingRecord } from '../../../lib/src/kafka/record-producer.js'
import { loadCatalog } from '../../../lib/src/avro/catalog.js'
import { PipelineError } from '../../../lib/src/errors.js'
import type { AppDeps } from '../../src/app.js'
import { createEventValidator } from '../../src/events/validate.js'
import type { Decision } from '../../src/lag/policy.js'
import { post as request, testApp } from '../helpers/app.js'
import { testKey } from '../helpers/auth.js'

const event = { service: 'svc', event_type: 'generic', payload: { a: 1 } }

/** Every app here holds this key and every post sends it (the key check has its own tests: plugins/api-keys.test.ts). */
const KEY = testKey()
const authorization = `Bearer ${KEY.key}`

const appWith = (t: TestContext, send?: (messages: readonly OutgoingRecord[]) => Promise<void>, maxRequests = 100, overrides: Partial<AppDeps> = {}) =>
  testApp(t, { send, maxRequests, overrides, keys: { key: KEY } })

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => request(url, payload, { authorization, ...headers })

test('POST /events: 202 with the event id after the send resolves', async (t) => {
  const { app, sent } = await appWith(t)
  const res = await app.inject(post('/events', event))
  assert.equal(res.statusCode, 202)
  const { event_id } = res.json()
  assert.equal(sent.length, 1)
  assert.equal(sent[0]?.headers?.['event-id'], event_id)
  assert.equal(sent[0]?.headers?.['event-type'], 'generic')
  assert.equal(sent[0]?.key, 'svc')
})

test('client mistakes get problem+json 4xx and send nothing', async (t) => {
  const { app, sent } = await appWith(t)
  const cases: [ReturnType<typeof post>, number, string][] = [
    [post('/events', '{"service":'), 400, 'PIPELINE_BODY_MALFORMED'],
    [post('/events', ''), 400, 'PIPELINE_BODY_MALFORMED'],
    [post('/events', '{"__proto__":{"x":1}}'), 400, 'PIPELINE_BODY_MALFORMED'],
    [post('/events', 'hello', { 'content-type': 'text/plain' }), 415, 'PIPELINE_UNSUPPORTED_MEDIA_TYPE'],
    [post('/events', { ...event, payload: { big: 'x'.repeat(5000) } }), 413, 'PIPELINE_BODY_TOO_LARGE'],
    [post('/events', { ...event, extra: true }), 400, 'PIPELINE_EVENT_INVALID'],
    [post('/events', [event]), 400, 'PIPELINE_EVENT_INVALID'],
    [post('/events/batch', [event]), 400, 'PIPELINE_BODY_INVALID'],
    [post('/events/batch', { events: [] }), 400, 'PIPELINE_BODY_INVALID'],
    [post('/events/batch', { events: [event, event, event, event] }), 400, 'PIPELINE_BODY_INVALID'],
    [post('/events/batch', { events: [event], more: 1 }), 400, 'PIPELINE_BODY_INVALID'],
    [post('/nope', event), 404, 'PIPELINE_NOT_FOUND'],
  ]
  for (const [req, status, code] of cases) {
    const res = await app.inject(req)
    assert.equal(res.statusCode, status, `${req.url} ${req.payload.slice(0, 40)} → ${res.body}`)
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
    assert.equal(res.json().code, code)
    assert.equal(res.json().type, `urn:pipeline:problem:${code}`)
  }
  assert.equal(sent.length, 0)
})

test('POST /events/batch: 202 all valid, 207 partial with only the valid sent, 400 none valid', async (t) => {
  const { app, sent } = await appWith(t)
  const all = await app.inject(post('/events/batch', { events: [event, event] }))
  assert.equal(all.statusCode, 202)
  assert.equal(all.json().accepted, 2)
  assert.equal(sent.length, 2)

  const partial = await app.inject(post('/events/batch', { events: [event, { ...event, service: '' }, event] }))
  assert.equal(partial.statusCode, 207)
  const body = partial.json()
  assert.deepEqual(body.results.map((r: { status: number }) => r.status), [202, 400, 202])
  assert.equal(body.results[1].errors[0].path, '/service')
  assert.equal(sent.length, 4)

  const none = await app.inject(post('/events/batch', { events: [{ ...event, event_type: 'x' }, 5] }))
  assert.equal(none.statusCode, 400)
  assert.equal(none.json().code, 'PIPELINE_BATCH_INVALID')
  assert.deepEqual(none.json().errors.map((e: { index: number }) => e.index), [0, 1])
  assert.equal(sent.length, 4)
})

test('broker trouble is a 503 with Retry-After and the ids to resend', async (t) => {
  const { app } = await appWith(t, async () => {
    throw new PipelineError('PIPELINE_BROKER_UNCONFIRMED', 'slow', { retryAfter: 3 })
  })
  const res = await app.inject(post('/events', { ...event, event_id: '01a20e24-213f-71aa-9e50-377fc0faab61' }))
  assert.equal(res.statusCode, 503)
  assert.equal(res.headers['retry-after'], '3')
  assert.deepEqual(res.json().event_ids, ['01a20e24-213f-71aa-9e50-377fc0faab61'])
})

test('a fault of ours is a 500 problem without internals', async (t) => {
  const { app } = await appWith(t, async () => {
    throw new TypeError('bug')
  })
  const res = await app.inject(post('/events', event))
  assert.equal(res.statusCode, 500)
  assert.equal(res.json().code, 'PIPELINE_INTERNAL')
  assert.doesNotMatch(res.body, /bug/)
})

test('health endpoints', async (t) => {
  const { app } = await appWith(t)
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  assert.equal((await app.inject({ method: 'GET', url: '/health/ready' })).json().status, 'ready')
})

test('backpressure: 429 for the shed share, 503 when rejecting or unknown; health is never throttled', async (t) => {
  const { app, sent, lag } = await appWith(t)
  const cases: [Decision, number | undefined, string | undefined][] = [
    [{ state: 'throttle', shedShare: 0.4, retryAfterSeconds: 7, reason: 'r' }, 202, undefined], // roll 0.5 ≥ 0.4: accepted
    [{ state: 'throttle', shedShare: 0.6, retryAfterSeconds: 7, reason: 'r' }, 429, 'PIPELINE_THROTTLED'],
    [{ state: 'reject', shedShare: 1, retryAfterSeconds: 12, reason: 'r' }, 503, 'PIPELINE_LAG_CRITICAL'],
    [{ state: 'unknown', shedShare: 1, retryAfterSeconds: 5, reason: 'r' }, 503, 'PIPELINE_LAG_UNKNOWN'],
  ]
  for (const [decision, status, code] of cases) {
    lag.decision = decision
    const res = await app.inject(post('/events', event))
    assert.equal(res.statusCode, status, decision.state)
    if (code !== undefined) {
      assert.equal(res.json().code, code)
      assert.equal(res.headers['retry-after'], String(decision.retryAfterSeconds))
    }
    for (const url of ['/health', '/health/ready', '/health/lag', '/health/buffer', '/metrics']) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} while ${decision.state}`)
    }
  }
  assert.equal(sent.length, 1)
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  assert.match(metrics, /pipeline_http_throttled_total\{status="429",reason="PIPELINE_THROTTLED",service="test"\} 1/)
  assert.match(metrics, /pipeline_http_requests_total\{method="POST",route="\/events",status="503",service="test"\} 2/)
  assert.match(metrics, /process_cpu_seconds_total/)
})

test('admission: past the in-flight bound, requests get a fast 503 and the rest still succeed', async (t) => {
  let release = () => {}
  const gate = new Promise<void>((r) => { release = r })
  const { app, sent } = await appWith(t, () => gate, 3)
  const slow = Array.from({ length: 3 }, () => app.inject(post('/events', event)))
  await new Promise((r) => setTimeout(r, 50))
  const refused = await app.inject(post('/events', event))
  assert.equal(refused.statusCode, 503)
  assert.equal(refused.json().code, 'PIPELINE_OVERLOADED')
  assert.equal(refused.headers['retry-after'], '1')
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  release()
  assert.deepEqual((await Promise.all(slow)).map((r) => r.statusCode), [202, 202, 202])
  assert.equal((await app.inject(post('/events', event))).statusCode, 202, 'slots are released')
  assert.equal(sent.length, 4)
})

test('OpenAPI document at /docs/json, generated from the route schemas; UI at /docs', async (t) => {
  const { app } = await appWith(t)
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  assert.equal(res.statusCode, 200)
  const doc = res.json()
  assert.match(doc.openapi, /^3\./)
  const single = doc.paths['/events'].post
  const body = single.requestBody.content['application/json'].schema
  assert.deepEqual(body.required, ['service', 'event_type', 'payload'])
  assert.equal(body.additionalProperties, false)
  assert.ok(doc.paths['/events/batch'].post.responses['207'])
  assert.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true)
})

/** `{"a":[[…]]}`: the payload object is level 1, each array one more. */
const payloadOfDepth = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`
const eventText = (payload: string) => `{"service":"svc","event_type":"generic","payload":${payload}}`

test('a payload nested past PAYLOAD_MAX_DEPTH is 400 PIPELINE_PAYLOAD_TOO_DEEP at any depth, never a 500; at the limit it is accepted', async (t) => {
  const { app, sent } = await appWith(t, undefined, 100, { bodyLimit: 1024 * 1024 })
  for (const depth of [33, 10_000, 100_000]) {
    const single = await app.inject(post('/events', eventText(payloadOfDepth(depth))))
    assert.equal(single.statusCode, 400, `depth ${depth}: ${single.body.slice(0, 200)}`)
    assert.match(String(single.headers['content-type']), /^application\/problem\+json/)
    assert.equal(single.json().code, 'PIPELINE_PAYLOAD_TOO_DEEP')
    assert.equal(single.json().errors[0].path, `/payload/a${'/0'.repeat(31)}`, 'where level 33 begins')
    assert.match(single.json().errors[0].message, /more than 32 levels/)

    const batch = await app.inject(post('/events/batch', `{"events":[${eventText(payloadOfDepth(depth))}]}`))
    assert.equal(batch.statusCode, 400, `batch, depth ${depth}: ${batch.body.slice(0, 200)}`)
    assert.match(String(batch.headers['content-type']), /^application\/problem\+json/)
    assert.equal(batch.json().code, 'PIPELINE_BATCH_INVALID')
    assert.equal(batch.json().errors[0].index, 0)
    assert.match(batch.json().errors[0].message, /more than 32 levels/)
  }
  // Deep anywhere else in the body: refused by the shape checks, which never walk into it.
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
  for (const [url, body, code] of [
    ['/events', `{"service":${deep},"event_type":"generic","payload":{}}`, 'PIPELINE_EVENT_INVALID'],
    ['/events', `{"service":"svc","event_type":"generic","payload":${deep}}`, 'PIPELINE_EVENT_INVALID'],
    ['/events', `{"service":"svc","event_type":"generic","payload":{},"extra":${deep}}`, 'PIPELINE_EVENT_INVALID'],
    ['/events', deep, 'PIPELINE_EVENT_INVALID'],
    ['/events/batch', `{"events":[${eventText('{}')}],"extra":${deep}}`, 'PIPELINE_BODY_INVALID'],
    ['/events/batch', `{"events":${deep}}`, 'PIPELINE_BATCH_INVALID'],
  ] as const) {
    const res = await app.inject(post(url, body))
    assert.equal(res.statusCode, 400, `${url} ${body.slice(0, 40)}: ${res.body.slice(0, 200)}`)
    assert.equal(res.json().code, code, `${url} ${body.slice(0, 40)}`)
  }
  assert.equal(sent.length, 0, 'nothing too deep is written')

  // Exactly PAYLOAD_MAX_DEPTH (32) levels: accepted, and written as sent.
  const atLimit = await app.inject(post('/events', eventText(payloadOfDepth(32))))
  assert.equal(atLimit.statusCode, 202, atLimit.body)
  const batchAtLimit = await app.inject(post('/events/batch', `{"events":[${eventText(payloadOfDepth(32))},${eventText(payloadOfDepth(32))}]}`))
  assert.equal(batchAtLimit.statusCode, 202, batchAtLimit.body)
  assert.equal(sent.length, 3)

  // In a batch each event is judged on its own: the deep one is refused, the others written.
  const mixed = await app.inject(post('/events/batch', `{"events":[${eventText(payloadOfDepth(10_000))},${eventText('{"ok":true}')}]}`))
  assert.equal(mixed.statusCode, 207)
  assert.deepEqual(mixed.json().results.map((r: { status: number; code?: string }) => [r.status, r.code]), [[400, 'PIPELINE_PAYLOAD_TOO_DEEP'], [202, undefined]])
  assert.equal(sent.length, 4)
})

test('PAYLOAD_MAX_DEPTH is the validator\'s bound', async (t) => {
  const { app, sent } = await appWith(t, undefined, 100, {
    accept: { validate: createEventValidator(loadCatalog(), { maxPayloadDepth: 3 }), clock: () => 1, sender: { send: async (m) => { sent.push(...m) } } },
  })
  assert.equal((await app.inject(post('/events', eventText(payloadOfDepth(3))))).statusCode, 202)
  const res = await app.inject(post('/events', eventText(payloadOfDepth(4))))
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'PIPELINE_PAYLOAD_TOO_DEEP')
  assert.equal(sent.length, 1)
})

test('Content-Encoding other than identity or gzip (and Transfer-Encoding other than chunked) is 415 problem+json; nothing is read or written', async (t) => {
  const { app, sent } = await appWith(t)
  const json = JSON.stringify(event)
  const batch = JSON.stringify({ events: [event] })
  const refused: Record<string, string>[] = [
    { 'content-encoding': 'br2' },
    { 'content-encoding': 'gzip, gzip' },
    { 'content-encoding': 'br' },
    { 'content-encoding': 'deflate' },
    { 'content-encoding': 'identity, br' },
    { 'content-encoding': 'br, identity' },
    { 'content-encoding': 'identity,' },
    { 'content-encoding': ',' },
    { 'content-encoding': 'identity;q=1' },
    { 'content-encoding': 'x'.repeat(500) },
    { 'transfer-encoding': 'gzip, chunked' },
    { 'transfer-encoding': 'br2, chunked' },
  ]
  for (const url of ['/events', '/events/batch']) {
    for (const extra of refused) {
      const res = await app.inject(post(url, url === '/events' ? json : batch, { 'content-type': 'application/json', ...extra }))
      assert.equal(res.statusCode, 415, `${url} ${JSON.stringify(extra)} → ${res.body}`)
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
      assert.equal(res.json().code, 'PIPELINE_UNSUPPORTED_ENCODING')
      assert.equal(res.json().type, 'urn:pipeline:problem:PIPELINE_UNSUPPORTED_ENCODING')
      assert.equal(res.headers['accept-encoding'], 'gzip, identity')
      assert.ok(res.json().detail.length < 200, 'the header is not echoed whole')
    }
  }
  assert.equal(sent.length, 0)

  for (const extra of [{}, { 'content-encoding': 'identity' }, { 'content-encoding': 'IDENTITY ' }, { 'content-encoding': 'identity, identity' }, { 'content-encoding': '' }] as Record<string, string>[]) {
    const res = await app.inject(post('/events', json, { 'content-type': 'application/json', ...extra }))
    assert.equal(res.statusCode, 202, `${JSON.stringify(extra)} → ${res.body}`)
  }
  assert.equal((await app.inject(post('/events/batch', batch, { 'content-type': 'application/json', 'content-encoding': 'identity' }))).statusCode, 202)
  assert.equal(sent.length, 6)
  // Only ingestion takes bodies: the other routes do not care.
  assert.equal((await app.inject({ method: 'GET', url: '/health', headers: { 'content-encoding': 'br2' } })).statusCode, 200)
})

test('gzip bodies on both routes are inflated and taken as sent; a bomb is 413 before it is inflated whole; a body that is not gzip is 400; nothing of those is written', async (t) => {
  const { app, sent } = await appWith(t, undefined, 100, { bodyLimit: 64 * 1024 })
  const gz = (url: string, body: Buffer, extra: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: body, headers: { authorization, 'content-type': 'application/json', 'content-encoding': 'gzip', ...extra } })
  const single = await gz('/events', gzipSync(JSON.stringify(event)))
  assert.equal(single.statusCode, 202, single.body)
  const batch = await gz('/events/batch', gzipSync(JSON.stringify({ events: [event, { ...event, user_id: 43 }] })), { 'content-encoding': 'identity, gzip' })
  assert.equal(batch.statusCode, 202, batch.body)
  assert.equal(batch.json().accepted, 2)
  assert.equal(sent.length, 3)

  // 128 MiB of spaces inside the JSON (2,000 times the limit): about 125 KiB on the wire.
  const inflatedBytes = 128 * 1024 * 1024
  const bomb = gzipSync(Buffer.concat([Buffer.from('{"events":['), Buffer.alloc(inflatedBytes, 32), Buffer.from(']}')]), { level: 9 })
  assert.ok(bomb.length < 1024 * 1024)
  const rssBefore = process.memoryUsage().rss
  const started = performance.now()
  const big = await gz('/events/batch', bomb)
  assert.equal(big.statusCode, 413, big.body)
  assert.equal(big.json().code, 'PIPELINE_BODY_TOO_LARGE')
  assert.ok(performance.now() - started < 5_000, 'stopped at the limit, not inflated whole')
  assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'not held in memory')

  for (const [body, what] of [[Buffer.from(JSON.stringify(event)), 'plain JSON under gzip'], [gzipSync(JSON.stringify(event)).subarray(0, 20), 'cut short'], [Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]), 'corrupt']] as const) {
    const res = await gz('/events', body)
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`)
    assert.equal(res.json().code, 'PIPELINE_BODY_MALFORMED', what)
  }
  assert.equal(sent.length, 3)
})
