/**
 * The HTTP contract of producer-api through Fastify's inject(), with a recording sender in
 * place of the broker (the broker path is covered by the integration and e2e tests).
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { OutgoingRecord } from '../../../lib/src/kafka/record-producer.js'
import { loadCatalog } from '../../../lib/src/avro/catalog.js'
import { PipelineError } from '../../../lib/src/errors.js'
import { createLogger } from '../../../lib/src/logger.js'
import { createHttpMetrics, createIngestMetrics, createRegistry } from '../../../lib/src/metrics.js'
import { buildApp } from '../../src/app.js'
import { createEventValidator } from '../../src/events/validate.js'
import type { LagSnapshot } from '../../src/lag/monitor.js'
import type { Decision, Thresholds } from '../../src/lag/policy.js'

const validate = createEventValidator(loadCatalog())
const event = { service: 'svc', event_type: 'generic', payload: { a: 1 } }

const thresholds: Thresholds = { soft: 100, hard: 1000, hysteresis: 0.2, minShedShare: 0.1, maxRetryAfterSeconds: 60, unknownRetryAfterSeconds: 5 }
const OK: Decision = { state: 'ok', shedShare: 0, retryAfterSeconds: 0, reason: 'fine' }

async function appWith(t: TestContext, send: (messages: readonly OutgoingRecord[]) => Promise<void> = async () => undefined, maxRequests = 100) {
  const sent: OutgoingRecord[] = []
  const lag = { decision: OK }
  const registry = createRegistry('test')
  const app = await buildApp({
    logger: createLogger({ level: 'silent' }, 'test'),
    accept: { validate, clock: () => 1_000_000, sender: { send: async (m) => { await send(m); sent.push(...m) } } },
    ready: async () => ({ ready: true, checks: {} }),
    bodyLimit: 4096,
    maxBatchEvents: 3,
    lag: { snapshot: (): LagSnapshot => ({ readAt: 1, groups: [], decision: lag.decision, error: undefined }), thresholds },
    admission: { maxRequests, maxBytes: 1_000_000, maxEventLoopDelayMs: 0, retryAfterSeconds: 1 },
    metrics: { registry, http: createHttpMetrics(registry), ingest: createIngestMetrics(registry) },
    random: () => 0.5,
  })
  t.after(() => app.close())
  return { app, sent, lag }
}

const post = (url: string, payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  ({ method: 'POST' as const, url, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers })

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
