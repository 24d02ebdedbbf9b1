import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkSummary } from '../../../src/report/read-summary.js'
import { summary } from './read-fixture.js'

test('a v1 summary passes, extra fields and null percentiles in a quiet second included', () => {
  const s = summary('baseline')
  const quiet = { ...s, extra: 'from a newer v1 runner', timeline: [{ t: 0, requests: 0, errors: 0, p50: null, p95: null, p99: null, hitRate: null }] }
  assert.equal(checkSummary(JSON.parse(JSON.stringify(quiet))).outcome, 'summary')
})

test('summaries without kind "load-test-read" are foreign, not invalid', () => {
  for (const data of [null, 42, [], { stamp: 'x', results: [] }, { kind: 'bench' }]) assert.deepEqual(checkSummary(data), { outcome: 'foreign' })
})

test('an invalid summary says what is wrong', () => {
  const s = summary('baseline')
  const reason = (data: unknown) => {
    const checked = checkSummary(JSON.parse(JSON.stringify(data)))
    assert.equal(checked.outcome, 'invalid')
    return checked.outcome === 'invalid' ? checked.reason : ''
  }
  assert.match(reason({ ...s, version: 2 }), /unknown version 2/)
  assert.match(reason({ ...s, scenario: 'soak' }), /\/scenario must be equal to one of the allowed values/)
  assert.match(reason({ ...s, totals: { ...s.totals, hitRate: 1.5 } }), /\/totals\/hitRate must be <= 1/)
  assert.match(reason({ ...s, totals: { ...s.totals, latencyMs: undefined } }), /\/totals must have required property 'latencyMs'/)
  assert.match(reason({ ...s, startedAt: 'yesterday' }), /ISO dates/)
  assert.match(reason({ ...s, endedAt: '2026-03-01T09:00:00.000Z' }), /endedAt is before startedAt/)
})
