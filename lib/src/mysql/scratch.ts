/**
 * A MySQL database of its own beside the configured one (`<db>_t_<random>`, migrated), for
 * tests and benchmarks that empty or bulk-load the read model: the configured database may hold
 * a developer's 10 M generated users. The local stack grants `<db>_t_%` to the pipeline's user.
 */
import { randomUUID } from 'node:crypto'
import type { MysqlConfig } from '../config.js'
import { applyMysqlMigrations } from './migrate.js'
import { createMysqlPool } from './pool.js'

export interface ScratchDatabase {
  readonly name: string
  readonly config: MysqlConfig
  /** Drops the database; idempotent. */
  drop(): Promise<void>
}

export async function createScratchDatabase(base: MysqlConfig): Promise<ScratchDatabase> {
  const url = new URL(base.url)
  const name = `${url.pathname.slice(1)}_t_${randomUUID().slice(0, 8)}`
  const admin = createMysqlPool({ ...base, poolMax: 1 }, { multipleStatements: true })
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  } finally {
    await admin.end()
  }
  url.pathname = `/${name}`
  const config = { ...base, url: url.toString() }
  const migrator = createMysqlPool(config, { multipleStatements: true })
  await applyMysqlMigrations(migrator).finally(() => migrator.end())
  let dropped: Promise<void> | undefined
  return {
    name,
    config,
    drop() {
      dropped ??= (async () => {
        const pool = createMysqlPool({ ...base, poolMax: 1 })
        try {
          await pool.query(`DROP DATABASE IF EXISTS \`${name}\``)
        } finally {
          await pool.end()
        }
      })()
      return dropped
    },
  }
}
