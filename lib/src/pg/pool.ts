import pg from 'pg'
import type { PostgresConfig } from '../config.js'
import type { Logger } from '../logger.js'

/** A pool whose idle-client errors are logged instead of crashing the process. */
export function createPgPool(config: PostgresConfig, logger: Logger, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  })
  pool.on('error', (err) => logger.warn({ err }, 'idle postgres client failed'))
  return pool
}
