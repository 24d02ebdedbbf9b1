import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DROPPED, NO_ANSWER, createRecorder } from '../../../src/read/recorder.js'

test('each second: what ended in it; totals: what was sent after the warm-up', () => {
  const r = createRecorder(1000) // warm-up: requests sent before t = 1000 ms
  r.record(100, 110, 200) // 10 ms, in the warm-up
  r.record(900, 1300, 404)
  const first = r.closeSecond()
  assert.deepEqual({ requests: first.requests, errors: first.errors }, { requests: 2, errors: 1 })
  assert.ok(Math.abs((first.p99 ?? 0) - 400) < 1)
  for (let i = 0; i < 98; i++) r.record(1000 + i, 1002 + i, 200) // 2 ms each
  r.record(1500, 1600, NO_ANSWER) // 100 ms, then gave up
  r.record(1600, 1600, DROPPED)
  const second = r.closeSecond()
  assert.deepEqual({ requests: second.requests, errors: second.errors, p50: second.p50 }, { requests: 100, errors: 2, p50: 2 })
  const t = r.totals()
  assert.equal(t.requests, 100)
  assert.equal(t.answered, 98)
  assert.deepEqual(t.statuses, { dropped: 1, error: 1, 200: 98 })
  assert.equal(t.errors, 2)
  assert.equal(t.latencyMs.p50, 2)
  assert.ok(Math.abs(t.latencyMs.max - 100) < 0.1, 'the dropped one has no latency; the unanswered one has its 100 ms')
  assert.deepEqual(r.closeSecond(), { requests: 0, errors: 0, p50: null, p95: null, p99: null }, 'a second without answers has no percentiles')
})
