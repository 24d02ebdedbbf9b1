/**
 * The whole ingestion path on the real services: producer-api and the events-pg-sink
 * consumer run as child processes on a fresh topic and group; assertions are made in Postgres.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { startPipeline } from '../../../lib/test/helpers/pipeline.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { assertExactlyOnce, countByEventId } from '../../../lib/test/helpers/services.js'
import { genericEvent, post, startLoad } from '../../../lib/test/helpers/load.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('every 202 is in Postgres exactly once; 4xx are not; a retry with the same id leaves one row', async (t) => {
  const { pool, api, apiKey } = await startPipeline(t)

  const load = startLoad({ url: api.url, apiKey, concurrency: 16, batchSize: 1, requests: 300 })
  const batches = startLoad({ url: api.url, apiKey, concurrency: 4, batchSize: 100, requests: 12 })
  await Promise.all([load.done, batches.done])
  assert.deepEqual([...load.statuses], [[202, 300]])
  assert.deepEqual([...batches.statuses], [[202, 12]])

  const invalid = [
    genericEvent('e2e', { event_type: 'unknown.type' }),
    genericEvent('e2e', { payload: { bad: 'nul\u0000' } }),
    genericEvent('e2e', { surprise: true }),
    { ...genericEvent('e2e'), event_type: 'trx.created', user_id: 1, payload: { amount: 'ten' } },
  ]
  for (const event of invalid) assert.equal((await post(`${api.url}/events`, event, apiKey)).status, 400)
  const valid = genericEvent('e2e')
  const partial = await post(`${api.url}/events/batch`, { events: [valid, ...invalid] }, apiKey)
  assert.equal(partial.status, 207)

  // Client retries: the same ids again, singly and in a batch.
  const retried = [...load.acked].slice(0, 20)
  for (const id of retried.slice(0, 10)) {
    assert.equal((await post(`${api.url}/events`, { ...genericEvent('e2e'), event_id: id }, apiKey)).status, 202)
  }
  const again = await post(`${api.url}/events/batch`, { events: retried.slice(10).map((id) => ({ ...genericEvent('e2e'), event_id: id })) }, apiKey)
  assert.equal(again.status, 202)

  const acked = [...load.acked, ...batches.acked, valid.event_id]
  assert.equal(acked.length, 300 + 1200 + 1)
  await assertExactlyOnce(pool, acked)
  const rejected = await countByEventId(pool, invalid.map((e) => e.event_id))
  assert.equal(rejected.size, 0, 'nothing answered 4xx is written')
})

test('gzip bodies over real HTTP: a batch and a single event reach Postgres exactly once; a bomb gets 413 and writes nothing', async (t) => {
  const { pool, api, apiKey } = await startPipeline(t, { partitions: 1 })
  const send = (path: string, body: Buffer) => fetch(`${api.url}${path}`, {
    method: 'POST', body, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
  })
  const events = Array.from({ length: 50 }, () => genericEvent('e2e-gzip'))
  assert.equal((await send('/events/batch', gzipSync(JSON.stringify({ events })))).status, 202)
  const single = genericEvent('e2e-gzip')
  assert.equal((await send('/events', gzipSync(JSON.stringify(single)))).status, 202)
  const bombed = genericEvent('e2e-gzip', { payload: { pad: ' '.repeat(64 * 1024 * 1024) } }) // 64 MiB inflated, far past BODY_LIMIT_BYTES
  const bomb = await send('/events', gzipSync(JSON.stringify(bombed), { level: 9 }))
  assert.equal(bomb.status, 413)
  assert.equal(((await bomb.json()) as { code: string }).code, 'PIPELINE_BODY_TOO_LARGE')
  await assertExactlyOnce(pool, [...events.map((e) => e.event_id), single.event_id])
  assert.equal((await countByEventId(pool, [bombed.event_id])).size, 0)
})

test('payload edge cases reach Postgres intact, or get a clear 400', async (t) => {
  const { pool, api, apiKey } = await startPipeline(t, { partitions: 1 })

  const payloads: Record<string, unknown>[] = [
    { tab: 'a\tb', newline: 'a\nb\r\nc', backslash: 'C:\\path\\n', quote: '"\'', copyish: '\\N', end: '\\.' },
    { emoji: '😀🚀', cjk: '漢字', rtl: 'עברית', separators: '\u2028\u2029', bom: '\ufeff', control: '\u0001\u001f' },
    { nested: { deep: [[[{ x: [1, 2, { y: null }] }]]] }, numbers: [0, -1, 1.5e300, 123456789012345, -0.000001], bool: [true, false] },
    { '': 'empty key', 'key with spaces': 1, 'ключ': 'значение' },
    { big: 'x'.repeat(1024 * 1024 - 200) }, // ~1 MiB body, just under BODY_LIMIT_BYTES
  ]
  const ids: string[] = []
  for (const payload of payloads) {
    const event = genericEvent('edge', { payload })
    const res = await post(`${api.url}/events`, event, apiKey)
    assert.equal(res.status, 202, JSON.stringify(res.body).slice(0, 300))
    ids.push(event.event_id)
  }
  const tooBig = await post(`${api.url}/events`, genericEvent('edge', { payload: { big: 'x'.repeat(1024 * 1024) } }), apiKey)
  assert.equal(tooBig.status, 413)
  assert.equal(tooBig.body.code, 'PIPELINE_BODY_TOO_LARGE')
  for (const bad of [{ s: 'a\u0000b' }, { ['k\u0000']: 1 }, { s: 'lone \ud83d surrogate' }]) {
    const res = await post(`${api.url}/events`, genericEvent('edge', { payload: bad }), apiKey)
    assert.equal(res.status, 400)
    assert.equal(res.body.code, 'PIPELINE_EVENT_INVALID')
  }

  await assertExactlyOnce(pool, ids)
  const { rows } = await pool.query<{ event_id: string; payload: unknown }>('SELECT event_id::text, payload FROM events WHERE event_id = ANY($1::uuid[])', [ids])
  const stored = new Map(rows.map((r) => [r.event_id, r.payload]))
  ids.forEach((id, i) => assert.deepEqual(stored.get(id), payloads[i], `payload ${i}`))
})

test('kill -9 of the consumer mid-stream, then a restart: every acknowledged event exactly once', async (t) => {
  const { pool, api, apiKey, consumer: first, topic } = await startPipeline(t)
  const load = startLoad({ url: api.url, apiKey, concurrency: 8, batchSize: 50 })
  await sleep(1500)
  first.kill('SIGKILL')
  await first.exited
  await sleep(500)
  await startService(t, 'consumer', topic.env)
  await sleep(1000)
  load.stop()
  await load.done
  assert.ok(load.acked.size > 1000, `only ${load.acked.size} acknowledged`)
  await assertExactlyOnce(pool, [...load.acked], 60_000)
})

test('a rebalance (a second consumer joins, then the first gets SIGTERM) keeps every event exactly once', async (t) => {
  const { pool, api, apiKey, consumer: first, topic } = await startPipeline(t, { partitions: 4 })
  const load = startLoad({ url: api.url, apiKey, concurrency: 8, batchSize: 50 })
  await sleep(1000)
  const second = await startService(t, 'consumer', topic.env)
  await sleep(1000)
  first.kill('SIGTERM')
  assert.equal(await first.exited, 0, 'the consumer drains and exits 0 on SIGTERM')
  assert.match(first.log(), /shut down cleanly/)
  await sleep(1000)
  load.stop()
  await load.done
  assert.ok(load.acked.size > 1000, `only ${load.acked.size} acknowledged`)
  await assertExactlyOnce(pool, [...load.acked], 60_000)
  assert.equal(second.proc.exitCode, null)
})

test('kill -9 of producer-api under load: every acknowledged event is in Postgres exactly once', async (t) => {
  const { pool, api, apiKey } = await startPipeline(t)
  const load = startLoad({ url: api.url, apiKey, concurrency: 16, batchSize: 1 })
  await sleep(1500)
  api.kill('SIGKILL')
  await api.exited
  load.stop()
  await load.done
  assert.ok(load.acked.size > 100, `only ${load.acked.size} acknowledged`)
  assert.ok((load.statuses.get('connection-error') ?? 0) >= 1, 'requests in flight saw the connection drop')
  await assertExactlyOnce(pool, [...load.acked])
})

test('SIGTERM during load: in-flight requests finish, the process exits 0, nothing acknowledged is lost', async (t) => {
  const { pool, api, apiKey } = await startPipeline(t)
  const load = startLoad({ url: api.url, apiKey, concurrency: 16, batchSize: 20 })
  await sleep(1500)
  api.kill('SIGTERM')
  assert.equal(await api.exited, 0)
  load.stop()
  await load.done
  for (const status of load.statuses.keys()) {
    assert.ok([202, 503, 'connection-error'].includes(status), `unexpected outcome ${status}`)
  }
  assert.ok(load.acked.size > 100, `only ${load.acked.size} acknowledged`)
  await assertExactlyOnce(pool, [...load.acked])
  assert.match(api.log(), /shut down cleanly/)
})
