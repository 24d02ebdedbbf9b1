/**
 * The read path end to end, on the real stack: POST trx events → Kafka → user-recap-projector
 * → MySQL (+ Redis invalidation) → signed GET /api/user-data. Outcomes: every acknowledged trx
 * event folded exactly once (client retries, a kill -9 of the projector), fresh values after a
 * new event (not a stale cache entry), clear 4xx for bad reads, reads served while Redis is down,
 * poison records passed over.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import { createEventsClient, type EventInput, type EventsClient } from '../../../lib/src/client/events-client.js'
import { createUserDataClient, type UserDataClient } from '../../../lib/src/client/user-data-client.js'
import { createKafka } from '../../../lib/src/kafka/client.js'
import { createProducer } from '../../../lib/src/kafka/producer.js'
import { legacySignature, signedHeaders } from '../../../lib/src/signature.js'
import { startService, type Service } from '../../../lib/test/helpers/processes.js'
import { createTestTopic, quietLogger, uniqueName, uniqueUserId, waitFor } from '../../../lib/test/helpers/services.js'
import { killServer, stackUp } from '../../../lib/test/helpers/stack.js'

const SECRET = 'e2e-read-path-signing-secret'

interface Expected { trx_count: number; total_amount: number; refund_count: number; refunded_amount: number; top_category: string }

async function startReadPath(t: TestContext) {
  const topic = await createTestTopic(t, 3)
  const env = { ...topic.env, PROJECTOR_GROUP_ID: uniqueName('test-projector'), PROJECTOR_SESSION_TIMEOUT_MS: '6000', QUERY_SIGNING_SECRET: SECRET }
  await startService(t, 'consumer', env) // the sink: producer-api's backpressure needs a live group
  const projector = await startService(t, 'projector', env)
  const api = await startService(t, 'producer-api', env)
  const query = await startService(t, 'query-api', env)
  const events = createEventsClient({ url: api.url, connections: 8 })
  const reads = createUserDataClient({ url: query.url, secret: SECRET })
  t.after(async () => { await events.close(); await reads.close() })
  return { topic, env, projector, api, query, events, reads }
}

function trxEvent(userId: number, type: 'trx.created' | 'trx.refunded', amount: number, category: string): EventInput {
  return {
    event_id: randomUUID(), service: 'e2e-read-path', event_type: type, user_id: userId,
    payload: { trx_id: randomUUID(), amount, currency: 'EUR', category, merchant: 'shop' },
  }
}

/** Expected rows from a list of acknowledged events (category ties cannot occur in these tests). */
function expectedRows(events: readonly EventInput[]): Map<number, Expected> {
  const rows = new Map<number, Expected & { categories: Map<string, number> }>()
  for (const e of events) {
    const userId = e.user_id ?? 0
    const r = rows.get(userId) ?? { trx_count: 0, total_amount: 0, refund_count: 0, refunded_amount: 0, top_category: '', categories: new Map() }
    const { amount, category } = e.payload as { amount: number; category: string }
    if (e.event_type === 'trx.created') {
      r.trx_count++
      r.total_amount += amount
      r.categories.set(category, (r.categories.get(category) ?? 0) + 1)
    } else {
      r.refund_count++
      r.refunded_amount += amount
    }
    r.top_category = [...r.categories].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
    rows.set(userId, r)
  }
  return new Map([...rows].map(([id, { categories: _c, ...rest }]) => [id, rest]))
}

async function assertServed(reads: UserDataClient, expected: Map<number, Expected>, timeoutMs = 30_000): Promise<void> {
  let last: unknown
  await waitFor(async () => {
    for (const [userId, want] of expected) {
      const { status, body } = await reads.get(userId)
      last = { userId, status, body, want }
      if (status !== 200) return false
      const got = body as Record<string, unknown>
      for (const [k, v] of Object.entries(want)) if (got[k] !== v) return false
    }
    return true
  }, { timeoutMs, message: `every user's recap to match its acknowledged events (last: ${JSON.stringify(last)})` })
}

/** Sends `events` (all must be acknowledged) and waits until every user they touch is served with them. */
async function sendAndServe(clients: { events: EventsClient; reads: UserDataClient }, events: readonly EventInput[]): Promise<void> {
  assert.equal((await clients.events.sendBatch(events)).outcome, 'accepted')
  await assertServed(clients.reads, expectedRows(events))
}

