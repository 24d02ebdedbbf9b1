import mysql from 'mysql2/promise'
import type { MysqlConfig } from '../config.js'

/**
 * The read model's pool. Times travel as text in UTC ('2026-11-24 15:08:02.123456'), never
 * through JavaScript dates (milliseconds only, local time zone); big integers as numbers while
 * they are safe, as strings beyond.
 */
export interface MysqlPoolOptions {
  readonly multipleStatements?: boolean
  /** Allow LOAD DATA LOCAL INFILE from streams the caller hands over (bulk loads only). */
  readonly localFiles?: boolean
}

export function createMysqlPool(config: MysqlConfig, options: MysqlPoolOptions = {}): mysql.Pool {
  return mysql.createPool({
    uri: config.url,
    connectionLimit: config.poolMax,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 5000,
    multipleStatements: options.multipleStatements ?? false,
    ...(options.localFiles === true ? { flags: ['+LOCAL_FILES'] } : {}),
  })
}
