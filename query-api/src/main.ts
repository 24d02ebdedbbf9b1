/** query-api: wiring only. With QUERY_WORKERS > 1 this process is a cluster primary and its workers serve. */
import cluster from 'node:cluster'
import { metricsSource, runPrimary, workerSignals } from '../../lib/src/cluster.js'
import { parseProcessConfig } from '../../lib/src/config.js'
import { readFdLimit } from '../../lib/src/fd-limit.js'
import { limitConnections } from '../../lib/src/http/connections.js'
import { createLogger } from '../../lib/src/logger.js'
import { createConnectionMetrics, createHttpMetrics, createProcessMetrics, createQueryMetrics, createRegistry } from '../../lib/src/metrics.js'
import { createMysqlPool } from '../../lib/src/mysql/pool.js'
import { USER_DATA_PREFIX } from '../../lib/src/read-model.js'
import { createRedis, redisReady } from '../../lib/src/redis.js'
import { handleProcessErrors } from '../../lib/src/process-errors.js'
import { handleShutdown, once } from '../../lib/src/shutdown.js'
import { buildQueryApp } from './app.js'
import { CACHE_RESULTS, createCacheAside } from './cache/cache-aside.js'
import { createNearCache } from './cache/near-cache.js'
import { LOCAL_SIGNING_SECRET, parseQueryConfig } from './config.js'
import { createUserDataReader, type UserData } from './user-data.js'

const fdLimit = readFdLimit()
const config = parseQueryConfig(process.env, { fdLimit: fdLimit?.soft })
const logger = createLogger(config.log, 'query-api')
if (config.workers > 1 && cluster.isPrimary) runPrimary({ workers: config.workers, logger, process, shutdownTimeoutMs: config.shutdownTimeoutMs })
else await serve()

async function serve(): Promise<void> {
  if (config.signature.secret === LOCAL_SIGNING_SECRET) logger.warn('QUERY_SIGNING_SECRET is not set: using the local development secret')
  if (config.signature.legacy) logger.warn('QUERY_LEGACY_SIGNATURES=true: the old forgeable signature scheme is accepted')
  const registry = createRegistry('query-api')
  const processErrors = handleProcessErrors({
    process, logger, metrics: createProcessMetrics(registry), maxTransientPerMinute: parseProcessConfig(process.env).maxTransientErrorsPerMinute,
  })
  const metrics = { registry, http: createHttpMetrics(registry), query: createQueryMetrics(registry), collect: metricsSource(registry) }
  for (const result of CACHE_RESULTS) metrics.query.cache.inc({ result }, 0)

  const pool = createMysqlPool(config.mysql)
  const redis = createRedis(config.redis, logger)
  // Without Redis the process still works (reads from MySQL; entries expire by TTL): wait briefly, never fail.
  await redisReady(redis, 3000).catch((err: unknown) => logger.warn({ err }, 'redis not ready: starting without it'))
  const readUser = createUserDataReader(pool)
  const near = createNearCache(redis, { prefix: USER_DATA_PREFIX, config: config.nearCache, logger })
  const cache = createCacheAside<UserData>({
    redis,
    near,
    config: config.cache,
    metrics: metrics.query,
    load: async (userId) => {
      const end = metrics.query.loadDuration.startTimer()
      try {
        return await readUser(userId)
      } finally {
        end()
      }
    },
  })

  const app = await buildQueryApp({
    logger,
    ready: async () => {
      const mysql = await pool.query('SELECT 1').then(() => 'ok', (err: Error) => `unreachable: ${err.message}`)
      // Redis is a cache: without it reads go to MySQL, so it does not decide readiness.
      return { ready: mysql === 'ok', checks: { mysql, redis: redis.status === 'ready' ? 'ok' : `degraded (${redis.status}): reads go to MySQL` } }
    },
    userData: { cache, signature: config.signature, clock: Date.now, retryAfterSeconds: config.retryAfterSeconds },
    metrics,
    server: config.server,
  })
  limitConnections(app.server, config.connections.maxConnections, createConnectionMetrics(registry))

  const close = once(async () => {
    await app.close()
    await pool.end()
    near.close()
    redis.disconnect()
  })
  processErrors.attach(handleShutdown({ process, logger, timeoutMs: config.shutdownTimeoutMs, close, signals: workerSignals() }))

  await app.listen({ host: config.host, port: config.port })
  logger.info({
    host: config.host, port: config.port, cacheTtlSeconds: config.cache.ttlSeconds, legacySignatures: config.signature.legacy,
    maxConnections: config.connections.maxConnections, fdLimit: fdLimit === undefined ? 'unknown' : String(fdLimit.soft), fdReserve: config.connections.fdReserve,
  }, 'query-api listening')
}
