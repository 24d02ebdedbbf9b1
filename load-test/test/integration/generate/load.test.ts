/**
 * generate:test-data's loader on the real MariaDB, each test in a database of its own: the rows
 * are the generator's, the same seed loads the same table, a second run is a no-op, a larger
 * one adds only the missing users, another seed is refused, and generated users live beside
 * the projection (events fold on top of them, whether they came before or after the fixture).
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import type mysql from 'mysql2/promise'
import { testMysqlDatabase, testRedis } from '../../../../lib/test/helpers/services.js'
import { userDataKey, userGenerationKey } from '../../../../lib/src/read-model.js'
import type { TrxEvent } from '../../../../consumer/src/projector/fold.js'
import { parseFixtureCategories } from '../../../../consumer/src/projector/fixture.js'
import { projectBatch } from '../../../../consumer/src/projector/store.js'
import { toMysqlDatetime } from '../../../../lib/src/time.js'
import { bucketDistribution, FixtureConflictError, loadGeneratedUsers, readFixture } from '../../../src/generate/load.js'
import { generateUser } from '../../../src/generate/users.js'

const SEED = 99

async function checksum(pool: mysql.Pool): Promise<{ users: number; categories: number; data: string; cats: string }> {
  const [[d]] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT COUNT(*) AS n, SUM(CRC32(CONCAT_WS('|', user_id, trx_count, total_amount, refund_count, refunded_amount,
       IFNULL(first_trx_at, '-'), IFNULL(last_trx_at, '-'), IFNULL(top_category, '-'), IFNULL(fixture_categories, '-')))) AS sum FROM user_recap_data`)
  const [[c]] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT COUNT(*) AS n, SUM(CRC32(CONCAT_WS('|', user_id, category, trx_count, amount))) AS sum FROM user_recap_categories`)
  return { users: Number(d?.n), categories: Number(c?.n), data: String(d?.sum), cats: String(c?.sum) }
}

async function userRow(pool: mysql.Pool, userId: number) {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    'SELECT trx_count, total_amount, refund_count, refunded_amount, first_trx_at, last_trx_at, top_category FROM user_recap_data WHERE user_id = ?', [userId])
  const r = rows[0]
  return r === undefined ? undefined : [r.trx_count, r.total_amount, r.refund_count, r.refunded_amount, r.first_trx_at, r.last_trx_at, r.top_category]
}

/** The user's fixture_categories, parsed as the projector does; null once materialized (or none). */
async function fixtureCategories(pool: mysql.Pool, userId: number) {
  const [[r]] = await pool.query<mysql.RowDataPacket[]>('SELECT fixture_categories FROM user_recap_data WHERE user_id = ?', [userId])
  return typeof r?.fixture_categories === 'string' ? parseFixtureCategories(r.fixture_categories) : null
}

async function categoryRows(pool: mysql.Pool, userId: number) {
  const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT category, trx_count, amount FROM user_recap_categories WHERE user_id = ? ORDER BY category', [userId])
  return rows.map((r) => [String(r.category), Number(r.trx_count), Number(r.amount)])
}

const generatedCategories = (userId: number) => {
  const c = generateUser(SEED, userId).categories.map((x) => [x.category, x.trxCount, x.amount])
  return c.length === 0 ? null : c
}

const generatedRow = (userId: number) => {
  const u = generateUser(SEED, userId)
  return [u.trxCount, u.totalAmount, u.refundCount, u.refundedAmount,
    u.firstTrxAt === null ? null : toMysqlDatetime(u.firstTrxAt), u.lastTrxAt === null ? null : toMysqlDatetime(u.lastTrxAt), u.topCategory]
}

async function fold(pool: mysql.Pool, group: string, from: number, events: TrxEvent[]) {
  const conn = await pool.getConnection()
  try {
    return await projectBatch(conn, {
      group, topic: 'events', partition: 0, firstOffset: BigInt(from), nextOffset: BigInt(from + events.length), allowGap: true,
      events: events.map((event, i) => ({ offset: BigInt(from + i), event })),
    })
  } finally {
    conn.release()
  }
}

const trx = (userId: number, amount: number, category: string, occurredAt: number): TrxEvent =>
  ({ eventId: randomUUID(), userId, type: 'trx.created', amount, category, occurredAt })

