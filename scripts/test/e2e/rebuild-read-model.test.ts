/**
 * npm run read-model:rebuild with generated users, run as a user runs it, against a database
 * of its own: by default it empties what the projector folded and loads the same generated rows
 * again; with --drop-generated it forgets them.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import type mysql from 'mysql2/promise'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { testMysqlDatabase, uniqueName, uniqueUserId } from '../../../lib/test/helpers/services.js'
import { projectBatch } from '../../../consumer/src/projector/store.js'
import { loadGeneratedUsers, readFixture } from '../../../load-test/src/generate/load.js'

const SEED = 5

async function rebuild(env: Readonly<Record<string, string>>, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'rebuild-read-model.ts'), ...args],
    { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, timeout: 120_000 })
  return stdout
}

async function count(pool: mysql.Pool, sql: string): Promise<number> {
  const [[row]] = await pool.query<mysql.RowDataPacket[]>(sql)
  return Number(row?.n)
}

async function setUp(t: Parameters<typeof testMysqlDatabase>[0]) {
  const db = await testMysqlDatabase(t, { localFiles: true })
  const group = uniqueName('rebuild')
  await loadGeneratedUsers({ pool: db.pool }, { seed: SEED, users: 3_000, chunkUsers: 1_000 })
  const [[before]] = await db.pool.query<mysql.RowDataPacket[]>('SELECT trx_count FROM user_recap_data WHERE user_id = 5')
  // Folded from events: one on top of generated user 5, one for a user of its own.
  const other = uniqueUserId()
  const conn = await db.pool.getConnection()
  await projectBatch(conn, {
    group, topic: 'events', partition: 0, firstOffset: 0n, nextOffset: 2n, allowGap: true,
    events: [5, other].map((userId, i) => ({ offset: BigInt(i), event: { eventId: randomUUID(), userId, type: 'trx.created' as const, amount: 10, category: 'books', occurredAt: Date.now() * 1000 } })),
  }).finally(() => conn.release())
  return { ...db, env: { ...db.env, PROJECTOR_GROUP_ID: group, REDIS_KEY_PREFIX: `${uniqueName('rebuild')}:` }, other, generatedCount: Number(before?.trx_count) }
}

test('read-model:rebuild keeps generated users by default: the same rows again, what events folded gone until the projector replays the log', async (t) => {
  const { pool, env, other, generatedCount } = await setUp(t)
  const out = await rebuild(env)
  assert.match(out, /generated users kept: loading users 1\.\.3,000 of seed 5 again/)
  assert.equal(await count(pool, 'SELECT COUNT(*) AS n FROM user_recap_data'), 3_000)
  assert.equal(await count(pool, `SELECT COUNT(*) AS n FROM user_recap_data WHERE user_id = ${other}`), 0)
  assert.equal(await count(pool, 'SELECT trx_count AS n FROM user_recap_data WHERE user_id = 5'), generatedCount)
  assert.equal(await count(pool, 'SELECT COUNT(*) AS n FROM user_recap_applied'), 0)
  assert.equal(await count(pool, `SELECT COUNT(*) AS n FROM projector_offsets WHERE consumer_group = '${env.PROJECTOR_GROUP_ID}'`), 0)
  assert.deepEqual(await readFixture(pool).then((f) => [f?.seed, f?.users, f?.complete]), [SEED, 3_000, true])
})

test('read-model:rebuild --drop-generated forgets them', async (t) => {
  const { pool, env } = await setUp(t)
  const out = await rebuild(env, '--drop-generated')
  assert.match(out, /generated users dropped: 3,000 users of seed 5/)
  assert.equal(await count(pool, 'SELECT COUNT(*) AS n FROM user_recap_data'), 0)
  assert.equal(await count(pool, 'SELECT COUNT(*) AS n FROM user_recap_categories'), 0)
  assert.equal(await readFixture(pool), undefined)
})

test('read-model:rebuild refuses, before emptying anything, generated users this generator cannot make again', async (t) => {
  const { pool, env, other } = await setUp(t)
  await pool.query('UPDATE read_model_fixtures SET generator = 999') // as if another generator version had made them
  const failed = await rebuild(env).then(() => undefined, (err: { code?: number; stderr?: string }) => err)
  assert.equal(failed?.code, 2)
  assert.match(failed?.stderr ?? '', /^the generated users cannot be loaded again: the read model holds 3,000 generated users of seed 5 \(generator 999\)/)
  assert.doesNotMatch(failed?.stderr ?? '', /\n\s+at /, 'no stack trace')
  assert.equal(await count(pool, 'SELECT COUNT(*) AS n FROM user_recap_data'), 3_001, 'nothing emptied')
  assert.equal(await count(pool, `SELECT COUNT(*) AS n FROM user_recap_data WHERE user_id = ${other}`), 1)
})
