/**
 * The sink's store (writeAtPosition on createSinkStore) on the real Postgres: replays, overlaps and gaps keep each event exactly once,
 * rows Postgres rejects are singled out by splitting, and a failed DLQ hand-off commits nothing.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import type pg from 'pg'
import { loadCatalog } from '../../../../lib/src/avro/catalog.js'
import { parsePostgresConfig } from '../../../../lib/src/config.js'
import { createPgPool } from '../../../../lib/src/pg/pool.js'
import { countByEventId, quietLogger, uniqueName } from '../../../../lib/test/helpers/services.js'
import { writeAtPosition, type BatchPosition } from '../../../src/position.js'
import type { Rejected, Row } from '../../../src/sink/copy.js'
import { createSinkStore } from '../../../src/sink/store.js'
import { toCopyLine } from '../../../src/sink/rows.js'

const version = loadCatalog().eventTypes.get('generic')?.latest

function rows(from: number, count: number, payload = (i: number) => `{"i":${i}}`): { rows: Row[]; ids: string[] } {
  assert.ok(version)
  const ids: string[] = []
  const out: Row[] = []
  for (let offset = from; offset < from + count; offset++) {
    const id = randomUUID()
    ids.push(id)
    const value = { event_id: id, service: 'copy-test', event_type: 'generic', occurred_at: 1, received_at: 2, user_id: null, payload: payload(offset) }
    out.push({ offset: BigInt(offset), line: toCopyLine({ version, readAs: version, value }, 0, String(offset)) })
  }
  return { rows: out, ids }
}

/** A pool, ended after the test. */
async function setup(t: TestContext): Promise<{ pool: pg.Pool }> {
  const pool = createPgPool(parsePostgresConfig(process.env), quietLogger, 'test')
  t.after(() => pool.end())
  return { pool }
}

type SinkBatch = BatchPosition & { readonly group: string; readonly rows: readonly Row[] }

function batch(group: string, list: Row[], extra: Partial<BatchPosition> = {}): SinkBatch {
  const first = list[0]?.offset ?? 0n
  const last = list.at(-1)?.offset ?? first
  return { group, topic: 't', partition: 0, firstOffset: first, nextOffset: last + 1n, rows: list, allowGap: false, ...extra }
}

/** One batch through the sink's store, the rejected rows handed to `beforeCommit` (the DLQ) before the commit. */
function writeBatch(pool: pg.Pool, b: SinkBatch, beforeCommit: (rejected: readonly Rejected[]) => Promise<void>) {
  return writeAtPosition(createSinkStore({ pool, group: b.group }), b, b.rows, ({ rejected }) => beforeCommit(rejected))
}

async function position(pool: pg.Pool, group: string): Promise<string | undefined> {
  const { rows: r } = await pool.query<{ next_offset: string }>('SELECT next_offset FROM sink_offsets WHERE consumer_group = $1', [group])
  return r[0]?.next_offset
}

const noDlq = async () => undefined

test('a replayed or overlapping batch writes each event once and only moves the position forward', async (t) => {
  const { pool } = await setup(t)
  const group = uniqueName('g')
  const a = rows(0, 10)
  const first = await writeBatch(pool, batch(group, a.rows), noDlq)
  assert.deepEqual(first, { kind: 'written', copied: 10, inserted: 10, rejected: [] })
  assert.equal(await position(pool, group), '10')

  const replay = await writeBatch(pool, batch(group, a.rows), noDlq)
  assert.deepEqual(replay, { kind: 'written', copied: 0, inserted: 0, rejected: [] })

  const b = rows(10, 5)
  const overlap = await writeBatch(pool, batch(group, [...a.rows.slice(5), ...b.rows]), noDlq)
  assert.equal(overlap.kind === 'written' && overlap.inserted, 5)
  assert.equal(await position(pool, group), '15')
  const counts = await countByEventId(pool, [...a.ids, ...b.ids])
  assert.equal(counts.size, 15)
  assert.ok([...counts.values()].every((n) => n === 1))
})

