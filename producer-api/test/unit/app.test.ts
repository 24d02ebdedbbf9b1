/**
 * The HTTP contract of producer-api through Fastify's inject(), with a recording sender in
 * place of the broker (the broker path is covered by the integration and e2e tests).
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Message } from 'kafkajs'
import { loadCatalog } from '../../../lib/src/avro/catalog.js'
import { PipelineError } from '../../../lib/src/errors.js'
import { createLogger } from '../../../lib/src/logger.js'
import { buildApp } from '../../src/app.js'
import { createEventValidator } from '../../src/events/validate.js'

const validate = createEventValidator(loadCatalog())
const event = { service: 'svc', event_type: 'generic', payload: { a: 1 } }

async function appWith(t: TestContext, send: (messages: readonly Message[]) => Promise<void> = async () => undefined) {
  const sent: Message[] = []
  const app = await buildApp({
    logger: createLogger({ level: 'silent' }, 'test'),
    accept: { validate, clock: () => 1_000_000, sender: { send: async (m) => { await send(m); sent.push(...m) } } },
    ready: async () => ({ ready: true, checks: {} }),
    bodyLimit: 4096,
    maxBatchEvents: 3,
  })
  t.after(() => app.close())
  return { app, sent }
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
    [post('/events', [event]), 400, 'PIPELINE_BODY_INVALID'],
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
