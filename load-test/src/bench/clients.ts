/**
 * kafka-clients: the producer cost per record of kafkajs (what producer-api uses) against
 * @platformatic/kafka 1.x (the fastest Node client that still runs on Node 20), producing the
 * records producer-api produces (a string key, a 250-byte value, our four headers) in sends of
 * 1,000 with acks=all, one send in flight, alternating twice in the same run. Diagnostic: it
 * measures the largest cost found in producer-api's profile (kafkajs' record encoding).
 */
import { randomUUID } from 'node:crypto'
import { Producer } from '@platformatic/kafka'
import { createProducer } from '../../../lib/src/kafka/producer.js'
import type { Kafka } from '../../../lib/src/kafka/types.js'

export interface ClientFigures {
  readonly client: 'kafkajs' | '@platformatic/kafka'
  readonly records: number
  readonly recordsPerSecond: number
  /** CPU (user + system) of this process per record, µs. */
  readonly cpuMicrosPerRecord: number
}

const SEND = 1000
const HEADERS = ['event-type', 'schema-version', 'event-id', 'content-type'] as const

function headerValues(id: string): string[] {
  return ['generic', '1', id, 'application/vnd.aurore.event+avro']
}

async function measure(client: ClientFigures['client'], records: number, send: (from: number, ids: string[]) => Promise<void>): Promise<ClientFigures> {
  const ids = Array.from({ length: records }, () => randomUUID())
  const started = performance.now()
  const cpu = process.cpuUsage()
  for (let i = 0; i < records; i += SEND) await send(i, ids)
  const used = process.cpuUsage(cpu)
  const seconds = (performance.now() - started) / 1000
  return { client, records, recordsPerSecond: Math.round(records / seconds), cpuMicrosPerRecord: +((used.user + used.system) / records).toFixed(1) }
}

export async function compareClients(kafka: Kafka, brokers: readonly string[], records = 200_000): Promise<ClientFigures[]> {
  const topic = `bench-clients-${randomUUID().slice(0, 8)}`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true })
  const value = Buffer.alloc(250, 7)
  const out: ClientFigures[] = []
  try {
    for (let round = 0; round < 2; round++) {
      const kjs = createProducer(kafka) // the murmur2 partitioner, one request in flight
      await kjs.connect()
      out.push(await measure('kafkajs', records, async (from, ids) => {
        const messages = ids.slice(from, from + SEND).map((id, i) => ({
          key: `user-${(from + i) % 500}`, value,
          headers: Object.fromEntries(HEADERS.map((h, k) => [h, headerValues(id)[k] ?? ''])),
        }))
        await kjs.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 })
      }))
      await kjs.disconnect()

      const plt = new Producer({
        clientId: 'bench-clients', bootstrapBrokers: [...brokers], acks: -1,
        serializers: { key: (k?: string) => (k === undefined ? undefined : Buffer.from(k)), headerKey: (k?: string) => (k === undefined ? undefined : Buffer.from(k)), headerValue: (v?: string) => (v === undefined ? undefined : Buffer.from(v)) },
      })
      out.push(await measure('@platformatic/kafka', records, async (from, ids) => {
        const messages = ids.slice(from, from + SEND).map((id, i) => ({
          topic, key: `user-${(from + i) % 500}`, value,
          headers: new Map(HEADERS.map((h, k) => [h, headerValues(id)[k] ?? ''])),
        }))
        await plt.send({ messages })
      }))
      await plt.close()
    }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.disconnect()
  }
  return out
}
