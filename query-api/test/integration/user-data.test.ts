/** The batched reader on the real MariaDB: concurrent reads share one query, each gets its own row. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type mysql from 'mysql2/promise'
import { testMysqlDatabase } from '../../../lib/test/helpers/services.js'
import { createUserDataReader } from '../../src/user-data.js'

test('reads arriving together are one SELECT … IN; each caller gets its user, unknown users undefined', async (t) => {
  const { pool } = await testMysqlDatabase(t)
  await pool.query(`INSERT INTO user_recap_data (user_id, trx_count, total_amount, refund_count, refunded_amount, first_trx_at, last_trx_at, top_category)
    VALUES (1, 2, 300, 1, 50, '2026-01-01 00:00:00.000001', '2026-02-01 00:00:00.000000', 'books'), (2, 1, 10, 0, 0, NULL, NULL, NULL)`)
  let queries = 0
  const counted: Pick<mysql.Pool, 'query'> = { query: ((...args: Parameters<mysql.Pool['query']>) => { queries++; return pool.query(...args) }) as mysql.Pool['query'] }
  const read = createUserDataReader(counted, { maxBatch: 2 })
  const [one, two, none, again] = await Promise.all([read(1), read(2), read(3), read(1)])
  assert.equal(queries, 2) // four reads, batches of at most two
  assert.deepEqual(one, {
    user_id: 1, trx_count: 2, total_amount: 300, refund_count: 1, refunded_amount: 50, net_amount: 250,
    first_trx_at: '2026-01-01T00:00:00.000001Z', last_trx_at: '2026-02-01T00:00:00.000000Z', top_category: 'books', updated_at: one?.updated_at,
  })
  assert.deepEqual(again, one)
  assert.equal(two?.top_category, null)
  assert.equal(none, undefined)
  await read(2)
  assert.equal(queries, 3) // no memoization: a later read asks MySQL again
})