/** A generated user with at least `categories` categories, its least used one a few transactions behind the top one. */
function userBehindTop(categories: number) {
  const id = Array.from({ length: 500 }, (_, i) => i + 1).find((n) => {
    const c = generateUser(SEED, n).categories
    return c.length >= categories && (c[0]?.trxCount ?? 0) - (c.at(-1)?.trxCount ?? 0) >= 3
  }) ?? 1
  const u = generateUser(SEED, id)
  const least = u.categories.at(-1)
  const top = u.categories.find((c) => c.category === u.topCategory)
  assert.ok(least !== undefined && top !== undefined && u.firstTrxAt !== null && u.lastTrxAt !== null)
  return { id, u, least, top, firstTrxAt: u.firstTrxAt, lastTrxAt: u.lastTrxAt }
}

test('the rows are the generator\'s; the same seed loads the same tables; the buckets are counted', async (t) => {
  const a = await testMysqlDatabase(t, { localFiles: true })
  const b = await testMysqlDatabase(t, { localFiles: true })
  const progress: number[] = []
  const report = await loadGeneratedUsers({ pool: a.pool, onProgress: (p) => progress.push(p.loadedUsers) }, { seed: SEED, users: 20_000, chunkUsers: 3_000, parallel: 2 })
  await loadGeneratedUsers({ pool: b.pool }, { seed: SEED, users: 20_000, chunkUsers: 7_000, parallel: 1 })
  assert.equal(report.loadedUsers, 20_000)
  assert.equal(report.merged, 0)
  assert.deepEqual(report.fixture, { seed: SEED, generator: 1, users: 20_000, complete: true, loaded: report.fixture.loaded })
  assert.equal(progress.at(-1), 20_000)
  const sums = await checksum(a.pool)
  assert.deepEqual(sums, await checksum(b.pool)) // other chunking, other parallelism: the same rows
  assert.equal(sums.users, 20_000)
  assert.equal(sums.categories, 0, 'one row per user: the categories are in it until an event comes')
  for (const id of [1, 2, 3, 4_999, 12_345, 20_000]) {
    assert.deepEqual(await userRow(a.pool, id), generatedRow(id))
    assert.deepEqual(await fixtureCategories(a.pool, id), generatedCategories(id))
  }
  const buckets = await bucketDistribution(a.pool)
  assert.equal(buckets.reduce((s, x) => s + x.users, 0), 20_000)
  assert.deepEqual(buckets.map((x) => x.bucket), ['0', '1-10', '11-50', '51-200', '201+'])
  assert.ok(buckets.every((x) => x.users > 0))
})

test('a second run neither duplicates nor fails; a larger one adds only the missing users; another seed is refused', async (t) => {
  const { pool } = await testMysqlDatabase(t, { localFiles: true })
  await loadGeneratedUsers({ pool }, { seed: SEED, users: 5_000, chunkUsers: 2_000 })
  const first = await checksum(pool)
  const again = await loadGeneratedUsers({ pool }, { seed: SEED, users: 5_000, chunkUsers: 2_000 })
  assert.equal(again.loadedUsers, 0)
  assert.deepEqual(await checksum(pool), first)
  const smaller = await loadGeneratedUsers({ pool }, { seed: SEED, users: 1_000 })
  assert.equal(smaller.loadedUsers, 0)
  const larger = await loadGeneratedUsers({ pool }, { seed: SEED, users: 8_000, chunkUsers: 2_000 })
  assert.equal(larger.loadedUsers, 3_000)
  assert.equal(larger.fixture.users, 8_000)
  assert.equal((await checksum(pool)).users, 8_000)
  assert.deepEqual(await userRow(pool, 7_999), generatedRow(7_999))
  await assert.rejects(loadGeneratedUsers({ pool }, { seed: SEED + 1, users: 8_000 }), FixtureConflictError)
  assert.equal((await readFixture(pool))?.seed, SEED)
})

test('an interrupted load resumes with the chunks it lacks', async (t) => {
  const { pool } = await testMysqlDatabase(t, { localFiles: true })
  await loadGeneratedUsers({ pool }, { seed: SEED, users: 6_000, chunkUsers: 2_000 })
  const full = await checksum(pool)
  // As if the run had died before the middle chunk's transaction: neither its rows nor its record.
  await pool.query('DELETE FROM user_recap_data WHERE user_id BETWEEN 2001 AND 4000')
  await pool.query('DELETE FROM read_model_fixture_chunks WHERE first_user = 2001')
  await pool.query('UPDATE read_model_fixtures SET completed_at = NULL')
  assert.equal((await readFixture(pool))?.complete, false)
  const resumed = await loadGeneratedUsers({ pool }, { seed: SEED, users: 6_000, chunkUsers: 2_000 })
  assert.equal(resumed.loadedUsers, 2_000)
  assert.equal(resumed.fixture.complete, true)
  assert.deepEqual(await checksum(pool), full)
})

