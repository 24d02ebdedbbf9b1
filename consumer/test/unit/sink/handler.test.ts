/**
 * events-pg-sink's write (createSinkWrite) over an in-memory store: which rows are stored with
 * which position, what is dead-lettered with which reason, and what a failed hand-off leaves.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createDecoder } from '../../../../lib/src/avro/codec.js'
import { createRegistry, createSinkMetrics } from '../../../../lib/src/metrics.js'
import type { DeadLetter } from '../../../src/dlq.js'
import type { CopyResult, Row } from '../../../src/sink/copy.js'
import { createSinkWrite } from '../../../src/sink/handler.js'
import { createMemoryStore } from '../../helpers/memory-store.js'
import { batchOf, catalog, encoded, message, ourHeaders } from '../../helpers/records.js'

/** Refuses the rows whose payload holds "refuse", as Postgres refuses a row's data (SQLSTATE 22P05). */
function pgLike() {
  return createMemoryStore((rows: readonly Row[]) => {
    const rejected = rows.filter((r) => r.line.includes('refuse')).map((r) => ({ offset: r.offset, code: '22P05', reason: 'unsupported Unicode escape sequence' }))
    const stored = rows.filter((r) => !r.line.includes('refuse'))
    const result: CopyResult = { copied: stored.length, inserted: stored.length, rejected }
    return { stored, result }
  })
}

function setUp({ dlqFails = false } = {}) {
  const store = pgLike()
  const letters: DeadLetter[] = []
  const metrics = createSinkMetrics(createRegistry('test'))
  const write = createSinkWrite({
    store, decoder: createDecoder(catalog), metrics,
    deadLetters: {
      async send(batch) {
        if (dlqFails && batch.length > 0) throw new Error('broker down')
        letters.push(...batch)
      },
    },
  })
  return { store, letters, metrics, write }
}

const storedIds = (rows: readonly Row[]) => rows.map((r) => r.line.split('\t')[0])
const counter = async (c: { get(): Promise<{ values: { value: number; labels: object }[] }> }) => (await c.get()).values

test('decodable records are stored with the batch position; undecodable ones, tombstones and empty values are dead-lettered with their reason', async () => {
  const { store, letters, metrics, write } = setUp()
  store.setPosition('events', 2, 10n)
  const a = encoded('generic')
  const b = encoded('generic')
  const messages = [
    message(10, a.value, ourHeaders('generic', a.id)),
    message(11, Buffer.from('not avro at all')),
    message(12, null), // a tombstone
    message(13, Buffer.alloc(0)),
    message(14, Buffer.from([0, 0, 0, 0x30, 0x39, 1])), // schema id 12345, known to nobody
    message(15, b.value), // a foreign producer: none of our headers, valid Avro
  ]
  const outcome = await write(batchOf(messages))
  assert.deepEqual(outcome, { kind: 'written', copied: 2, inserted: 2, rejected: [] })
  assert.deepEqual(storedIds(store.records), [a.id, b.id])
  assert.equal(store.position('events', 2), 16n)
  assert.deepEqual(letters.map((l) => [l.message.offset, l.reason]), [
    ['11', 'PIPELINE_RECORD_UNDECODABLE'], ['12', 'PIPELINE_RECORD_UNDECODABLE'], ['13', 'PIPELINE_RECORD_UNDECODABLE'], ['14', 'PIPELINE_SCHEMA_UNKNOWN'],
  ])
  assert.ok(letters.every((l) => l.topic === 'events' && l.partition === 2 && l.detail.length > 0))
  assert.deepEqual((await counter(metrics.rows)).map((v) => v.value), [2])
  assert.deepEqual((await counter(metrics.deadLetters)).map((v) => [v.labels, v.value]),
    [[{ reason: 'PIPELINE_RECORD_UNDECODABLE' }, 3], [{ reason: 'PIPELINE_SCHEMA_UNKNOWN' }, 1]])
})

test('a row the database refuses is dead-lettered as PIPELINE_ROW_REJECTED with its SQLSTATE; the rest of the batch is stored', async () => {
  const { store, letters, write } = setUp()
  const good = encoded('generic', { payload: { ok: true } })
  const refused = encoded('generic', { payload: { s: 'refuse' } })
  await write(batchOf([message(0, good.value), message(1, refused.value)]))
  assert.deepEqual(storedIds(store.records), [good.id])
  assert.equal(store.position('events', 2), 2n)
  assert.equal(letters.length, 1)
  assert.equal(letters[0]?.reason, 'PIPELINE_ROW_REJECTED')
  assert.equal(letters[0]?.message.value, refused.value, 'the record as it was in the log')
  assert.match(letters[0]?.detail ?? '', /^22P05: /)
})

test('a failed DLQ hand-off commits nothing (no rows, no position) and fails the write, so the loop retries the batch', async () => {
  const { store, letters, write } = setUp({ dlqFails: true })
  const good = encoded('generic')
  await assert.rejects(write(batchOf([message(0, good.value), message(1, Buffer.from('junk'))])), /broker down/)
  assert.deepEqual(store.records, [])
  assert.equal(store.position('events', 2), undefined)
  assert.deepEqual(letters, [])
})

test('the database behind the batch: "behind" with its position, nothing stored, nothing dead-lettered', async () => {
  const { store, letters, write } = setUp()
  store.setPosition('events', 2, 3n)
  const good = encoded('generic')
  assert.deepEqual(await write(batchOf([message(8, good.value), message(9, null)])), { kind: 'behind', storedNext: 3n })
  assert.deepEqual(store.records, [])
  assert.deepEqual(letters, [])
  assert.equal(store.position('events', 2), 3n)
})
