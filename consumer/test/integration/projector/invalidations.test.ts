/**
 * The invalidation outbox on the real MariaDB and Redis (consumer/src/projector/invalidations.ts):
 * a fold marks its users in its transaction; a batch whose invalidation happened settles its
 * marks; a projector that died between its commit and its invalidation (or a Redis that did not
 * answer then) leaves marks, and the drain drops those entries: no stale read for an hour.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import type mysql from 'mysql2/promise'
import { createDecoder } from '../../../../lib/src/avro/codec.js'
import { parseRedisConfig } from '../../../../lib/src/config.js'
import { userDataKey, userGenerationKey } from '../../../../lib/src/read-model.js'
import { createRedis } from '../../../../lib/src/redis.js'
import { quietLogger, testMysqlPool, testRedis, uniqueName, uniqueUserId } from '../../../../lib/test/helpers/services.js'
import { createProjectorWrite } from '../../../src/projector/handler.js'
import { createInvalidationOutbox, mark, newMarkToken } from '../../../src/projector/invalidations.js'
import { createProjectorStore, projectBatch } from '../../../src/projector/store.js'
import { batchOf, catalog, encoded, message, ourHeaders } from '../../helpers/records.js'

const marksOf = async (pool: mysql.Pool, users: readonly number[]): Promise<number[]> => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT user_id FROM cache_invalidations WHERE user_id IN (?) ORDER BY user_id', [users])
  return rows.map((r) => Number(r.user_id))
}

const event = (userId: number) => ({ eventId: randomUUID(), userId, type: 'trx.created' as const, amount: 100, category: 'travel', occurredAt: Date.now() * 1000 })

test('a projector that died between its commit and its invalidation: the entries it left are dropped by the next drain, and the marks go', async (t) => {
  const pool = testMysqlPool(t)
  const redis = await testRedis(t)
  const users = [uniqueUserId(), uniqueUserId()].sort((a, b) => a - b)
  // The fold commits (and marks), and the process is gone before it reaches Redis.
  const conn = await pool.getConnection()
  const outcome = await projectBatch(conn, {
    group: uniqueName('g'), topic: 't', partition: 0, firstOffset: 0n, nextOffset: 2n, allowGap: false,
    events: users.map((u, i) => ({ offset: BigInt(i), event: event(u) })),
  }).finally(() => conn.release())
  assert.equal(outcome.kind, 'written')
  assert.deepEqual(await marksOf(pool, users), users)
  // What query-api had cached before the commit.
  for (const u of users) await redis.set(userDataKey(u), JSON.stringify({ user_id: u, trx_count: 0 }))

  const drained: number[] = []
  const outbox = createInvalidationOutbox({ pool, redis, intervalMs: 60_000, logger: quietLogger, onDrained: (n) => drained.push(n) })
  t.after(() => outbox.close())
  assert.ok(await outbox.drainOnce() >= 2)
  for (const u of users) {
    assert.equal(await redis.get(userDataKey(u)), null, 'the older entry is dropped')
    assert.equal(await redis.get(userGenerationKey(u)), '1', 'and its generation moved, so no read in flight puts it back')
  }
  assert.deepEqual(await marksOf(pool, users), [])
  assert.ok(drained.length === 1 && (drained[0] ?? 0) >= 2)
})

test('the projector settles its own marks once Redis took the invalidation; while Redis does not answer they stay, for the drain', async (t) => {
  const pool = testMysqlPool(t)
  const redis = await testRedis(t)
  const outbox = createInvalidationOutbox({ pool, redis, intervalMs: 60_000, logger: quietLogger })
  t.after(() => outbox.close())
  const store = createProjectorStore({ pool, group: uniqueName('g') })
  const fold = (r: Pick<typeof redis, 'multi'>, user: number, offset: number) => {
    const created = encoded('trx.created', { user_id: user, payload: { trx_id: 't', amount: 10, currency: 'EUR', category: 'books', merchant: 'm' } })
    return createProjectorWrite({ store, decoder: createDecoder(catalog), redis: r, outbox, logger: quietLogger })(batchOf([message(offset, created.value, ourHeaders('trx.created', created.id))], true))
  }

  const settled = uniqueUserId()
  assert.equal((await fold(redis, settled, 0)).kind, 'written')
  assert.deepEqual(await marksOf(pool, [settled]), [], 'invalidated: no mark left')

  // A Redis that cannot be reached: the fold commits, its invalidation fails.
  const away = createRedis(parseRedisConfig({ REDIS_URL: 'redis://127.0.0.1:1' }), quietLogger, { commandTimeoutMs: 200 })
  t.after(() => away.disconnect())
  const stranded = uniqueUserId()
  assert.equal((await fold(away, stranded, 1)).kind, 'written')
  assert.deepEqual(await marksOf(pool, [stranded]), [stranded], 'not invalidated: the mark stays')
  await redis.set(userDataKey(stranded), 'older')
  await outbox.drainOnce()
  assert.equal(await redis.get(userDataKey(stranded)), null)
  assert.deepEqual(await marksOf(pool, [stranded]), [])
})

test("settle removes only its own batch's marks: a user marked again by a later batch stays marked until that one settles", async (t) => {
  const pool = testMysqlPool(t)
  const redis = await testRedis(t)
  const outbox = createInvalidationOutbox({ pool, redis, intervalMs: 60_000, logger: quietLogger })
  t.after(() => outbox.close())
  const user = uniqueUserId()
  const [first, second] = [newMarkToken(), newMarkToken()]
  await mark(pool, [user], first)
  await mark(pool, [user], second) // a later batch's commit, not yet invalidated
  await outbox.settle([user], first)
  assert.deepEqual(await marksOf(pool, [user]), [user])
  await outbox.settle([user], second)
  assert.deepEqual(await marksOf(pool, [user]), [])
})
