/**
 * The client library against a small local HTTP server of the test's own that answers like
 * producer-api would (no broker involved: this is the client's retry logic).
 */
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, type TestContext } from 'node:test'
import { createEventsClient } from '../../../src/client/events-client.js'

type Answer = { status: number; body?: unknown; retryAfter?: string }

async function server(t: TestContext, answers: Answer[]) {
  const seen: { url: string; body: unknown; authorization: string | undefined }[] = []
  const srv = createServer((req: IncomingMessage, res) => {
    let text = ''
    req.on('data', (c) => { text += c })
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body: JSON.parse(text), authorization: req.headers.authorization })
      const a = answers.shift() ?? { status: 202, body: {} }
      res.writeHead(a.status, { 'content-type': 'application/json', ...(a.retryAfter ? { 'retry-after': a.retryAfter } : {}) })
      res.end(JSON.stringify(a.body ?? {}))
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => srv.close(() => r())))
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen }
}

const event = { service: 's', event_type: 'generic', payload: { a: 1 } }

test('an id is assigned once and reused on every retry after 429/503 Retry-After', async (t) => {
  const { url, seen } = await server(t, [{ status: 503, retryAfter: '0.05' }, { status: 429, retryAfter: '0.05' }, { status: 202 }])
  const retries: (number | 'error')[] = []
  const client = createEventsClient({ url, onRetry: ({ status }) => retries.push(status) })
  t.after(() => client.close())
  const result = await client.send(event)
  assert.equal(result.outcome, 'accepted')
  assert.equal(result.outcome === 'accepted' && result.attempts, 3)
  assert.deepEqual(retries, [503, 429])
  const ids = seen.map((s) => (s.body as { event_id: string }).event_id)
  assert.equal(new Set(ids).size, 1)
  assert.match(ids[0] ?? '', /^[0-9a-f-]{36}$/)
})

test('a 4xx is final; giving up after maxAttempts says the outcome is unknown', async (t) => {
  const { url } = await server(t, [{ status: 400, body: { code: 'PIPELINE_EVENT_INVALID' } }, { status: 503, retryAfter: '0.01' }, { status: 503, retryAfter: '0.01' }])
  const client = createEventsClient({ url, maxAttempts: 2 })
  t.after(() => client.close())
  const bad = await client.send(event)
  assert.deepEqual(bad.outcome === 'rejected' && [bad.status, bad.problem], [400, { code: 'PIPELINE_EVENT_INVALID' }])
  const failed = await client.send(event)
  assert.equal(failed.outcome, 'failed')
  assert.equal(failed.outcome === 'failed' && failed.lastStatus, 503)
})

test('a batch: 207 splits into accepted ids and rejected indexes', async (t) => {
  const { url, seen } = await server(t, [{ status: 207, body: { results: [{ index: 0, status: 202 }, { index: 1, status: 400, errors: [{ path: '/service' }] }] } }])
  const client = createEventsClient({ url })
  t.after(() => client.close())
  const result = await client.sendBatch([event, { ...event, service: '' }])
  assert.equal(seen[0]?.url, '/events/batch')
  const sent = (seen[0]?.body as { events: { event_id: string }[] }).events
  assert.ok(result.outcome === 'partial')
  assert.deepEqual(result.eventIds, [sent[0]?.event_id])
  assert.deepEqual(result.rejected.map((r) => r.index), [1])
})

test('every POST carries the API key as a bearer token: the one given, else PRODUCER_API_KEY; a 401 is final', async (t) => {
  const { url, seen } = await server(t, [{ status: 202 }, { status: 202 }, { status: 401, body: { code: 'PIPELINE_API_KEY_INVALID' } }])
  const given = createEventsClient({ url, apiKey: 'pak_0123456789abcdef_given' })
  t.after(() => given.close())
  await given.send(event)
  await given.sendBatch([event])
  const saved = process.env.PRODUCER_API_KEY
  process.env.PRODUCER_API_KEY = 'pak_0123456789abcdef_from-env'
  t.after(() => { if (saved === undefined) delete process.env.PRODUCER_API_KEY; else process.env.PRODUCER_API_KEY = saved })
  const fromEnv = createEventsClient({ url, maxAttempts: 3 })
  t.after(() => fromEnv.close())
  const refused = await fromEnv.send(event)
  assert.deepEqual(refused.outcome === 'rejected' && [refused.status, refused.attempts], [401, 1])
  assert.deepEqual(seen.map((s) => s.authorization), ['Bearer pak_0123456789abcdef_given', 'Bearer pak_0123456789abcdef_given', 'Bearer pak_0123456789abcdef_from-env'])
})
