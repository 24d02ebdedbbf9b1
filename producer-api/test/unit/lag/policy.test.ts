import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decide, retryAfter, worst, type GroupReading, type PressureState, type Thresholds } from '../../../src/lag/policy.js'

const t: Thresholds = { soft: 1000, hard: 10_000, hysteresis: 0.2, minShedShare: 0.1, maxRetryAfterSeconds: 60, unknownRetryAfterSeconds: 5 }
const reading = (totalLag: number, extra: Partial<GroupReading> = {}): GroupReading => ({ totalLag, members: 1, drainRate: 1000, growing: false, ...extra })

test('thresholds: ok below soft, throttle from soft, reject from hard', () => {
  assert.equal(decide('ok', reading(999), t).state, 'ok')
  assert.equal(decide('ok', reading(1000), t).state, 'throttle')
  assert.equal(decide('ok', reading(9999), t).state, 'throttle')
  assert.equal(decide('ok', reading(10_000), t).state, 'reject')
})

test('the shed share grows with lag between soft and hard, from the floor to all', () => {
  assert.equal(decide('ok', reading(1000), t).shedShare, 0.1)
  assert.equal(decide('ok', reading(5500), t).shedShare, 0.5)
  assert.ok(Math.abs(decide('ok', reading(9100), t).shedShare - 0.9) < 1e-9)
  assert.equal(decide('ok', reading(20_000), t).shedShare, 1)
  assert.equal(decide('ok', reading(10), t).shedShare, 0)
})

test('hysteresis: a state is left only 20% below the threshold that entered it', () => {
  const path: [PressureState, number, PressureState][] = [
    ['throttle', 900, 'throttle'], ['throttle', 801, 'throttle'], ['throttle', 799, 'ok'],
    ['reject', 9000, 'reject'], ['reject', 8000, 'reject'], ['reject', 7999, 'throttle'], ['reject', 700, 'ok'],
    ['ok', 900, 'ok'], ['unknown', 900, 'ok'], ['unknown', 9000, 'throttle'],
  ]
  for (const [previous, lag, expected] of path) assert.equal(decide(previous, reading(lag), t).state, expected, `${previous} at ${lag}`)
})

test('Retry-After is the time to drain back under the exit threshold, in whole seconds within [1, max]', () => {
  assert.equal(decide('ok', reading(5000, { drainRate: 1000 }), t).retryAfterSeconds, 5) // (5000 − 800) / 1000 → 4.2 → 5
  assert.equal(decide('ok', reading(20_000, { drainRate: 1000 }), t).retryAfterSeconds, 12) // (20000 − 8000) / 1000
  assert.equal(decide('ok', reading(5000, { drainRate: 0 }), t).retryAfterSeconds, 60)
  assert.equal(decide('ok', reading(1001, { drainRate: 1e9 }), t).retryAfterSeconds, 1)
  assert.equal(retryAfter(1e12, 0, 1, 60), 60)
})

test('no live members while lag grows: reject at once, whatever the lag', () => {
  const d = decide('ok', reading(5, { members: 0, growing: true }), t)
  assert.equal(d.state, 'reject')
  assert.match(d.reason, /no live members/)
  assert.equal(decide('ok', reading(5, { members: 0, growing: false }), t).state, 'ok', 'an idle group without members is fine')
  assert.equal(decide('ok', reading(0, { members: 0, growing: true }), t).state, 'ok')
})

test('unreadable lag is unknown, never zero; the worst group decides', () => {
  const unknown = decide('ok', undefined, t)
  assert.deepEqual([unknown.state, unknown.retryAfterSeconds], ['unknown', 5])
  const ok = decide('ok', reading(1), t)
  const throttle = decide('ok', reading(2000), t)
  const reject = decide('ok', reading(20_000), t)
  assert.equal(worst([ok, throttle]).state, 'throttle')
  assert.equal(worst([ok, unknown, throttle]).state, 'unknown')
  assert.equal(worst([unknown, reject, ok]).state, 'reject')
  assert.equal(worst([]).state, 'ok')
})
