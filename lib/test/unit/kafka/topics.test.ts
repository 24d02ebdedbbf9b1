import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseKafkaConfig } from '../../../src/config.js'
import { PipelineError } from '../../../src/errors.js'
import { resolveReplication, topicSpecs } from '../../../src/kafka/topics.js'

const config = (env: Record<string, string> = {}) => parseKafkaConfig(env, 'test')
const setting = (spec: ReturnType<typeof topicSpecs>[number], name: string) => spec.configEntries?.find((e) => e.name === name)?.value

test('auto replication: one broker keeps 1 copy and min ISR 1; a cluster gets 3 copies and min ISR 2', () => {
  assert.deepEqual(resolveReplication(config(), 1), { factor: 1, minInsync: 1 })
  assert.deepEqual(resolveReplication(config(), 2), { factor: 2, minInsync: 2 })
  assert.deepEqual(resolveReplication(config(), 3), { factor: 3, minInsync: 2 })
  assert.deepEqual(resolveReplication(config(), 5), { factor: 3, minInsync: 2 })
})

test('an explicit factor and min ISR are kept; more replicas than brokers, or a min ISR above the factor, name the variable', () => {
  assert.deepEqual(resolveReplication(config({ KAFKA_REPLICATION_FACTOR: '1' }), 3), { factor: 1, minInsync: 1 })
  assert.deepEqual(resolveReplication(config({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '3' }), 3), { factor: 3, minInsync: 3 })
  const invalid = (variable: string) => (err: unknown) => err instanceof PipelineError && err.code === 'PIPELINE_CONFIG_INVALID' && err.message.includes(variable)
  assert.throws(() => resolveReplication(config({ KAFKA_REPLICATION_FACTOR: '3' }), 1), invalid('KAFKA_REPLICATION_FACTOR'))
  assert.throws(() => resolveReplication(config({ KAFKA_MIN_INSYNC_REPLICAS: '2' }), 1), invalid('KAFKA_MIN_INSYNC_REPLICAS'))
  assert.throws(() => config({ KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' }), invalid('KAFKA_MIN_INSYNC_REPLICAS'))
  assert.throws(() => config({ KAFKA_REPLICATION_FACTOR: 'three' }), invalid('KAFKA_REPLICATION_FACTOR'))
  assert.throws(() => config({ KAFKA_REPLICATION_FACTOR: '0' }), invalid('KAFKA_REPLICATION_FACTOR'))
})

test('both topics carry the resolved replication and min.insync.replicas', () => {
  const specs = topicSpecs(config({ KAFKA_TOPIC: 't' }), { factor: 3, minInsync: 2 })
  assert.deepEqual(specs.map((s) => [s.topic, s.replicationFactor, setting(s, 'min.insync.replicas')]), [['t', 3, '2'], ['t.dlq', 3, '2']])
})
