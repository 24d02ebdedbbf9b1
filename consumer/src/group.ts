/**
 * A kafkajs consumer for a group whose position lives in its own database, configured the same
 * way for every such group: fetches that wait for a minimum of bytes, manual resolution, a
 * Kafka commit after every written batch, and a crash that kafkajs will not restart turned
 * into an orderly shutdown (SIGTERM) rather than a silent stop.
 */
import type { Consumer, EachBatchPayload, Kafka } from '../../lib/src/kafka/types.js'
import type { Logger } from '../../lib/src/logger.js'
import type { GroupConfig } from './config.js'

export function createGroupConsumer(kafka: Kafka, group: GroupConfig, logger: Logger, onFatal: () => void): Consumer {
  const consumer = kafka.consumer({
    groupId: group.groupId,
    sessionTimeout: group.sessionTimeoutMs,
    maxBytesPerPartition: group.maxBytesPerPartition,
    // Without a minimum the broker answers each fetch with whatever has arrived: under
    // single-event traffic that is a transaction and an offset commit per handful of events.
    // Every fetch costs kafkajs and the store the same whatever it holds, so the defaults wait
    // for 256 KiB or 250 ms: at 3,000 single events/s that took 35–40 % less CPU in each group
    // and half of Postgres' than 64 KiB or 50 ms (docs/performance.md); an event reaches the
    // tables at most a quarter second later when traffic is light.
    minBytes: group.fetchMinBytes,
    maxWaitTimeInMs: group.fetchMaxWaitMs,
    allowAutoTopicCreation: false,
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error({ err: payload.error, restart: payload.restart, group: group.groupId }, 'kafka consumer crashed')
    if (!payload.restart) onFatal()
  })
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    logger.info({ group: group.groupId, memberId: payload.memberId, assignment: payload.memberAssignment }, 'joined group')
  })
  return consumer
}

export async function runGroup(consumer: Consumer, topic: string, group: GroupConfig, eachBatch: (payload: EachBatchPayload) => Promise<void>): Promise<void> {
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachBatchAutoResolve: false,
    // Commit to Kafka after every written batch: the database holds the position, but
    // producer-api's backpressure reads lag from these commits, and a 1 s commit interval
    // would add a second of traffic to every lag reading.
    autoCommitThreshold: 1,
    partitionsConsumedConcurrently: group.concurrency,
    eachBatch,
  })
}
