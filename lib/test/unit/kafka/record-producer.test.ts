import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Partitioners, type PartitionMetadata } from 'kafkajs'
import { rememberingPartitioner } from '../../../src/kafka/record-producer.js'

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
