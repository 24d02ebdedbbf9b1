/** consumer (events-pg-sink): wiring only. */
import { createServiceDecoder, loadServiceCatalog } from '../../lib/src/avro/load.js'
import { parseProcessConfig } from '../../lib/src/config.js'
import { createKafka } from '../../lib/src/kafka/client.js'
import { createProducer } from '../../lib/src/kafka/producer.js'
import { createLogger } from '../../lib/src/logger.js'
import { createProcessMetrics, createRegistry, createSinkMetrics, initialiseLabels } from '../../lib/src/metrics.js'
import { startMetricsServer } from '../../lib/src/metrics-server.js'
import { createPgPool } from '../../lib/src/pg/pool.js'
import { handleProcessErrors } from '../../lib/src/process-errors.js'
import { handleShutdown, once } from '../../lib/src/shutdown.js'
import { createBatchLoop } from './batch.js'
import { parseConsumerConfig } from './config.js'
import { createDeadLetters } from './dlq.js'
import { createGroupConsumer, runGroup } from './group.js'
import { createSinkWrite } from './sink/handler.js'
import { createSinkStore } from './sink/store.js'

const config = parseConsumerConfig(process.env)
const logger = createLogger(config.log, 'consumer')
const registry = createRegistry('consumer')
const processErrors = handleProcessErrors({
  process, logger, metrics: createProcessMetrics(registry), maxTransientPerMinute: parseProcessConfig(process.env).maxTransientErrorsPerMinute,
})
const metrics = createSinkMetrics(registry)
initialiseLabels(metrics)
const metricsServer = await startMetricsServer({ registry, ...config.metrics })
const decoder = createServiceDecoder(await loadServiceCatalog(config.schemaRegistryUrl, config.kafka.topic), config.schemaRegistryUrl)
const pool = createPgPool(config.postgres, logger, config.sink.groupId)

const kafka = createKafka(config.kafka, logger)
const consumer = createGroupConsumer(kafka, config.sink, logger, () => process.kill(process.pid, 'SIGTERM'))
const dlqProducer = createProducer(kafka)

// Aborted first on shutdown: a batch waiting in backoff stops waiting (consumer.stop() waits for it).
const stopping = new AbortController()
const close = once(async () => {
  stopping.abort()
  await consumer.stop() // waits for the batches being written, then commits
  await consumer.disconnect()
  await dlqProducer.disconnect()
  await pool.end()
  await metricsServer.close()
})
const shutdown = handleShutdown({ process, logger, timeoutMs: config.shutdownTimeoutMs, close })
processErrors.attach(shutdown)

await Promise.all([consumer.connect(), dlqProducer.connect()])
await runGroup(consumer, config.kafka.topic, config.sink, createBatchLoop({
  write: createSinkWrite({
    store: createSinkStore({ pool, group: config.sink.groupId }),
    decoder,
    deadLetters: createDeadLetters({ producer: dlqProducer, topic: config.kafka.dlqTopic, group: config.sink.groupId }),
    metrics,
  }),
  retry: { minMs: config.sink.retryMinMs, maxMs: config.sink.retryMaxMs },
  logger,
  onRetry: () => metrics.retries.inc(),
  signal: stopping.signal,
  onFatal: () => shutdown.stop('permanent store failure', 1),
  seek: (topic, partition, offset) => consumer.seek({ topic, partition, offset: String(offset) }),
}))
logger.info({ topic: config.kafka.topic, group: config.sink.groupId, metricsPort: metricsServer.port }, 'events-pg-sink running')
