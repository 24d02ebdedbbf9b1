import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PipelineError } from '../../../lib/src/errors.js'
import { LOCAL_SIGNING_SECRET, parseQueryConfig } from '../../src/config.js'

const refuses = (env: Record<string, string>, variable: string) =>
  assert.throws(() => parseQueryConfig(env), (err: unknown) =>
    err instanceof PipelineError && err.code === 'PIPELINE_CONFIG_INVALID' && err.errors?.[0]?.path === variable && err.message.includes(variable))

test('defaults parse, frozen: port 3002, local secret, legacy off, 1 h ± 20 %, a near cache of 50,000 entries', () => {
  const c = parseQueryConfig({})
  assert.deepEqual([c.port, c.signature.secret, c.signature.legacy, c.signature.maxSkewMs], [3002, LOCAL_SIGNING_SECRET, false, 300_000])
  assert.deepEqual(c.cache, { ttlSeconds: 3600, jitter: 0.2, notFoundTtlSeconds: 5 })
  assert.deepEqual(c.nearCache, { maxEntries: 50_000, maxAgeMs: 30_000 })
  assert.equal(parseQueryConfig({ NEAR_CACHE_ENTRIES: '0' }).nearCache.maxEntries, 0)
  assert.ok(Object.isFrozen(c.signature))
  assert.equal(parseQueryConfig({ QUERY_LEGACY_SIGNATURES: 'true' }).signature.legacy, true)
  assert.equal(c.workers, 1)
  assert.equal(parseQueryConfig({ QUERY_WORKERS: '2' }).workers, 2)
})

test('bad values stop the process naming the variable', () => {
  refuses({ QUERY_SIGNING_SECRET: 'short' }, 'QUERY_SIGNING_SECRET')
  refuses({ CACHE_TTL_JITTER: '1' }, 'CACHE_TTL_JITTER')
  refuses({ CACHE_TTL_JITTER: '-0.1' }, 'CACHE_TTL_JITTER')
  refuses({ QUERY_MAX_SKEW_SECONDS: '0' }, 'QUERY_MAX_SKEW_SECONDS')
  refuses({ QUERY_LEGACY_SIGNATURES: 'maybe' }, 'QUERY_LEGACY_SIGNATURES')
  refuses({ NEAR_CACHE_ENTRIES: '-1' }, 'NEAR_CACHE_ENTRIES')
  refuses({ NEAR_CACHE_ENTRIES: '1.5' }, 'NEAR_CACHE_ENTRIES')
  refuses({ NEAR_CACHE_MAX_AGE_MS: '0' }, 'NEAR_CACHE_MAX_AGE_MS')
  refuses({ MYSQL_URL: 'not a url' }, 'MYSQL_URL')
  refuses({ QUERY_WORKERS: '0' }, 'QUERY_WORKERS')
})