test('events fold on top of generated users, before or after the fixture came; top_category stays right', async (t) => {
  const { pool } = await testMysqlDatabase(t, { localFiles: true })
  const { id, u, least, top, firstTrxAt, lastTrxAt } = userBehindTop(3)
  const later = lastTrxAt + 1_000_000
  // Before the fixture: the read model has the user from one event only.
  await fold(pool, 'g', 0, [trx(id, 500, least.category, later)])
  const redis = await testRedis(t)
  await redis.set(userDataKey(id), '{"stale":true}') // what query-api cached from the event-folded row
  const report = await loadGeneratedUsers({ pool, redis }, { seed: SEED, users: 1_000, chunkUsers: 400 })
  assert.equal(report.merged, 1)
  assert.equal(report.uninvalidated, 0)
  assert.equal(await redis.get(userDataKey(id)), null, 'the merged user\'s cached entry is gone')
  assert.equal(await redis.get(userGenerationKey(id)), '1')
  assert.deepEqual(await userRow(pool, id), [u.trxCount + 1, u.totalAmount + 500, u.refundCount, u.refundedAmount,
    toMysqlDatetime(firstTrxAt), toMysqlDatetime(later), u.topCategory])
  // After: enough events in the least used category to overtake the top one, by its generated count.
  const needed = top.trxCount - least.trxCount - 1 // the event before the fixture is one already
  const events = Array.from({ length: needed }, (_, i) => trx(id, 100, least.category, later + i + 1))
  await fold(pool, 'g', 1, events.slice(0, -1))
  assert.equal((await userRow(pool, id))?.[6], u.topCategory, 'one short of the top category: unchanged')
  await fold(pool, 'g', needed, events.slice(-1))
  const after = await userRow(pool, id)
  assert.equal(after?.[0], u.trxCount + 1 + needed)
  // Now tied on count with the top category; the projector's tie-break (net amount, then name) decides.
  const [[c]] = await pool.query<mysql.RowDataPacket[]>('SELECT trx_count, amount FROM user_recap_categories WHERE user_id = ? AND category = ?', [id, least.category])
  assert.equal(Number(c?.trx_count), top.trxCount)
  const winner = Number(c?.amount) > top.amount || (Number(c?.amount) === top.amount && least.category < top.category) ? least.category : top.category
  assert.equal(after?.[6], winner)
  await fold(pool, 'g', needed + 1, [trx(id, 1, least.category, later + needed + 5)])
  assert.equal((await userRow(pool, id))?.[6], least.category, 'one more: the formerly least used category is the top one')
})

test('a generated user\'s categories become rows on its first event, once; a category overtakes the top one exactly when its total does', async (t) => {
  const { pool } = await testMysqlDatabase(t, { localFiles: true })
  await loadGeneratedUsers({ pool }, { seed: SEED, users: 1_000, chunkUsers: 500 })
  const { id, u, least, top, lastTrxAt } = userBehindTop(2)
  assert.deepEqual(await categoryRows(pool, id), [])
  const later = lastTrxAt + 1_000_000
  // One event short of a tie on count: the base and the event add up, the top category stays.
  const short = top.trxCount - least.trxCount - 1
  await fold(pool, 'g', 0, Array.from({ length: short }, (_, i) => trx(id, 100, least.category, later + i)))
  assert.equal(await fixtureCategories(pool, id), null, 'materialized')
  const expected = u.categories.map((c) => [c.category, c.trxCount + (c.category === least.category ? short : 0), c.amount + (c.category === least.category ? 100 * short : 0)])
  assert.deepEqual(await categoryRows(pool, id), expected.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)))
  assert.deepEqual((await userRow(pool, id))?.slice(0, 2), [u.trxCount + short, u.totalAmount + 100 * short])
  assert.equal((await userRow(pool, id))?.[6], u.topCategory)
  // Two more (a tie, then one ahead): the base was added once, so the second one decides.
  await fold(pool, 'g', short, [trx(id, 1, least.category, later + short)])
  await fold(pool, 'g', short + 1, [trx(id, 1, least.category, later + short + 1)])
  assert.equal((await userRow(pool, id))?.[6], least.category)
  const [[c]] = await pool.query<mysql.RowDataPacket[]>('SELECT trx_count FROM user_recap_categories WHERE user_id = ? AND category = ?', [id, least.category])
  assert.equal(Number(c?.trx_count), top.trxCount + 1)
  // Its neighbours, untouched by events, still carry their base in the row.
  assert.deepEqual(await fixtureCategories(pool, id + 1), generatedCategories(id + 1))
})
