/**
 * The one producer configuration of the pipeline: acks=all (set on each send), one request
 * in flight, bounded retries, and NOT kafkajs' idempotent mode.
 *
 * Why not idempotent: kafkajs 2.2.4 rolls an idempotent producer's sequence numbers back when
 * a request fails on the wire, even if the broker had written it. After a broker crash it then
 * reuses those numbers for other records, and the broker answers them as duplicates of what
 * it already has: the send resolves, the records are never written. Measured here with
 * producer-api/test/e2e/failures.test.ts (kill -9 of the broker under load): 40–60 of ~100k
 * acknowledged events missing in 2 of 7 runs. Exactly-once does not need it: every event
 * carries its id, the sink stores each id once (ON CONFLICT DO NOTHING), and a client's own
 * retries duplicate records in the log whatever the producer does.
 */
import { Partitioners, type ICustomPartitioner, type Kafka, type Producer } from 'kafkajs'

export interface ProducerOptions {
  /** How many times kafkajs retries a failed request before the send rejects. */
  readonly retries: number
}

export function createProducer(kafka: Kafka, { retries }: ProducerOptions = { retries: 5 }): Producer {
  return kafka.producer({
    idempotent: false,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: cachedKeyPartitioner,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 2000 },
  })
}

/** Keys remembered per partitioner; past this the memo starts afresh (user ids are unbounded). */
const MEMO_KEYS = 10_000

/**
 * kafkajs' Java-compatible murmur2 partitioner (records of one key land where Java and
 * Redpanda clients put them), with each key's partition remembered. The hash is a pure
 * function of the key and the partition count, but kafkajs computes it with 64-bit
 * emulation and filters the partition list for every record: 5 % of producer-api's CPU
 * under batched load (--cpu-prof), for keys that repeat (a user's events, a service's).
 */
export const cachedKeyPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner()
  const memos = new Map<number, Map<string, number>>() // by partition count
  return (args) => {
    const { key, partition: explicit } = args.message
    if (typeof key !== 'string' || (explicit !== undefined && explicit !== null)) return partition(args)
    const count = args.partitionMetadata.length
    let memo = memos.get(count)
    if (memo === undefined || memo.size >= MEMO_KEYS) memos.set(count, (memo = new Map()))
    let p = memo.get(key)
    if (p === undefined) {
      p = partition(args)
      memo.set(key, p)
    }
    return p
  }
}
