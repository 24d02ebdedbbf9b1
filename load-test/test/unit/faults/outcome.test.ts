import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classify } from '../../../src/faults/outcome.js'

test('a 202 is acknowledged, a 4xx rejected', () => {
  assert.equal(classify(202, undefined), 'acknowledged')
  for (const status of [400, 401, 403, 413, 415, 429]) assert.equal(classify(status, 'ANY'), 'rejected')
})

test('a 503 answered before the broker had the events is rejected; an unconfirmed write or no answer is unknown', () => {
  for (const code of ['PIPELINE_BROKER_UNAVAILABLE', 'PIPELINE_LAG_CRITICAL', 'PIPELINE_LAG_UNKNOWN', 'PIPELINE_SHUTTING_DOWN', 'PIPELINE_OVERLOADED']) {
    assert.equal(classify(503, code), 'rejected', code)
  }
  assert.equal(classify(503, 'PIPELINE_BROKER_UNCONFIRMED'), 'unknown')
  assert.equal(classify(503, undefined), 'unknown')
  assert.equal(classify(500, 'PIPELINE_INTERNAL'), 'unknown')
  assert.equal(classify(207, undefined), 'unknown')
  assert.equal(classify(undefined, undefined), 'unknown')
})
