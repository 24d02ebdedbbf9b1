/** user-recap-projector: folds trx.* events into MySQL user_recap_data, invalidates Redis. Wiring only. */
import { createServiceDecoder, loadServiceCatalog } from '../../../lib/src/avro/load.js'
import { parseProcessConfig } from '../../../lib/src/config.js'
import { createKafka } from '../../../lib/src/kafka/client.js'
import { createLogger } from '../../../lib/src/logger.js'
import { createProcessMetrics, createProjectorMetrics, createRegistry } from '../../../lib/src/metrics.js'
import { startMetricsServer } from '../../../lib/src/metrics-server.js'
import { createMysqlPool } from '../../../lib/src/mysql/pool.js'
import { createRedis, redisReady } from '../../../lib/src/redis.js'
import { handleProcessErrors } from '../../../lib/src/process-errors.js'
import { handleShutdown, once } from '../../../lib/src/shutdown.js'
import { createBatchLoop } from '../batch.js'
import { parseProjectorConfig } from '../config.js'
import { createGroupConsumer, runGroup } from '../group.js'
import { createProjectorWrite } from './handler.js'
import { createInvalidationOutbox } from './invalidations.js'
import { createDedupePruner } from './prune.js'
import { createProjectorStore } from './store.js'

const config = parseProjectorConfig(process.env)
const logger = createLogger(config.log, 'projector')
const registry = createRegistry('projector')
const processErrors = handleProcessErrors({
  process, logger, metrics: createProcessMetrics(registry), maxTransientPerMinute: parseProcessConfig(process.env).maxTransientErrorsPerMinute,
})
const metrics = createProjectorMetrics(registry)
for (const outcome of ['applied', 'duplicate', 'skipped', 'undecodable']) metrics.events.inc({ outcome }, 0)
const metricsServer = await startMetricsServer({ registry, ...config.metrics })
const decoder = createServiceDecoder(await loadServiceCatalog(config.schemaRegistryUrl, config.kafka.topic), config.schemaRegistryUrl)
const pool = createMysqlPool(config.mysql)
const redis = createRedis(config.redis, logger)
// Without Redis the process still works (reads from MySQL; entries expire by TTL): wait briefly, never fail.
await redisReady(redis, 3000).catch((err: unknown) => logger.warn({ err }, 'redis not ready: starting without it'))

const pruner = createDedupePruner({
  pool, ...config.dedupe, intervalMs: config.dedupe.pruneIntervalMs, logger, onPruned: (n) => metrics.pruned.inc(n),
})
pruner.start()
// What a projector killed between a commit and its invalidation left marked: dropped now, and
// every PROJECTOR_INVALIDATION_DRAIN_MS (a Redis that did not answer, another projector's crash).
const outbox = createInvalidationOutbox({
  pool, redis, intervalMs: config.invalidationDrainMs, logger, onDrained: (n) => metrics.invalidations.inc({ result: 'drained' }, n),
})
await outbox.start()

const kafka = createKafka(config.kafka, logger)
const consumer = createGroupConsumer(kafka, config.projector, logger, () => process.kill(process.pid, 'SIGTERM'))

// Aborted first on shutdown: a batch waiting in backoff stops waiting (consumer.stop() waits for it).
const stopping = new AbortController()
const close = once(async () => {
  stopping.abort()
  await Promise.all([pruner.close(), outbox.close()])
  await consumer.stop()
  await consumer.disconnect()
  await pool.end()
  redis.disconnect()
  await metricsServer.close()
})
const shutdown = handleShutdown({ process, logger, timeoutMs: config.shutdownTimeoutMs, close })
processErrors.attach(shutdown)

await consumer.connect()
await runGroup(consumer, config.kafka.topic, config.projector, createBatchLoop({
  write: createProjectorWrite({ store: createProjectorStore({ pool, group: config.projector.groupId }), decoder, redis, outbox, logger, metrics }),
  retry: { minMs: config.projector.retryMinMs, maxMs: config.projector.retryMaxMs },
  logger,
  onRetry: () => metrics.retries.inc(),
  signal: stopping.signal,
  onFatal: () => shutdown.stop('permanent store failure', 1),
  seek: (topic, partition, offset) => consumer.seek({ topic, partition, offset: String(offset) }),
}))
logger.info({ topic: config.kafka.topic, group: config.projector.groupId, metricsPort: metricsServer.port }, 'user-recap-projector running')
