/**
 * `npm run keys -- create|list|revoke|ensure-local …`: producer API keys in Postgres
 * (DATABASE_URL). Commands and output: lib/src/api-keys/cli.ts. Exit codes: 0 done, 1 failed
 * (or no such key), 2 usage.
 */
import type pg from 'pg'
import { localApiKeyFile } from '../lib/src/api-keys/local.js'
import { runKeysCommand, UsageError, USAGE } from '../lib/src/api-keys/cli.js'
import { parseLogConfig, parsePostgresConfig } from '../lib/src/config.js'
import { createLogger } from '../lib/src/logger.js'
import { createPgPool } from '../lib/src/pg/pool.js'

const logger = createLogger(parseLogConfig(process.env), 'keys')
let pool: pg.Pool | undefined
try {
  process.exitCode = await runKeysCommand(process.argv.slice(2), {
    pool: () => (pool ??= createPgPool({ ...parsePostgresConfig(process.env), poolMax: 1 }, logger, 'keys')),
    localFile: localApiKeyFile(process.env),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  })
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n${USAGE}\n`)
    process.exitCode = 2
  } else {
    process.stderr.write(`keys: ${(err as Error).message}\n`)
    process.exitCode = 1
  }
} finally {
  await pool?.end()
}
