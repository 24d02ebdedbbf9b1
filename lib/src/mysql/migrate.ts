/**
 * Applies `migrations/mysql/NNNN_name.sql` in order, each once, under a named lock so that
 * concurrent starters do not race. MySQL commits DDL as it goes: a migration must be safe to
 * run again after a failure half-way (CREATE … IF NOT EXISTS).
 */
import type mysql from 'mysql2/promise'
import { runMigrations } from '../migrate.js'
import { MYSQL_MIGRATIONS_DIR } from '../paths.js'

const LOCK = 'pipeline_migrations'

/** `pool` must allow multiple statements (a migration file holds several). */
export async function applyMysqlMigrations(pool: mysql.Pool, dir: string = MYSQL_MIGRATIONS_DIR): Promise<string[]> {
  const conn = await pool.getConnection()
  try {
    await conn.query('SELECT GET_LOCK(?, 60)', [LOCK])
    return await runMigrations(dir, {
      async applied() {
        await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`)
        const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT version FROM schema_migrations')
        return new Set(rows.map((r) => String(r.version)))
      },
      async apply(version, sql) {
        await conn.query(sql)
        await conn.query('INSERT INTO schema_migrations (version) VALUES (?)', [version])
      },
    })
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [LOCK]).catch(() => undefined)
    conn.release()
  }
}