async function cacheCount(query: Service, result: string): Promise<number> {
  const text = await (await fetch(`${query.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`pipeline_query_cache_total{result="${result}"`))
  return Number(line?.split(' ').at(-1) ?? 0)
}

test('every acknowledged trx event is folded once (client retries too); reads are cached and fresh after a new event', async (t) => {
  const { events, reads, query } = await startReadPath(t)
  const users = Array.from({ length: 5 }, uniqueUserId)
  const sent: EventInput[] = []
  for (let round = 0; round < 10; round++) {
    const batch = users.flatMap((u, i) => [
      trxEvent(u, 'trx.created', 100 * (round + 1) + i, round % 3 === 0 ? 'travel' : 'groceries'),
      ...(round % 4 === 0 ? [trxEvent(u, 'trx.refunded', 50, 'groceries')] : []),
    ])
    const result = await events.sendBatch([...batch, { service: 'e2e-read-path', event_type: 'generic', payload: { round } }])
    assert.equal(result.outcome, 'accepted')
    sent.push(...batch)
    if (round % 3 === 1) assert.equal((await events.sendBatch(batch)).outcome, 'accepted') // a client retry: same ids again
  }
  await assertServed(reads, expectedRows(sent))

  const hitsBefore = await cacheCount(query, 'hit')
  for (const u of users) assert.equal((await reads.get(u)).status, 200)
  assert.equal(await cacheCount(query, 'hit') - hitsBefore, users.length, 'the second reads were served from Redis')

  const [first] = users
  assert.ok(first !== undefined)
  const more = [trxEvent(first, 'trx.created', 5000, 'travel'), trxEvent(first, 'trx.created', 7000, 'travel')]
  assert.equal((await events.sendBatch(more)).outcome, 'accepted')
  sent.push(...more)
  // The cache TTL is 60 s: seeing the new values within seconds means the projector invalidated the entry.
  await assertServed(reads, new Map([[first, expectedRows(sent).get(first) as Expected]]), 10_000)
})

test('kill -9 of the projector while it folds: after its restart every acknowledged event counts once', async (t) => {
  const { env, projector, events, reads } = await startReadPath(t)
  const users = Array.from({ length: 20 }, uniqueUserId)
  const sent: EventInput[] = []
  const sending = (async () => {
    for (let round = 0; round < 60; round++) {
      const batch = users.map((u, i) => trxEvent(u, i % 5 === 0 && round % 2 === 0 ? 'trx.refunded' : 'trx.created', 10 + round, `c${(i + round) % 3}`))
      const result = await events.sendBatch(batch)
      assert.equal(result.outcome, 'accepted')
      sent.push(...batch)
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  await new Promise((r) => setTimeout(r, 600))
  projector.kill('SIGKILL')
  await projector.exited
  await startService(t, 'projector', env)
  await sending
  const expected = expectedRows(sent)
  for (const row of expected.values()) row.top_category = '' // ties are possible here: compare the sums
  await assertServed(reads, new Map([...expected].map(([id, { top_category: _t, ...sums }]) => [id, sums as Expected])), 60_000)
})

test('a rebalance (a second projector joins, the first leaves on SIGTERM) while folding: every acknowledged event counts once', async (t) => {
  const { env, projector, events, reads } = await startReadPath(t)
  const users = Array.from({ length: 20 }, uniqueUserId)
  const sent: EventInput[] = []
  let running = true
  const sending = (async () => {
    for (let round = 0; running || round < 20; round++) {
      const batch = users.map((u, i) => trxEvent(u, 'trx.created', 1 + ((round + i) % 50), 'c'))
      assert.equal((await events.sendBatch(batch)).outcome, 'accepted')
      sent.push(...batch)
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  await new Promise((r) => setTimeout(r, 500))
  const second = await startService(t, 'projector', env) // joins: the partitions are shared out again
  projector.kill('SIGTERM')
  assert.equal(await projector.exited, 0, 'the first projector drained and exited cleanly')
  running = false
  await sending
  await assertServed(reads, expectedRows(sent), 60_000)
  assert.equal(second.proc.exitCode, null)
})

test('bad reads get a clear 401/404 problem, never a 500', async (t) => {
  const { reads, query } = await startReadPath(t)
  const user = uniqueUserId()
  const now = Date.now()
  const good = signedHeaders(SECRET, user, now)
  const cases: [string, Record<string, string>, number, string][] = [
    ['no headers', {}, 401, 'PIPELINE_SIGNATURE_MISSING'],
    ['bad timestamp', { ...good, timestamp: 'now' }, 401, 'PIPELINE_SIGNATURE_MISSING'],
    ['bad user id', { ...good, user_id: 'abc' }, 401, 'PIPELINE_SIGNATURE_MISSING'],
    ['forged (other secret)', signedHeaders('not-the-server-secret', user, now), 401, 'PIPELINE_SIGNATURE_INVALID'],
    ['signed for another user', { ...good, user_id: String(user + 1) }, 401, 'PIPELINE_SIGNATURE_INVALID'],
    ['legacy scheme, not enabled', { ...good, sign: legacySignature(good.timestamp, good.user_id) }, 401, 'PIPELINE_SIGNATURE_INVALID'],
    ['stale', signedHeaders(SECRET, user, now - 10 * 60_000), 401, 'PIPELINE_SIGNATURE_STALE'],
    ['unknown user', good, 404, 'PIPELINE_USER_NOT_FOUND'],
  ]
  for (const [name, headers, status, code] of cases) {
    const res = await reads.get(user, headers)
    assert.equal(res.status, status, name)
    assert.equal((res.body as { code?: string }).code, code, name)
  }
  const post = await fetch(`${query.url}/api/user-data`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
  assert.ok(post.status === 404 || post.status === 405, `POST answered ${post.status}`)
  assert.match(post.headers.get('content-type') ?? '', /problem\+json/)
})

test('Redis killed: reads are served from MySQL; once it is back, from the cache again', async (t) => {
  const { events, reads, query } = await startReadPath(t)
  const user = uniqueUserId()
  await sendAndServe({ events, reads }, [trxEvent(user, 'trx.created', 1234, 'books')])
  t.after(stackUp)
  await killServer('redis')
  const bypassBefore = await cacheCount(query, 'bypass')
  for (let i = 0; i < 5; i++) assert.equal((await reads.get(user)).status, 200)
  assert.equal(await cacheCount(query, 'bypass') - bypassBefore, 5)
  assert.equal((await (await fetch(`${query.url}/health/ready`)).json() as { status: string }).status, 'ready')
  await stackUp()
  await waitFor(async () => {
    const hits = await cacheCount(query, 'hit')
    await reads.get(user)
    await reads.get(user)
    return await cacheCount(query, 'hit') > hits
  }, { timeoutMs: 15_000, message: 'reads to be cached again after Redis restarted' })
})

test('MariaDB killed: cached users are still served, others get 503 with Retry-After, and after its restart the projector folds what arrived meanwhile, once', async (t) => {
  const { events, reads } = await startReadPath(t)
  const cachedUser = uniqueUserId()
  const otherUser = uniqueUserId()
  const before = [trxEvent(cachedUser, 'trx.created', 100, 'a'), trxEvent(otherUser, 'trx.created', 200, 'b')]
  assert.equal((await events.sendBatch(before)).outcome, 'accepted')
  await assertServed(reads, new Map([[cachedUser, expectedRows(before).get(cachedUser) as Expected]])) // now cached
  t.after(stackUp)
  await killServer('mariadb')
  assert.equal((await reads.get(cachedUser)).status, 200, 'served from Redis')
  const down = await reads.get(otherUser + 1)
  assert.equal(down.status, 503)
  assert.equal((down.body as { code?: string }).code, 'PIPELINE_READ_MODEL_UNAVAILABLE')
  assert.equal(down.retryAfter, 1)
  const during = [trxEvent(cachedUser, 'trx.created', 300, 'a'), trxEvent(otherUser, 'trx.refunded', 50, 'b')]
  assert.equal((await events.sendBatch(during)).outcome, 'accepted', 'ingestion does not depend on the read model')
  await new Promise((r) => setTimeout(r, 1500)) // the projector retries meanwhile
  await stackUp()
  await assertServed(reads, expectedRows([...before, ...during]), 60_000)
})

test('poison records on the topic (garbage values, with and without a trx header) are passed over: later events are folded, nothing crashes', async (t) => {
  const { topic, projector, events, reads } = await startReadPath(t)
  const kafka = createKafka(topic.kafka, quietLogger)
  const producer = createProducer(kafka)
  await producer.connect()
  t.after(() => producer.disconnect())
  const user = uniqueUserId()
  await producer.send({
    topic: topic.topic,
    messages: [
      { key: String(user), value: Buffer.from('not avro at all'), headers: { 'event-type': 'trx.created' } },
      { key: String(user), value: Buffer.from([0, 0, 0, 0, 99, 1, 2, 3]) }, // unknown schema id, no headers
      { key: String(user), value: null, headers: { 'event-type': 'trx.refunded' } },
    ],
  })
  const good = [trxEvent(user, 'trx.created', 4200, 'books'), trxEvent(user, 'trx.refunded', 200, 'books')]
  await sendAndServe({ events, reads }, good)
  const metrics = await (await fetch(`${projector.url}/metrics`)).text()
  const undecodable = Number(/pipeline_projector_events_total\{outcome="undecodable"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? -1)
  assert.equal(undecodable, 3)
  assert.equal(projector.proc.exitCode, null, 'the projector is still running')
})

test('SIGTERM of query-api under read load: answered requests are 200 or 503 (never an error of ours), exit 0', async (t) => {
  const { events, reads, query } = await startReadPath(t)
  const user = uniqueUserId()
  await sendAndServe({ events, reads }, [trxEvent(user, 'trx.created', 10, 'a')])
  const statuses = new Map<number | string, number>()
  let running = true
  const load = Promise.all(Array.from({ length: 8 }, async () => {
    while (running) {
      const status = await reads.get(user).then((r) => r.status, () => 'connection-error')
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }))
  await new Promise((r) => setTimeout(r, 500))
  query.kill('SIGTERM')
  assert.equal(await query.exited, 0)
  running = false
  await load
  for (const status of statuses.keys()) assert.ok([200, 503, 'connection-error'].includes(status), `unexpected outcome ${status}`)
  assert.ok((statuses.get(200) ?? 0) > 100, `only ${statuses.get(200) ?? 0} reads answered`)
  assert.match(query.log(), /shut down cleanly/)
})
