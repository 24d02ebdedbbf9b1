import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProduceAcks, producerSendsChannel } from '@platformatic/kafka'
import { Partitioners, type PartitionMetadata } from 'kafkajs'
import { parseKafkaConfig } from '../../../src/config.js'
import { createRecordProducer, rememberingPartitioner } from '../../../src/kafka/record-producer.js'

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }))

test('a key lands on the partition kafkajs (and Java) would pick, for any partition count, remembered or not', () => {
  const kafkajs = Partitioners.DefaultPartitioner()
  const ours = rememberingPartitioner()
  for (let round = 0; round < 2; round++) { // the second round is served from the memo
    for (const count of [1, 3, 6, 12]) {
      for (let i = 0; i < 2_000; i++) {
        const key = i % 2 === 0 ? String(i * 7919) : `parallel-load-test-${i}`
        const expected = kafkajs({ topic: 'events', partitionMetadata: metadata(count), message: { key, value: null } })
        assert.equal(ours({ key }, Buffer.from(key)) % count, expected, `key ${key}, ${count} partitions`)
      }
    }
  }
})

test('every send asks for acks=all (the client option alone gives acks=1 to a producer that is not idempotent)', async (t) => {
  const seen: unknown[] = []
  const none = () => undefined
  const handlers = { start: (context: unknown) => seen.push((context as { options?: { acks?: unknown } }).options?.acks), end: none, asyncStart: none, asyncEnd: none, error: none }
  producerSendsChannel.subscribe(handlers)
  t.after(() => producerSendsChannel.unsubscribe(handlers))
  const producer = createRecordProducer(parseKafkaConfig({ KAFKA_BROKERS: '127.0.0.1:1', KAFKA_CONNECTION_TIMEOUT_MS: '200' }, 'test'), 'events', { retries: 0 })
  t.after(() => producer.close())
  await assert.rejects(producer.send([{ key: 'k', value: Buffer.from('v'), headers: {} }])) // nothing listens on port 1
  assert.deepEqual(seen, [ProduceAcks.ALL])
})
