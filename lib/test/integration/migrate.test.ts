/** Migrations on the real Postgres and MariaDB: each file once, in order; a failure names its file. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { parseMysqlConfig } from '../../src/config.js'
import { applyMysqlMigrations } from '../../src/mysql/migrate.js'
import { createMysqlPool } from '../../src/mysql/pool.js'
import { applyMigrations } from '../../src/pg/migrate.js'
import { testPool, uniqueName } from '../helpers/services.js'

function migrations(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql)
  return dir
}

test('Postgres: each migration once, in order; a failing one is rolled back and named', async (t) => {
  const pool = testPool(t)
  const table = uniqueName('migrate_test').replace(/-/g, '_')
  const first = `0001_${table}.sql`
  const second = `0002_${table}.sql`
  const dir = migrations(t, { [second]: `INSERT INTO ${table} VALUES (2)`, [first]: `CREATE TABLE ${table} (n int)`, 'README.txt': 'not a migration' })
  try {
    assert.deepEqual(await applyMigrations(pool, dir), [first, second])
    assert.deepEqual(await applyMigrations(pool, dir), [])
    const { rows } = await pool.query<{ n: number }>(`SELECT n FROM ${table}`)
    assert.deepEqual(rows, [{ n: 2 }])

    const broken = `0003_${table}.sql`
    writeFileSync(join(dir, broken), `INSERT INTO ${table} VALUES (3); SELECT no_such_column FROM ${table}`)
    await assert.rejects(applyMigrations(pool, dir), new RegExp(`migration ${broken} failed`))
    assert.equal((await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n, 1, 'the failed migration left nothing')
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.query('DELETE FROM schema_migrations WHERE version = ANY($1)', [[first, second]])
  }
})

test('MySQL: each migration once, in order; a failure names its file', async (t) => {
  const pool = createMysqlPool(parseMysqlConfig(process.env), { multipleStatements: true })
  t.after(() => pool.end())
  const table = uniqueName('migrate_test').replace(/-/g, '_')
  const first = `0001_${table}.sql`
  const dir = migrations(t, { [first]: `CREATE TABLE ${table} (n INT); INSERT INTO ${table} VALUES (1);` })
  try {
    assert.deepEqual(await applyMysqlMigrations(pool, dir), [first])
    assert.deepEqual(await applyMysqlMigrations(pool, dir), [])
    writeFileSync(join(dir, `0002_${table}.sql`), 'SELECT no_such_column FROM no_such_table')
    await assert.rejects(applyMysqlMigrations(pool, dir), new RegExp(`migration 0002_${table}.sql failed`))
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.query('DELETE FROM schema_migrations WHERE version IN (?)', [[first, `0002_${table}.sql`]])
  }
})