test('the same event id at two offsets (a client retry) is stored once', async (t) => {
  const { pool } = await setup(t)
  const group = uniqueName('g')
  const a = rows(0, 2)
  const dup = a.rows.map((r, i) => ({ offset: BigInt(i + 2), line: r.line.replace(/\t0\t\d+\t/, `\t0\t${i + 2}\t`) }))
  await writeBatch(pool, batch(group, [...a.rows, ...dup]), noDlq)
  const counts = await countByEventId(pool, a.ids)
  assert.deepEqual([...counts.values()], [1, 1])
})

test('an event id stored by an earlier batch (a late retry): the direct COPY falls back, the rest of the batch is stored', async (t) => {
  const { pool } = await setup(t)
  const group = uniqueName('g')
  const a = rows(0, 3)
  await writeBatch(pool, batch(group, a.rows), noDlq)
  const b = rows(4, 3)
  const retry = { offset: 3n, line: a.rows[1]?.line.replace(/\t0\t1\t/, '\t0\t3\t') ?? '' }
  const result = await writeBatch(pool, batch(group, [retry, ...b.rows]), noDlq)
  assert.deepEqual(result, { kind: 'written', copied: 4, inserted: 3, rejected: [] })
  const counts = await countByEventId(pool, [...a.ids, ...b.ids])
  assert.equal(counts.size, 6)
  assert.ok([...counts.values()].every((n) => n === 1))
  assert.equal(await position(pool, group), '7')
})

test('Postgres behind the batch: "behind", unless the gap is allowed', async (t) => {
  const { pool } = await setup(t)
  const group = uniqueName('g')
  await writeBatch(pool, batch(group, rows(0, 3).rows), noDlq)
  const later = rows(10, 2)
  assert.deepEqual(await writeBatch(pool, batch(group, later.rows), noDlq), { kind: 'behind', storedNext: 3n })
  assert.equal((await countByEventId(pool, later.ids)).size, 0)
  const forced = await writeBatch(pool, batch(group, later.rows, { allowGap: true }), noDlq)
  assert.equal(forced.kind === 'written' && forced.inserted, 2)
  assert.equal(await position(pool, group), '12')
})

test('rows Postgres rejects are found by splitting; the rest is committed with them handed to the DLQ', async (t) => {
  const { pool } = await setup(t)
  const group = uniqueName('g')
  const bad = new Set([3, 17, 18])
  const list = rows(0, 25, (i) => (bad.has(i) ? (i === 3 ? '{"s":"\\u0000"}' : 'not json') : `{"i":${i}}`))
  let handed: readonly Rejected[] = []
  const result = await writeBatch(pool, batch(group, list.rows), async (rejected) => { handed = rejected })
  assert.equal(result.kind, 'written')
  assert.deepEqual(handed.map((r) => Number(r.offset)), [3, 17, 18])
  assert.deepEqual(handed.map((r) => r.code), ['22P05', '22P02', '22P02'])
  const counts = await countByEventId(pool, list.ids)
  assert.equal(counts.size, 22)
  assert.equal(await position(pool, group), '25')
})

test('a failed DLQ hand-off commits nothing: no rows, no position', async (t) => {
  const { pool } = await setup(t)
  const group = uniqueName('g')
  const list = rows(0, 4, (i) => (i === 2 ? 'not json' : '{}'))
  await assert.rejects(writeBatch(pool, batch(group, list.rows), async () => { throw new Error('broker down') }), /broker down/)
  assert.equal((await countByEventId(pool, list.ids)).size, 0)
  assert.equal(await position(pool, group), undefined)
})

test('no position row (a restored or truncated database) while Kafka is ahead: "behind" at the log start, nothing skipped', async (t) => {
  const { pool } = await setup(t)
  const group = uniqueName('g')
  const later = rows(40, 2)
  assert.deepEqual(await writeBatch(pool, batch(group, later.rows), noDlq), { kind: 'behind', storedNext: 0n })
  assert.equal((await countByEventId(pool, later.ids)).size, 0)
  assert.equal(await position(pool, group), undefined) // rolled back with the rest
  // The log no longer holds 0..39 (retention): after the seek to 0 the loop allows the gap.
  const forced = await writeBatch(pool, batch(group, later.rows, { allowGap: true }), noDlq)
  assert.equal(forced.kind === 'written' && forced.inserted, 2)
  assert.equal(await position(pool, group), '42')
})
