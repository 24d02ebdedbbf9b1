import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deepFreeze, parseConnectionConfig, parseHttpServerConfig, parseKafkaConfig, parsePostgresConfig, parseProcessConfig } from '../../src/config.js'
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

test('connections: below the fd limit minus the reserve, or refused naming the variable', () => {
  assert.deepEqual(parseConnectionConfig({}, 20_000), { maxConnections: 8192, fdReserve: 256, fdLimit: 20_000 })
  assert.equal(parseConnectionConfig({}, 1024).maxConnections, 768)
  assert.equal(parseConnectionConfig({}, undefined).maxConnections, 8192)
  assert.equal(parseConnectionConfig({}, Infinity).maxConnections, 8192)
  assert.equal(parseConnectionConfig({ HTTP_MAX_CONNECTIONS: '900', HTTP_FD_RESERVE: '100' }, 1000).maxConnections, 900)
  const names = (f: () => unknown) => {
    try {
      f()
    } catch (err) {
      return err instanceof PipelineError ? err.errors?.map((e) => e.path) : err
    }
    return undefined
  }
  assert.deepEqual(names(() => parseConnectionConfig({ HTTP_MAX_CONNECTIONS: '901', HTTP_FD_RESERVE: '100' }, 1000)), ['HTTP_MAX_CONNECTIONS'])
  assert.deepEqual(names(() => parseConnectionConfig({ HTTP_FD_RESERVE: '1000' }, 1000)), ['HTTP_FD_RESERVE'])
  assert.deepEqual(names(() => parseConnectionConfig({ HTTP_MAX_CONNECTIONS: '0' }, 1000)), ['HTTP_MAX_CONNECTIONS'])
  assert.deepEqual(names(() => parseConnectionConfig({ HTTP_FD_RESERVE: '-1' }, 1000)), ['HTTP_FD_RESERVE'])
})

test('HTTP server bounds: defaults, 0 turns the optional ones off, inconsistent ones refused naming the variable', () => {
  assert.deepEqual(parseHttpServerConfig({}), {
    headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000, connectionTimeoutMs: 60_000,
    timeoutCheckIntervalMs: 1000, maxHeaderBytes: 16_384, maxRequestsPerSocket: 0, lingerMs: 5000,
  })
  const off = parseHttpServerConfig({ HTTP_REQUEST_TIMEOUT_MS: '0', HTTP_CONNECTION_TIMEOUT_MS: '0', HTTP_MAX_REQUESTS_PER_SOCKET: '0', HTTP_HEADERS_TIMEOUT_MS: '90000' })
  assert.equal(off.requestTimeoutMs, 0)
  assert.equal(off.headersTimeoutMs, 90_000)
  assert.throws(() => parseHttpServerConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' }), /HTTP_HEADERS_TIMEOUT_MS: must be at most HTTP_REQUEST_TIMEOUT_MS/)
  assert.throws(() => parseHttpServerConfig({ HTTP_TIMEOUT_CHECK_INTERVAL_MS: '20000' }), /HTTP_TIMEOUT_CHECK_INTERVAL_MS/)
  assert.equal(parseHttpServerConfig({ HTTP_LINGER_MS: '0' }).lingerMs, 0)
  for (const name of ['HTTP_REQUEST_TIMEOUT_MS', 'HTTP_CONNECTION_TIMEOUT_MS', 'HTTP_MAX_REQUESTS_PER_SOCKET', 'HTTP_LINGER_MS']) {
    assert.throws(() => parseHttpServerConfig({ [name]: '-1' }), new RegExp(name))
  }
  for (const name of ['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 'HTTP_MAX_HEADER_BYTES', 'HTTP_TIMEOUT_CHECK_INTERVAL_MS']) {
    assert.throws(() => parseHttpServerConfig({ [name]: '0' }), new RegExp(name))
  }
})

test('process error policy: transient errors tolerated per minute', () => {
  assert.equal(parseProcessConfig({}).maxTransientErrorsPerMinute, 60)
  assert.equal(parseProcessConfig({ PROCESS_TRANSIENT_ERRORS_PER_MINUTE: '0' }).maxTransientErrorsPerMinute, 0)
  assert.throws(() => parseProcessConfig({ PROCESS_TRANSIENT_ERRORS_PER_MINUTE: '-1' }), /PROCESS_TRANSIENT_ERRORS_PER_MINUTE/)
})
