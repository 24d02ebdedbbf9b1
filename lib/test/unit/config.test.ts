import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deepFreeze, parseKafkaConfig, parsePostgresConfig } from '../../src/config.js'
import { PipelineError } from '../../src/errors.js'

test('defaults work locally', () => {
  const kafka = parseKafkaConfig({}, 'x')
  assert.deepEqual(kafka.brokers, ['127.0.0.1:9092'])
  assert.equal(kafka.topic, 'events')
  assert.equal(kafka.dlqTopic, 'events.dlq')
  assert.equal(parseKafkaConfig({ KAFKA_TOPIC: 't1' }, 'x').dlqTopic, 't1.dlq')
})

test('a bad value throws PIPELINE_CONFIG_INVALID naming every variable', () => {
  assert.throws(
    () => parseKafkaConfig({ KAFKA_TOPIC_PARTITIONS: 'many', KAFKA_REQUEST_TIMEOUT_MS: '-3' }, 'x'),
    (err: unknown) => {
      assert.ok(err instanceof PipelineError)
      assert.equal(err.code, 'PIPELINE_CONFIG_INVALID')
      assert.match(err.message, /KAFKA_TOPIC_PARTITIONS/)
      assert.match(err.message, /KAFKA_REQUEST_TIMEOUT_MS/)
      return true
    },
  )
  assert.throws(() => parsePostgresConfig({ DATABASE_URL: 'not a url' }), /DATABASE_URL/)
})

test('deepFreeze freezes nested objects', () => {
  const frozen = deepFreeze({ a: { b: [1] } })
  assert.ok(Object.isFrozen(frozen.a))
  assert.ok(Object.isFrozen(frozen.a.b))
})
