/** producer-api: wiring only. */
import { loadServiceCatalog } from '../../lib/src/avro/load.js'
import { parseProcessConfig } from '../../lib/src/config.js'
import { readFdLimit } from '../../lib/src/fd-limit.js'
import { limitConnections } from '../../lib/src/http/connections.js'
import { createKafka } from '../../lib/src/kafka/client.js'
import { createRecordProducer } from '../../lib/src/kafka/record-producer.js'
import { createLogger } from '../../lib/src/logger.js'
import {
  createConnectionMetrics, createHttpMetrics, createIngestMetrics, createLagMetrics, createProcessMetrics, createRegistry, initialiseLabels,
} from '../../lib/src/metrics.js'
import { handleProcessErrors } from '../../lib/src/process-errors.js'
import { handleShutdown, once } from '../../lib/src/shutdown.js'
import { nowMicros } from '../../lib/src/time.js'
import { buildApp } from './app.js'
import { parseProducerApiConfig } from './config.js'
import { createSender } from './events/sender.js'
import { createEventValidator } from './events/validate.js'
import { createBrokerProbe } from './health/broker.js'
import { createLagMonitor } from './lag/monitor.js'

const fdLimit = readFdLimit()
const config = parseProducerApiConfig(process.env, { fdLimit: fdLimit?.soft })
const logger = createLogger(config.log, 'producer-api')
const registry = createRegistry('producer-api')
const processErrors = handleProcessErrors({
  process, logger, metrics: createProcessMetrics(registry), maxTransientPerMinute: parseProcessConfig(process.env).maxTransientErrorsPerMinute,
})
const catalog = await loadServiceCatalog(config.schemaRegistryUrl, config.kafka.topic)
const metrics = { registry, http: createHttpMetrics(registry), ingest: createIngestMetrics(registry) }
initialiseLabels(metrics.ingest)

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
    return { ready: broker.ready, checks: { broker: broker.detail } }
  },
  bodyLimit: config.bodyLimit,
  maxBatchEvents: config.maxBatchEvents,
  lag: { snapshot: monitor.snapshot, thresholds: config.lag.thresholds },
  admission: config.admission,
  metrics,
  onBackgroundError: (err) => processErrors.report('background', err),
  server: config.server,
})
limitConnections(app.server, config.connections.maxConnections, createConnectionMetrics(registry))

const close = once(async () => {
  await app.close() // stop accepting, let in-flight requests finish
  monitor.close()
  await sender.close() // flush what is queued, wait for acks
  await Promise.allSettled([producer.close(), admin.disconnect()])
})
processErrors.attach(handleShutdown({ process, logger, timeoutMs: config.shutdownTimeoutMs, close }))

await app.listen({ host: config.host, port: config.port })
logger.info({
  host: config.host, port: config.port, topic: config.kafka.topic, lag: config.lag, schemaRegistry: config.schemaRegistryUrl ?? 'none (catalog ids)',
  maxConnections: config.connections.maxConnections, fdLimit: fdLimit === undefined ? 'unknown' : String(fdLimit.soft), fdReserve: config.connections.fdReserve,
}, 'producer-api listening')
