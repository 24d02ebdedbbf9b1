/**
 * A producer instance of the cluster test: producer-api's own producer (lib/src/kafka/record-producer.ts,
 * acks=all, its retries) sending our Avro records with producer-api's headers at a steady rate.
 * One worker per partition, one send in flight each, every send to one partition (its records
 * share a key of that partition), so that each send's outcome is that of all its records.
 */
import { randomUUID } from 'node:crypto'
import { loadCatalog } from '../../../lib/src/avro/catalog.js'
import { encodeRecord } from '../../../lib/src/avro/codec.js'
import type { KafkaConfig } from '../../../lib/src/config.js'
import { createRecordProducer, rememberingPartitioner, type OutgoingRecord, type RecordProducer } from '../../../lib/src/kafka/record-producer.js'
import { nowMicros } from '../../../lib/src/time.js'
import { CONTENT_TYPE } from '../../../producer-api/src/events/accept.js'
import { judgeSendError, type Outcome } from './outcome.js'

export interface Send {
  readonly producer: string
  readonly partition: number
  readonly ids: readonly string[]
  readonly startedAt: number
  readonly endedAt: number
  readonly outcome: Outcome
  readonly codes: readonly string[]
}

const generic = (() => {
  const version = loadCatalog().eventTypes.get('generic')?.latest
  if (version === undefined) throw new Error('the catalog has no generic event type')
  return version
})()

/** A key per partition: records of one key land on one partition (Java's murmur2, as producer-api places them). */
export function keysByPartition(partitions: number): string[] {
  const hash = rememberingPartitioner()
  const keys: (string | undefined)[] = Array.from({ length: partitions })
  for (let i = 0; keys.includes(undefined); i++) {
    const key = `cluster-test-${i}`
    const p = hash({ key }, Buffer.from(key)) % partitions
    keys[p] ??= key
  }
  return keys.map(String)
}

export function records(service: string, key: string, count: number): { ids: string[]; records: OutgoingRecord[] } {
  const ids: string[] = []
  const out: OutgoingRecord[] = []
  for (let i = 0; i < count; i++) {
    const id = randomUUID()
    const at = nowMicros()
    ids.push(id)
    out.push({
      key,
      value: encodeRecord(generic, { event_id: id, service, event_type: 'generic', occurred_at: at, received_at: at, user_id: null, payload: { i, at } }),
      headers: { 'event-type': 'generic', 'schema-version': String(generic.version), 'event-id': id, 'content-type': CONTENT_TYPE },
    })
  }
  return { ids, records: out }
}

/** One send, timed and judged. */
export async function sendOnce(producer: RecordProducer, name: string, partition: number, key: string, count: number): Promise<Send> {
  const batch = records(name, key, count)
  const startedAt = Date.now()
  try {
    await producer.send(batch.records)
    return { producer: name, partition, ids: batch.ids, startedAt, endedAt: Date.now(), outcome: 'acknowledged', codes: [] }
  } catch (err) {
    const judged = judgeSendError(err)
    return { producer: name, partition, ids: batch.ids, startedAt, endedAt: Date.now(), ...judged }
  }
}

export interface LoadOptions {
  readonly name: string
  readonly kafka: KafkaConfig
  readonly keys: readonly string[]
  /** Events per second over all partitions. */
  readonly rate: number
  readonly batchSize: number
}

export interface ProducerLoad {
  readonly name: string
  readonly sends: Send[]
  /** Stops sending, waits for the sends in flight, closes the producer. Idempotent. */
  stop(): Promise<void>
}

export function startProducerLoad({ name, kafka, keys, rate, batchSize }: LoadOptions): ProducerLoad {
  const producer = createRecordProducer({ ...kafka, clientId: name }, kafka.topic)
  const sends: Send[] = []
  const intervalMs = (batchSize * keys.length * 1000) / rate
  let stopped = false
  async function worker(partition: number, key: string): Promise<void> {
    let next = Date.now() + Math.random() * intervalMs
    while (!stopped) {
      const wait = next - Date.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      if (stopped) break
      next = Math.max(next + intervalMs, Date.now())
      sends.push(await sendOnce(producer, name, partition, key, batchSize))
    }
  }
  const done = Promise.all(keys.map((key, partition) => worker(partition, key)))
  let stopping: Promise<void> | undefined
  return {
    name,
    sends,
    stop() {
      stopped = true
      stopping ??= done.then(() => producer.close())
      return stopping
    },
  }
}
