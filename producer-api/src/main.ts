/** producer-api: wiring only. With PRODUCER_WORKERS > 1 this process is a cluster primary and its workers serve. */
import cluster from 'node:cluster'
import { loadActiveApiKeys } from '../../lib/src/api-keys/store.js'
import { loadServiceCatalog } from '../../lib/src/avro/load.js'
import { metricsSource, runPrimary, workerSignals } from '../../lib/src/cluster.js'
import { parseProcessConfig } from '../../lib/src/config.js'
import { PipelineError } from '../../lib/src/errors.js'
import { readFdLimit } from '../../lib/src/fd-limit.js'
import { limitConnections } from '../../lib/src/http/connections.js'
import { createKafka } from '../../lib/src/kafka/client.js'
import { createRecordProducer } from '../../lib/src/kafka/record-producer.js'
import { createLogger } from '../../lib/src/logger.js'
import {
  createApiKeyMetrics, createConnectionMetrics, createHttpMetrics, createIngestMetrics, createLagMetrics, createProcessMetrics, createRegistry, initialiseLabels,
} from '../../lib/src/metrics.js'
import { createPgPool } from '../../lib/src/pg/pool.js'
import { handleProcessErrors } from '../../lib/src/process-errors.js'
import { createRedis } from '../../lib/src/redis.js'
import { handleShutdown, once } from '../../lib/src/shutdown.js'
import { nowMicros } from '../../lib/src/time.js'
import { buildApp } from './app.js'
import { createKeySet, startVerdict } from './auth/key-set.js'
import { createRateLimiter } from './auth/rate-limiter.js'
import { parseProducerApiConfig } from './config.js'
import { createSender } from './events/sender.js'
import { createEventValidator } from './events/validate.js'
import { createBrokerProbe } from './health/broker.js'
import { createLagMonitor } from './lag/monitor.js'

const fdLimit = readFdLimit()
const config = parseProducerApiConfig(process.env, { fdLimit: fdLimit?.soft })
const logger = createLogger(config.log, 'producer-api')
if (config.workers > 1 && cluster.isPrimary) runPrimary({ workers: config.workers, logger, process, shutdownTimeoutMs: config.shutdownTimeoutMs })
else await serve()

