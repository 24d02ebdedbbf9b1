import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Partitioners, type PartitionerArgs, type PartitionMetadata } from 'kafkajs'
import { cachedKeyPartitioner } from '../../../src/kafka/producer.js'

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }))
const args = (key: string, count: number, partition?: number): PartitionerArgs =>
  ({ topic: 'events', partitionMetadata: metadata(count), message: { key, value: null, partition } })

test('a remembered key lands on the partition kafkajs (and Java) would pick, for any partition count', () => {
  const reference = Partitioners.DefaultPartitioner()
  const cached = cachedKeyPartitioner()
  for (let round = 0; round < 2; round++) { // the second round is served from the memo
    for (const count of [1, 3, 6, 12]) {
      for (let i = 0; i < 2_000; i++) {
        const key = i % 2 === 0 ? String(i * 7919) : `parallel-load-test-${i}`
        assert.equal(cached(args(key, count)), reference(args(key, count)), `key ${key}, ${count} partitions`)
      }
    }
  }
})

test('an explicit partition wins over the key', () => {
  const cached = cachedKeyPartitioner()
  assert.equal(cached(args('42', 6, 5)), 5)
  assert.equal(cached(args('42', 6)), Partitioners.DefaultPartitioner()(args('42', 6)))
})
