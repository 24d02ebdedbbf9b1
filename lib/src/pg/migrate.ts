/**
 * Applies `migrations/postgres/NNNN_name.sql` in order, each once and in its own
 * transaction, under an advisory lock so that concurrent starters do not race.
 */
import type pg from 'pg'
import { runMigrations } from '../migrate.js'
import { PG_MIGRATIONS_DIR } from '../paths.js'

const LOCK_KEY = 4_242_001

export async function applyMigrations(pool: pg.Pool, dir: string = PG_MIGRATIONS_DIR): Promise<string[]> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY])
    return await runMigrations(dir, {
      async applied() {
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
        return new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
      },
      async apply(version, sql) {
        await client.query('BEGIN')
        try {
          await client.query(sql)
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version])
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK')
          throw err
        }
      },
    })
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined)
    client.release()
  }
}
