import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PipelineError } from '../../../lib/src/errors.js'
import { parseConsumerConfig, parseProjectorConfig } from '../../src/config.js'

const refuses = (parse: (env: Record<string, string>) => unknown, env: Record<string, string>, variable: string) =>
  assert.throws(() => parse(env), (err: unknown) =>
    err instanceof PipelineError && err.code === 'PIPELINE_CONFIG_INVALID' && err.errors?.[0]?.path === variable && err.message.includes(variable))

test('the sink and the projector read their own group variables and metrics ports', () => {
  const env = { SINK_GROUP_ID: 's', SINK_CONCURRENCY: '2', PROJECTOR_GROUP_ID: 'p', PROJECTOR_CONCURRENCY: '5', METRICS_PORT: '1111', PROJECTOR_METRICS_PORT: '2222' }
  const sink = parseConsumerConfig(env)
  const projector = parseProjectorConfig(env)
  assert.deepEqual([sink.sink.groupId, sink.sink.concurrency, sink.metrics.port], ['s', 2, 1111])
  assert.deepEqual([projector.projector.groupId, projector.projector.concurrency, projector.metrics.port], ['p', 5, 2222])
  assert.equal(projector.mysql.poolMax, 8)
  assert.equal(parseProjectorConfig({ PROJECTOR_CONCURRENCY: '12' }).mysql.poolMax, 13, 'a connection per concurrent partition, plus one')
  assert.deepEqual(parseConsumerConfig({}).sink, {
    groupId: 'events-pg-sink', concurrency: 3, maxBytesPerPartition: 2 * 1024 * 1024, fetchMinBytes: 256 * 1024, fetchMaxWaitMs: 250,
    retryMinMs: 200, retryMaxMs: 10_000, sessionTimeoutMs: 30_000,
  })
  assert.ok(Object.isFrozen(projector.projector))
})

test('bad values stop the process naming the variable', () => {
  refuses(parseConsumerConfig, { SINK_FETCH_MIN_BYTES: '0' }, 'SINK_FETCH_MIN_BYTES')
  refuses(parseProjectorConfig, { PROJECTOR_CONCURRENCY: 'many' }, 'PROJECTOR_CONCURRENCY')
  refuses(parseProjectorConfig, { PROJECTOR_METRICS_PORT: '70000' }, 'PROJECTOR_METRICS_PORT')
  refuses(parseConsumerConfig, { METRICS_PORT: '-1' }, 'METRICS_PORT')
  refuses(parseProjectorConfig, { PROJECTOR_DEDUPE_RETENTION_SECONDS: '0' }, 'PROJECTOR_DEDUPE_RETENTION_SECONDS')
})
