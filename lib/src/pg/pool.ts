import pg from 'pg'
import type { PostgresConfig } from '../config.js'
import type { Logger } from '../logger.js'

/**
 * A pool whose client errors never crash the process: idle clients report through the pool's
 * 'error', and a checked-out client whose connection dies (Postgres killed or restarted)
 * emits 'error' on itself, which is fatal without a listener. The query in progress on it
 * fails too; its caller releases it with the error, so it is discarded.
 */
export function createPgPool(config: PostgresConfig, logger: Logger, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  })
  pool.on('error', (err) => logger.warn({ err }, 'idle postgres client failed'))
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err }, 'postgres connection failed'))
  })
  return pool
}
