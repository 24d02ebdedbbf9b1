/** producer-api: wiring only. */
import { loadCatalog } from '../../lib/src/avro/catalog.js'
import { createKafka } from '../../lib/src/kafka/client.js'
import { createProducer } from '../../lib/src/kafka/producer.js'
import { createLogger } from '../../lib/src/logger.js'
import { handleShutdown, once } from '../../lib/src/shutdown.js'
import { nowMicros } from '../../lib/src/time.js'
import { buildApp } from './app.js'
import { parseProducerApiConfig } from './config.js'
import { createSender } from './events/sender.js'
import { createEventValidator } from './events/validate.js'
import { createBrokerProbe } from './health/broker.js'

const config = parseProducerApiConfig(process.env)
const logger = createLogger(config.log, 'producer-api')
const catalog = loadCatalog()
const kafka = createKafka(config.kafka, logger)
const producer = createProducer(kafka)
const admin = kafka.admin()
await Promise.all([producer.connect(), admin.connect()])

const sender = createSender({
  producer,
  topic: config.kafka.topic,
  config: config.send,
  onSendError: (err) => logger.warn({ err }, 'produce failed'),
})
const probe = createBrokerProbe({ admin, topic: config.kafka.topic, timeoutMs: 2000, cacheMs: 1000 })
const app = await buildApp({
  logger,
  accept: { validate: createEventValidator(catalog), sender, clock: nowMicros },
  ready: async () => {
    const broker = await probe()
    return { ready: broker.ready, checks: { broker: broker.detail } }
  },
  bodyLimit: config.bodyLimit,
  maxBatchEvents: config.maxBatchEvents,
})

const close = once(async () => {
  await app.close() // stop accepting, let in-flight requests finish
  await sender.close() // flush what is queued, wait for acks
  await Promise.allSettled([producer.disconnect(), admin.disconnect()])
})
handleShutdown({ process, logger, timeoutMs: config.shutdownTimeoutMs, close })

await app.listen({ host: config.host, port: config.port })
logger.info({ host: config.host, port: config.port, topic: config.kafka.topic }, 'producer-api listening')
