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