async function serve(): Promise<void> {
  const registry = createRegistry('producer-api')
  const processErrors = handleProcessErrors({
    process, logger, metrics: createProcessMetrics(registry), maxTransientPerMinute: parseProcessConfig(process.env).maxTransientErrorsPerMinute,
  })
  const catalog = await loadServiceCatalog(config.schemaRegistryUrl, config.kafka.topic)
  const metrics = { registry, http: createHttpMetrics(registry), ingest: createIngestMetrics(registry), apiKeys: createApiKeyMetrics(registry), collect: metricsSource(registry) }
  initialiseLabels({ ...metrics.ingest, apiKeyFailures: metrics.apiKeys.failures })

  // Who may write: the key set is read before anything else starts, and kept in memory.
  const keysPool = createPgPool({ ...config.auth.postgres, poolMax: 1 }, logger, 'producer-api-keys')
  const keySet = createKeySet({
    load: () => loadActiveApiKeys(keysPool, config.auth.loadTimeoutMs),
    refreshMs: config.auth.refreshMs,
    defaultRateLimit: config.auth.defaultRateLimit,
    logger,
    metrics: metrics.apiKeys,
  })
  const refuseToStart = async (err: PipelineError): Promise<never> => {
    logger.fatal({ err, code: err.code }, err.message)
    await keysPool.end()
    process.exit(1)
  }
  await keySet.start().catch((err: unknown) => refuseToStart(err instanceof PipelineError ? err : new PipelineError('PIPELINE_API_KEYS_UNAVAILABLE', String(err))))
  switch (startVerdict(keySet.size, config.auth.requireKeys)) {
    case 'refuse':
      await refuseToStart(new PipelineError('PIPELINE_API_KEYS_MISSING', 'no producer API keys (the producer_api_keys table has none that is not revoked) and NODE_ENV=production: not starting. '
        + 'Create one: npm run keys -- create --name <name> --services <service,...> (compose: docker-compose -f compose/docker-compose.yml --env-file compose/.env '
        + 'run --rm provision node dist/scripts/keys.js create --name <name> --services <service,...>)'))
      break
    case 'warn':
      logger.warn('no producer API keys yet: every POST /events is 401 until one is created (npm run keys -- create --name <name> --services <service,...>)')
      break
    case 'serve':
      break
  }
  // The limiter sends one command per key and turn of the event loop itself; ioredis' auto-pipelining
  // would hold it for one more turn.
  const redis = createRedis(config.auth.redis, logger, { commandTimeoutMs: config.auth.rateLimitTimeoutMs, autoPipelining: false })
  const limiter = createRateLimiter({ redis, logger, metrics: metrics.apiKeys })

  const kafka = createKafka(config.kafka, logger)
  const producer = createRecordProducer(config.kafka, config.kafka.topic)
  const admin = kafka.admin()
  await admin.connect()

  const sender = createSender({
    producer,
    config: config.send,
    onSent: ({ events, seconds, error }) => {
      metrics.ingest.sendBatchSize.observe(events)
      metrics.ingest.sendDuration.observe({ outcome: error === undefined ? 'ok' : 'error' }, seconds)
      if (error !== undefined) logger.warn({ err: error, events }, 'produce failed')
    },
  })
  const monitor = createLagMonitor({
    admin,
    topic: config.kafka.topic,
    groups: config.lag.groups,
    observedGroups: config.lag.observedGroups,
    thresholds: config.lag.thresholds,
    intervalMs: config.lag.intervalMs,
    staleAfterMs: config.lag.staleAfterMs,
    metrics: createLagMetrics(registry),
    logger,
  })
  await monitor.start()
  const probe = createBrokerProbe({ admin, topic: config.kafka.topic, timeoutMs: 2000, cacheMs: 1000 })
  const app = await buildApp({
    logger,
    accept: { validate: createEventValidator(catalog, { maxPayloadDepth: config.maxPayloadDepth }), sender, clock: nowMicros, metrics: metrics.ingest },
    ready: async () => {
      const broker = await probe()
      const keys = `${keySet.size} keys, read ${keySet.refreshedAt === undefined ? 'never' : new Date(keySet.refreshedAt).toISOString()}`
      return { ready: broker.ready, checks: { broker: broker.detail, api_keys: keys, rate_limit: redis.status === 'ready' ? 'ok' : `degraded (${redis.status}): requests admitted without a limit` } }
    },
    bodyLimit: config.bodyLimit,
    maxBatchEvents: config.maxBatchEvents,
    lag: { snapshot: monitor.snapshot, thresholds: config.lag.thresholds },
    admission: config.admission,
    auth: { keys: keySet, limiter },
    metrics,
    onBackgroundError: (err) => processErrors.report('background', err),
    server: config.server,
  })
  limitConnections(app.server, config.connections.maxConnections, createConnectionMetrics(registry))

  const close = once(async () => {
    await app.close() // stop accepting, let in-flight requests finish
    monitor.close()
    await sender.close() // flush what is queued, wait for acks
    await keySet.close()
    await Promise.allSettled([producer.close(), admin.disconnect(), keysPool.end()])
    redis.disconnect()
  })
  processErrors.attach(handleShutdown({ process, logger, timeoutMs: config.shutdownTimeoutMs, close, signals: workerSignals() }))

  await app.listen({ host: config.host, port: config.port })
  logger.info({
    host: config.host, port: config.port, topic: config.kafka.topic, lag: config.lag, schemaRegistry: config.schemaRegistryUrl ?? 'none (catalog ids)',
    maxConnections: config.connections.maxConnections, fdLimit: fdLimit === undefined ? 'unknown' : String(fdLimit.soft), fdReserve: config.connections.fdReserve,
    apiKeys: keySet.size, apiKeysRefreshMs: config.auth.refreshMs,
  }, 'producer-api listening')
}
