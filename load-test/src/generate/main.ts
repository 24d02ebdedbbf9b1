/**
 * npm run generate:test-data [users] [-- --seed N --parallel N --chunk N]
 *
 * Loads users 1..users (default 10,000,000) of a seeded, deterministic generator straight into
 * the MySQL read model (user_recap_data, one row per user), as the old system's
 * `generate:test-data` did, then prints the users per trx_count bucket as its verification
 * SQL did. Running it again is a no-op; a larger count adds the missing users. The projector
 * may keep running: events for generated users fold on top of their rows. See
 * docs/read-model.md ("Generated users").
 */
import { parseArgs } from 'node:util'
import { parseMysqlConfig, parseRedisConfig } from '../../../lib/src/config.js'
import { createMysqlPool } from '../../../lib/src/mysql/pool.js'
import { createRedis, redisReady } from '../../../lib/src/redis.js'
import { createLogger } from '../../../lib/src/logger.js'
import { wholeNumber } from '../cli.js'
import { createProgress } from '../progress.js'
import { bucketDistribution, DEFAULT_SEED, FixtureConflictError, loadGeneratedUsers } from './load.js'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string' }, chunk: { type: 'string' }, parallel: { type: 'string' } } })
const whole = (name: string, raw: string | undefined, fallback: number): number => {
  try {
    return wholeNumber(name, raw, { min: 1 }) ?? fallback
  } catch (err) {
    console.error((err as Error).message)
    process.exit(2)
  }
}
const users = whole('users', positionals[0], 10_000_000)
const seed = whole('--seed', values.seed, DEFAULT_SEED)
const chunkUsers = whole('--chunk', values.chunk, 100_000)
const parallel = whole('--parallel', values.parallel, 2)

const pool = createMysqlPool(parseMysqlConfig(process.env), { localFiles: true })
const logger = createLogger({ level: 'warn' }, 'generate-test-data')
const redis = createRedis(parseRedisConfig(process.env), logger)
let code = 0
try {
  const cache = await redisReady(redis).then(() => redis, () => undefined)
  if (cache === undefined) console.warn('Redis is not reachable: users merged with event-folded rows keep their cached entries until the TTL')
  console.log(`generate:test-data: users 1..${users.toLocaleString('en')} of seed ${seed} → ${parseMysqlConfig(process.env).url.replace(/\/\/[^@]*@/, '//')}`)
  const progress = createProgress({ label: 'loading', total: users, unit: 'users' })
  const report = await loadGeneratedUsers({ pool, ...(cache !== undefined ? { redis: cache } : {}), onProgress: (p) => progress.update(p.loadedUsers, `${p.rows.toLocaleString('en')} rows`) },
    { seed, users, chunkUsers, parallel })
  if (report.loadedUsers === 0) {
    console.log(`nothing to do: users 1..${report.fixture.users.toLocaleString('en')} of seed ${seed} are loaded already`)
  } else {
    progress.finish(`${report.rows.toLocaleString('en')} rows`)
    console.log(`loaded ${report.loadedUsers.toLocaleString('en')} users (${report.rows.toLocaleString('en')} rows) in ${report.seconds.toFixed(1)} s` +
      ` (${Math.round(report.loadedUsers / report.seconds).toLocaleString('en')} users/s)` +
      (report.merged > 0 ? `; ${report.merged} of them had rows folded from events already: their generated history was added to those` : ''))
    if (report.uninvalidated > 0) console.warn(`${report.uninvalidated} of those users keep their cached entry until its TTL (CACHE_TTL_SECONDS): Redis did not take the invalidation`)
  }
  const buckets = await bucketDistribution(pool)
  const total = buckets.reduce((s, b) => s + b.users, 0)
  console.log('\nusers by trx_count (the whole read model):')
  console.log('| trx_count | users | share | avg trx_count | avg total_amount |\n| --- | ---: | ---: | ---: | ---: |')
  for (const b of buckets) {
    console.log(`| ${b.bucket} | ${b.users.toLocaleString('en')} | ${((100 * b.users) / Math.max(total, 1)).toFixed(1)} % | ${b.avgTrxCount.toFixed(1)} | ${Math.round(b.avgTotalAmount).toLocaleString('en')} |`)
  }
  console.log(`| total | ${total.toLocaleString('en')} | | | |`)
} catch (err) {
  if (!(err instanceof FixtureConflictError)) throw err
  console.error(err.message)
  code = 2
} finally {
  await pool.end()
  redis.disconnect()
}
process.exit(code)
