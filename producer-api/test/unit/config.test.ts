import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PipelineError } from '../../../lib/src/errors.js'
import { parseProducerApiConfig } from '../../src/config.js'

const refuses = (env: Record<string, string>, variable: string) =>
  assert.throws(() => parseProducerApiConfig(env), (err: unknown) =>
    err instanceof PipelineError && err.code === 'PIPELINE_CONFIG_INVALID' && err.errors?.[0]?.path === variable && err.message.includes(variable))

test('defaults parse, frozen', () => {
  const config = parseProducerApiConfig({})
  assert.equal(config.port, 3000)
  assert.equal(config.lag.thresholds.soft, 100_000)
  assert.equal(config.schemaRegistryUrl, undefined)
  assert.ok(Object.isFrozen(config.lag.thresholds))
})

test('cross-field and range checks name the variable', () => {
  refuses({ LAG_SOFT: '10', LAG_HARD: '5' }, 'LAG_HARD')
  refuses({ LAG_HYSTERESIS: '1.5' }, 'LAG_HYSTERESIS')
  refuses({ LAG_MIN_SHED_RATIO: '-0.1' }, 'LAG_MIN_SHED_RATIO')
  refuses({ SCHEMA_REGISTRY_URL: 'redpanda:8081' }, 'SCHEMA_REGISTRY_URL')
  refuses({ PORT: 'http' }, 'PORT')
})

test('PAYLOAD_MAX_DEPTH: 32 by default, at most 1000', () => {
  assert.equal(parseProducerApiConfig({}).maxPayloadDepth, 32)
  assert.equal(parseProducerApiConfig({ PAYLOAD_MAX_DEPTH: '1000' }).maxPayloadDepth, 1000)
  refuses({ PAYLOAD_MAX_DEPTH: '1001' }, 'PAYLOAD_MAX_DEPTH')
  refuses({ PAYLOAD_MAX_DEPTH: '0' }, 'PAYLOAD_MAX_DEPTH')
})

test('HTTP_MAX_CONNECTIONS is sized below the open-file limit the process was given', () => {
  assert.equal(parseProducerApiConfig({}, { fdLimit: 20_000 }).connections.maxConnections, 8192)
  assert.equal(parseProducerApiConfig({}, { fdLimit: 1024 }).connections.maxConnections, 1024 - 256)
  assert.equal(parseProducerApiConfig({}, {}).connections.maxConnections, 8192, 'limit unknown')
  assert.throws(() => parseProducerApiConfig({ HTTP_MAX_CONNECTIONS: '1000' }, { fdLimit: 1024 }), (err: unknown) =>
    err instanceof PipelineError && err.errors?.[0]?.path === 'HTTP_MAX_CONNECTIONS' && /at most 768/.test(err.message))
})

test('API keys: refreshed every 5 s, 1,000 requests/s per key by default; required when NODE_ENV=production', () => {
  const { auth } = parseProducerApiConfig({})
  assert.deepEqual({ ...auth, postgres: undefined, redis: undefined }, {
    requireKeys: false, postgres: undefined, refreshMs: 5000, loadTimeoutMs: 3000, redis: undefined, defaultRateLimit: 1000, rateLimitTimeoutMs: 250,
  })
  assert.match(auth.postgres.url, /^postgres:\/\//)
  assert.equal(auth.redis.url, 'redis://127.0.0.1:56379')
  assert.equal(parseProducerApiConfig({ NODE_ENV: 'production' }).auth.requireKeys, true)
  assert.equal(parseProducerApiConfig({ NODE_ENV: 'test' }).auth.requireKeys, false)
  assert.equal(parseProducerApiConfig({ API_KEY_RATE_LIMIT: '50', API_KEYS_REFRESH_MS: '200' }).auth.defaultRateLimit, 50)
  refuses({ API_KEYS_REFRESH_MS: '0' }, 'API_KEYS_REFRESH_MS')
  refuses({ API_KEY_RATE_LIMIT: 'lots' }, 'API_KEY_RATE_LIMIT')
  refuses({ API_KEY_RATE_LIMIT_TIMEOUT_MS: '-1' }, 'API_KEY_RATE_LIMIT_TIMEOUT_MS')
})

test('PRODUCER_WORKERS: one process by default; more makes a cluster', () => {
  assert.equal(parseProducerApiConfig({}).workers, 1)
  assert.equal(parseProducerApiConfig({ PRODUCER_WORKERS: '2' }).workers, 2)
  refuses({ PRODUCER_WORKERS: '0' }, 'PRODUCER_WORKERS')
})
