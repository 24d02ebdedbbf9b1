/** consumer (events-pg-sink): wiring only. */
import { createServiceDecoder, loadServiceCatalog } from '../../lib/src/avro/load.js'
import { createKafka } from '../../lib/src/kafka/client.js'
import { createProducer } from '../../lib/src/kafka/producer.js'
import { createLogger } from '../../lib/src/logger.js'
import { createRegistry, createSinkMetrics, initialiseLabels } from '../../lib/src/metrics.js'
import { startMetricsServer } from '../../lib/src/metrics-server.js'
import { createPgPool } from '../../lib/src/pg/pool.js'
import { handleShutdown, once } from '../../lib/src/shutdown.js'
import { parseConsumerConfig } from './config.js'
import { createDeadLetters } from './dlq.js'
import { CREATE_STAGING } from './sink/copy.js'
import { createSinkHandler } from './sink/handler.js'

const config = parseConsumerConfig(process.env)
const logger = createLogger(config.log, 'consumer')
const registry = createRegistry('consumer')
const metrics = createSinkMetrics(registry)
initialiseLabels(metrics)
const metricsServer = await startMetricsServer({ registry, ...config.metrics })
const decoder = createServiceDecoder(await loadServiceCatalog(config.schemaRegistryUrl, config.kafka.topic), config.schemaRegistryUrl)
const pool = createPgPool(config.postgres, logger, config.sink.groupId)
pool.on('connect', (client) => {
  client.query(CREATE_STAGING).catch((err: unknown) => logger.warn({ err }, 'could not create the staging table'))
})

const kafka = createKafka(config.kafka, logger)
const consumer = kafka.consumer({
  groupId: config.sink.groupId,
  sessionTimeout: config.sink.sessionTimeoutMs,
  maxBytesPerPartition: config.sink.maxBytesPerPartition,
  // Without a minimum the broker answers each fetch with whatever has arrived: under
  // single-event traffic that is a Postgres transaction and an offset commit per handful of
  // events. Waiting up to 50 ms for 64 KiB writes the same events in far fewer batches.
  minBytes: config.sink.fetchMinBytes,
  maxWaitTimeInMs: config.sink.fetchMaxWaitMs,
  allowAutoTopicCreation: false,
})
const dlqProducer = createProducer(kafka)

const close = once(async () => {
  await consumer.stop() // waits for the batches being written, then commits
  await consumer.disconnect()
  await dlqProducer.disconnect()
  await pool.end()
  await metricsServer.close()
})
handleShutdown({ process, logger, timeoutMs: config.shutdownTimeoutMs, close })

consumer.on(consumer.events.CRASH, ({ payload }) => {
  logger.error({ err: payload.error, restart: payload.restart }, 'kafka consumer crashed')
  if (!payload.restart) process.kill(process.pid, 'SIGTERM')
})
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  logger.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, 'joined group')
})

await Promise.all([consumer.connect(), dlqProducer.connect()])
await consumer.subscribe({ topic: config.kafka.topic, fromBeginning: true })
await consumer.run({
  eachBatchAutoResolve: false,
  // Commit to Kafka after every written batch: Postgres holds the position, but producer-api's
  // backpressure reads lag from these commits, and a 1 s commit interval would add a second
  // of traffic to every lag reading.
  autoCommitThreshold: 1,
  partitionsConsumedConcurrently: config.sink.concurrency,
  eachBatch: createSinkHandler({
    pool,
    decoder,
    deadLetters: createDeadLetters({ producer: dlqProducer, topic: config.kafka.dlqTopic, group: config.sink.groupId }),
    config: config.sink,
    logger,
    metrics,
    seek: (topic, partition, offset) => consumer.seek({ topic, partition, offset: String(offset) }),
  }),
})
logger.info({ topic: config.kafka.topic, group: config.sink.groupId, metricsPort: metricsServer.port }, 'events-pg-sink running')
