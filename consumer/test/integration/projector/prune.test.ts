/** The dedupe pruner on the real MariaDB: old folded ids go, recent ones stay. */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type mysql from 'mysql2/promise'
import { quietLogger, testMysqlPool, uniqueUserId } from '../../../../lib/test/helpers/services.js'
import { createDedupePruner } from '../../../src/projector/prune.js'

test('ids folded longer ago than the retention are deleted, in chunks; recent ones are kept', async (t) => {
  const pool = testMysqlPool(t)
  const user = uniqueUserId()
  const old = Array.from({ length: 25_000 }, () => randomBytes(16))
  const recent = Array.from({ length: 10 }, () => randomBytes(16))
  for (let i = 0; i < old.length; i += 5000) {
    await pool.query('INSERT INTO user_recap_applied (event_id, user_id, applied_at) VALUES ?',
      [old.slice(i, i + 5000).map((id) => [id, user, '2020-01-01 00:00:00.000000'])])
  }
  await pool.query('INSERT INTO user_recap_applied (event_id, user_id) VALUES ?', [recent.map((id) => [id, user])])
  let reported = 0
  const pruner = createDedupePruner({ pool, retentionSeconds: 3600, intervalMs: 60_000, logger: quietLogger, onPruned: (n) => { reported += n } })
  const deleted = await pruner.pruneOnce()
  await pruner.close()
  assert.ok(deleted >= old.length, `deleted ${deleted}`) // other runs' old rows may go too
  assert.equal(reported, deleted)
  const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM user_recap_applied WHERE user_id = ?', [user])
  assert.equal(Number(rows[0]?.n), recent.length)
})
