/**
 * `npm run keys` as an operator runs it, on a Postgres database of the test's own: create
 * prints the key once (stdout) and stores only its digest; list never shows a secret; revoke;
 * usage errors exit 2; ensure-local keeps one key across runs, restores it into an emptied
 * table, and makes a new one once it is revoked.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { hashApiKey } from '../../../lib/src/api-keys/key.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { testPgDatabase } from '../../../lib/test/helpers/keys.js'

const exec = promisify(execFile)
const KEYS = join(PROJECT_ROOT, 'scripts', 'keys.ts')

function keysCommand(env: Readonly<Record<string, string>>) {
  return async (...args: string[]) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', KEYS, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } })
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }
}

test('create prints the key once and stores its digest; list and revoke; bad arguments exit 2', async (t) => {
  const db = await testPgDatabase(t)
  const keys = keysCommand(db.env)
  const created = await keys('create', '--name', 'web shop', '--services', 'web, shop-*', '--rate-limit', '50')
  assert.equal(created.code, 0, created.stderr)
  const key = created.stdout.trim()
  assert.match(key, /^pak_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
  assert.match(created.stderr, /created [0-9a-f]{16} {2}web shop {2}services web,shop-\* {2}rate limit 50\/s/)
  const id = key.slice(4, 20)
  const { rows } = await db.pool.query<{ key_hash: Buffer; services: string[]; rate_limit: number }>('SELECT key_hash, services, rate_limit FROM producer_api_keys WHERE key_id = $1', [id])
  assert.deepEqual(rows[0]?.key_hash, hashApiKey(key), 'the SHA-256 digest, not the key')
  assert.deepEqual([rows[0]?.services, rows[0]?.rate_limit], [['web', 'shop-*'], 50])

  const list = await keys('list', '--json')
  assert.equal(list.code, 0)
  const listed = JSON.parse(list.stdout) as { id: string; name: string; revokedAt: string | null }[]
  assert.deepEqual(listed.map((k) => [k.id, k.name, k.revokedAt]), [[id, 'web shop', null]])
  assert.doesNotMatch(list.stdout + (await keys('list')).stdout, new RegExp(key.slice(21)), 'no secret in a listing')

  assert.equal((await keys('revoke', id)).code, 0)
  assert.match((await keys('revoke', id)).stderr, /was revoked already/)
  const missing = await keys('revoke', 'ffffffffffffffff')
  assert.equal(missing.code, 1)
  assert.match((await keys('list')).stdout, new RegExp(`${id} .* REVOKED `))

  for (const args of [['create', '--name', 'x'], ['create', '--name', 'x', '--services', 'bad name'], ['create', '--name', 'x', '--services', 'a', '--rate-limit', '0'], ['nope'], [], ['revoke'], ['list', '--bogus']]) {
    const res = await keys(...args)
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`)
    assert.match(res.stderr, /usage: npm run keys -- create/)
  }
  assert.equal((await db.pool.query('SELECT count(*)::int AS n FROM producer_api_keys')).rows[0]?.n, 1, 'nothing stored by a refused command')
})

test('ensure-local: one key across runs, restored into an emptied table, a new one once revoked', async (t) => {
  const db = await testPgDatabase(t)
  const dir = mkdtempSync(join(tmpdir(), 'keys-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'state', 'producer-api-key')
  const keys = keysCommand(db.env)
  const first = await keys('ensure-local', '--file', file)
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stderr, /created/)
  const key = first.stdout.trim()
  assert.equal(readFileSync(file, 'utf8').trim(), key)
  assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only')
  const again = await keys('ensure-local', '--file', file)
  assert.deepEqual([again.stdout.trim(), /kept/.test(again.stderr)], [key, true])

  await db.pool.query('DELETE FROM producer_api_keys')
  const restored = await keys('ensure-local', '--file', file)
  assert.deepEqual([restored.stdout.trim(), /restored/.test(restored.stderr)], [key, true])
  const { rows } = await db.pool.query<{ name: string; services: string[] }>('SELECT name, services FROM producer_api_keys')
  assert.deepEqual(rows, [{ name: 'local', services: ['*'] }])

  await keys('revoke', key.slice(4, 20))
  const renewed = await keys('ensure-local', '--file', file)
  assert.match(renewed.stderr, /created/)
  assert.notEqual(renewed.stdout.trim(), key)
  assert.equal(readFileSync(file, 'utf8').trim(), renewed.stdout.trim())
})
