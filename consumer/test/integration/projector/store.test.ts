/**
 * projectBatch on the real MariaDB: the fold lands in user_recap_data, replays and overlaps
 * fold nothing twice, a late retry of an event id is skipped, "behind" is reported.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import type mysql from 'mysql2/promise'
import { testMysqlPool, uniqueName, uniqueUserId } from '../../../../lib/test/helpers/services.js'
import type { TrxEvent } from '../../../src/projector/fold.js'
import { projectBatch, type ProjectionBatch } from '../../../src/projector/store.js'

const MICROS = Date.UTC(2026, 10, 24, 12, 0, 0) * 1000

function trx(userId: number, type: TrxEvent['type'], amount: number, category: string, secondsLater = 0): TrxEvent {
  return { eventId: randomUUID(), userId, type, amount, category, occurredAt: MICROS + secondsLater * 1_000_000 }
}

function batch(group: string, from: number, events: TrxEvent[], extra: Partial<ProjectionBatch> = {}): ProjectionBatch {
  return {
    group, topic: 't', partition: 0, firstOffset: BigInt(from), nextOffset: BigInt(from + events.length), allowGap: false,
    events: events.map((event, i) => ({ offset: BigInt(from + i), event })), ...extra,
  }
}

/** The batch's outcome; its invalidation marks' token (8 bytes, whenever a row changed) checked and left out. */
async function project(t: TestContext, pool: mysql.Pool, b: ProjectionBatch) {
  const conn = await pool.getConnection()
  try {
    const outcome = await projectBatch(conn, b)
    if (outcome.kind !== 'written') return outcome
    const { marks, ...rest } = outcome
    assert.equal(marks?.length, rest.users.length > 0 ? 8 : undefined, 'a batch that changed rows marks them for invalidation')
    return rest
  } finally {
    conn.release()
  }
}

async function row(pool: mysql.Pool, userId: number) {
  const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT * FROM user_recap_data WHERE user_id = ?', [userId])
  return rows[0]
}

test('a batch folds into one row per user: counts, sums, first/last times, top category', async (t) => {
  const pool = testMysqlPool(t)
  const user = uniqueUserId()
  const result = await project(t, pool, batch(uniqueName('g'), 0, [
    trx(user, 'trx.created', 1000, 'groceries', 5),
    trx(user, 'trx.created', 700, 'travel', 1),
    trx(user, 'trx.created', 300, 'travel', 9),
    trx(user, 'trx.refunded', 250, 'groceries', 10),
  ]))
  assert.deepEqual(result, { kind: 'written', applied: 4, duplicates: 0, users: [user] })
  const r = await row(pool, user)
  assert.ok(r)
  assert.deepEqual(
    [r.trx_count, r.total_amount, r.refund_count, r.refunded_amount, r.first_trx_at, r.last_trx_at, r.top_category],
    [3, 2000, 1, 250, '2026-11-24 12:00:01.000000', '2026-11-24 12:00:09.000000', 'travel'])
})

test('a replayed or overlapping batch folds each event once; a later batch adds to the row', async (t) => {
  const pool = testMysqlPool(t)
  const group = uniqueName('g')
  const user = uniqueUserId()
  const first = [trx(user, 'trx.created', 100, 'a'), trx(user, 'trx.created', 200, 'b')]
  await project(t, pool, batch(group, 0, first))
  const replay = await project(t, pool, batch(group, 0, first))
  assert.deepEqual(replay, { kind: 'written', applied: 0, duplicates: 0, users: [] })
  const more = [trx(user, 'trx.created', 400, 'b', -60)]
  const overlap = await project(t, pool, batch(group, 1, [first[1] as TrxEvent, ...more]))
  assert.equal(overlap.kind === 'written' && overlap.applied, 1)
  const r = await row(pool, user)
  assert.deepEqual([r?.trx_count, r?.total_amount, r?.top_category, r?.first_trx_at], [3, 700, 'b', '2026-11-24 11:59:00.000000'])
})

test('an event id folded by an earlier batch (a late client retry at a new offset) is skipped', async (t) => {
  const pool = testMysqlPool(t)
  const group = uniqueName('g')
  const user = uniqueUserId()
  const e = trx(user, 'trx.created', 100, 'a')
  await project(t, pool, batch(group, 0, [e]))
  const retry = await project(t, pool, batch(group, 1, [e, e, trx(user, 'trx.created', 5, 'a')]))
  assert.deepEqual(retry, { kind: 'written', applied: 1, duplicates: 2, users: [user] })
  assert.equal((await row(pool, user))?.trx_count, 2)
})

test('MySQL behind the batch: "behind", nothing folded, unless the gap is allowed', async (t) => {
  const pool = testMysqlPool(t)
  const group = uniqueName('g')
  const user = uniqueUserId()
  await project(t, pool, batch(group, 0, [trx(user, 'trx.created', 1, 'a')]))
  const later = batch(group, 10, [trx(user, 'trx.created', 2, 'a')])
  assert.deepEqual(await project(t, pool, later), { kind: 'behind', storedNext: 1n })
  assert.equal((await row(pool, user))?.trx_count, 1)
  const forced = await project(t, pool, { ...later, allowGap: true })
  assert.equal(forced.kind === 'written' && forced.applied, 1)
  assert.equal((await row(pool, user))?.trx_count, 2)
})

test('no position row (a restored or truncated database) while Kafka is ahead: "behind" at the log start, nothing folded or skipped', async (t) => {
  const pool = testMysqlPool(t)
  const group = uniqueName('g')
  const user = uniqueUserId()
  const later = batch(group, 25, [trx(user, 'trx.created', 2, 'a')])
  assert.deepEqual(await project(t, pool, later), { kind: 'behind', storedNext: 0n })
  assert.equal(await row(pool, user), undefined)
  const forced = await project(t, pool, { ...later, allowGap: true }) // after the seek, when the log starts later
  assert.equal(forced.kind === 'written' && forced.applied, 1)
})
