/**
 * The one place that builds kafkajs clients (consumers, the DLQ producer, admin). kafkajs is
 * in maintenance mode: keeping it behind lib/kafka lets the rest of the code move to another
 * client without a rewrite, as producer-api's producer did (./record-producer.ts).
 */
import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs'
import './idle-timer-fix.js'
import type { KafkaConfig } from '../config.js'
import type { Logger } from '../logger.js'

function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...rest } = log
      const entry = { kafka: namespace, ...rest }
      switch (level) {
        case logLevel.ERROR:
          logger.error(entry, message)
          break
        case logLevel.WARN:
          logger.warn(entry, message)
          break
        case logLevel.INFO:
          logger.info(entry, message)
          break
        default:
          logger.debug(entry, message)
      }
    }
}

export function createKafka(config: KafkaConfig, logger: Logger): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: logger.isLevelEnabled('debug') ? logLevel.INFO : logLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })),
  })
}
