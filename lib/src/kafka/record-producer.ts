/**
 * producer-api's producer: records of one topic, acks=all, on @platformatic/kafka rather than
 * kafkajs. `npm run bench -- kafka-clients` measured kafkajs at 22–23 µs of CPU per record of
 * ours (a string key, our four headers) and @platformatic/kafka 1.x at 11–14 µs, twice the
 * records per second: kafkajs' record encoder allocates an encoder per header, and it was the
 * largest cost in producer-api's profile. kafkajs stays for the consumers and the admin
 * client. Not idempotent, for the reason in ./producer.ts: exactly once rests on event ids.
 *
 * Partitions are Java's (murmur2 of the key, positive, modulo the partition count), as
 * kafkajs' DefaultPartitioner and Redpanda's clients place them, remembered per key.
 *
 * acks=all is passed on every send: @platformatic/kafka 1.x applies the producer's `acks` option
 * only to idempotent producers; a send without its own `acks` goes out with acks=1 (the leader
 * alone). On one broker that is the same thing; on a cluster it is not: the cluster test
 * (scripts/test/cluster) measured acknowledged sends while two of three brokers were down and
 * 100 of 91,262 acknowledged events lost after the leader that had acknowledged them was killed.
 */
import { compatibilityPartitioner, Producer, ProduceAcks, stringSerializer } from '@platformatic/kafka'
import type { KafkaConfig } from '../config.js'

export interface OutgoingRecord {
  readonly key: string
  readonly value: Buffer
  readonly headers: Readonly<Record<string, string>>
}

export interface RecordProducer {
  /** Resolves once the broker has every record (acks=all); rejects if any send failed. */
  send(records: readonly OutgoingRecord[]): Promise<void>
  /** Idempotent. */
  close(): Promise<void>
}

/** Keys remembered; past this the memo starts afresh (user ids are unbounded). */
const MEMO_KEYS = 10_000

/** Java's partition hash of each key (positive murmur2), remembered; the client takes it modulo the partition count. */
export function rememberingPartitioner(): (message: { readonly key?: string }, key?: Buffer) => number {
  let memo = new Map<string, number>()
  return (message, key) => {
    if (message.key === undefined || key === undefined) return 0
    let hash = memo.get(message.key)
    if (hash === undefined) {
      if (memo.size >= MEMO_KEYS) memo = new Map()
      hash = compatibilityPartitioner(undefined as never, key)
      memo.set(message.key, hash)
    }
    return hash
  }
}

export function createRecordProducer(config: KafkaConfig, topic: string, { retries = 3 }: { retries?: number } = {}): RecordProducer {
  const producer = new Producer<string, Buffer, string, string>({
    clientId: config.clientId,
    bootstrapBrokers: [...config.brokers],
    connectTimeout: config.connectionTimeoutMs,
    timeout: config.requestTimeoutMs,
    retries,
    retryDelay: 200,
    acks: ProduceAcks.ALL,
    idempotent: false,
    autocreateTopics: false,
    partitioner: rememberingPartitioner(),
    serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
  })
  let closing: Promise<void> | undefined
  return {
    async send(records) {
      await producer.send({ messages: records.map((r) => ({ topic, key: r.key, value: r.value, headers: r.headers })), acks: ProduceAcks.ALL })
    },
    close() {
      closing ??= producer.close()
      return closing
    },
  }
}
