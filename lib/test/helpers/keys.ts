/**
 * Producer API keys on the real Postgres for integration and e2e tests: made with the same
 * module as `npm run keys -- create` (lib/src/api-keys/store.ts), deleted after the test.
 * A producer-api reads its keys at start, so make them before starting it (or wait one
 * API_KEYS_REFRESH_MS).
 */
import type { TestContext } from 'node:test'
import pg from 'pg'
import { parsePostgresConfig } from '../../src/config.js'
import { LOCAL_API_KEY } from '../../src/api-keys/local.js'
import { createApiKey, type ApiKeyRecord, type NewApiKey } from '../../src/api-keys/store.js'
import { applyMigrations } from '../../src/pg/migrate.js'
import { createPgPool } from '../../src/pg/pool.js'
import { quietLogger, uniqueName } from './services.js'

export interface TestApiKey {
  readonly key: string
  readonly record: ApiKeyRecord
  /** `{ authorization: 'Bearer <key>' }` */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * A key for `services` (default: any) in the shared database, deleted after the test. Its rate
 * limit defaults to the local key's (no practical limit): a test of bursts or in-flight bounds
 * must not be cut short by API_KEY_RATE_LIMIT; tests of the limit give their own.
 */
export async function createTestKey(t: TestContext, spec: Partial<NewApiKey> = {}): Promise<TestApiKey> {
  const pool = createPgPool({ ...parsePostgresConfig(process.env), poolMax: 1 }, quietLogger, 'test')
  const { key, record } = await createApiKey(pool, { name: spec.name ?? uniqueName('test'), services: spec.services ?? ['*'], rateLimit: spec.rateLimit === undefined ? LOCAL_API_KEY.rateLimit : spec.rateLimit })
    .catch(async (err: unknown) => { await pool.end(); throw err })
  t.after(async () => {
    await pool.query('DELETE FROM producer_api_keys WHERE key_id = $1', [record.id])
    await pool.end()
  })
  return { key, record, headers: { authorization: `Bearer ${key}` } }
}

/**
 * A Postgres database of its own (`<db>_t_<random>`, migrated, dropped after the test): for
 * tests that need a key table with nothing in it. `env` points a spawned process at it.
 */
export async function testPgDatabase(t: TestContext) {
  const base = parsePostgresConfig(process.env)
  const name = `${new URL(base.url).pathname.slice(1)}_t_${uniqueName('db').slice(3).replace(/-/g, '')}`
  const admin = new pg.Client({ connectionString: base.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(base.url)
  url.pathname = `/${name}`
  const pool = createPgPool({ url: url.toString(), poolMax: 2 }, quietLogger, 'test')
  t.after(async () => {
    await pool.end()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })
  await applyMigrations(pool)
  return { pool, url: url.toString(), env: { DATABASE_URL: url.toString() } as Readonly<Record<string, string>> }
}
