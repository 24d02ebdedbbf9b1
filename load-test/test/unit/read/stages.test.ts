import assert from 'node:assert/strict'
import { test } from 'node:test'
import { constantArrivals, rampingArrivals, targetAt } from '../../../src/read/stages.js'

const STAGES = [{ durationSeconds: 10, target: 100 }, { durationSeconds: 10, target: 100 }, { durationSeconds: 10, target: 0 }]

test('targetAt: linear from 0 within each stage, the last target after the end', () => {
  assert.equal(targetAt(STAGES, 0), 0)
  assert.equal(targetAt(STAGES, 5), 50)
  assert.equal(targetAt(STAGES, 15), 100)
  assert.equal(targetAt(STAGES, 25), 50)
  assert.equal(targetAt(STAGES, 40), 0)
})

test('constantArrivals: evenly spaced, rate × seconds in all', () => {
  const s = constantArrivals(20_000, 2)
  assert.equal(s.total, 40_000)
  assert.equal(s.dueAt(0), 0)
  assert.equal(s.dueAt(20_000), 1000)
})

test('rampingArrivals: the integral of the rate; each due time exact and increasing', () => {
  const s = rampingArrivals(STAGES)
  assert.equal(s.total, 500 + 1000 + 500)
  // Ramp 0 → 100/s over 10 s: k requests by τ = sqrt(2k·d / to) → the 50th at 10·sqrt(0.1) s.
  assert.ok(Math.abs(s.dueAt(50) - 10_000 * Math.sqrt(0.1)) < 1e-6)
  assert.ok(Math.abs(s.dueAt(500) - 10_000) < 1e-6)
  assert.ok(Math.abs(s.dueAt(1000) - 15_000) < 1e-6)
  let last = -1
  for (let k = 0; k < s.total; k++) {
    const at = s.dueAt(k)
    assert.ok(at >= last && at <= 30_000, `k=${k}: ${at}`)
    last = at
  }
  // In the last second of the ramp down (rate 10 → 0/s) about 5 requests are due.
  let tail = 0
  for (let k = 0; k < s.total; k++) if (s.dueAt(k) >= 29_000) tail++
  assert.ok(tail >= 4 && tail <= 6, `tail ${tail}`)
})
