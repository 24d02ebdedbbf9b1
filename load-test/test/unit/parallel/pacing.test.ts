import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dueRange, schedule } from '../../../src/parallel/pacing.js'

test('requests are due at fixed intervals from the start (open model)', () => {
  const s = schedule(1000, 600, 1, 10) // 10 events/s → one request every 100 ms
  assert.equal(s.intervalMs, 100)
  assert.equal(s.total, 100)
  assert.equal(s.dueAt(0), 1000)
  assert.equal(s.dueAt(25), 3500)
  const batched = schedule(0, 6000, 50, 60) // 100 events/s in batches of 50 → 2 requests/s
  assert.equal(batched.intervalMs, 500)
  assert.equal(batched.total, 120)
})

test('everything due is sent, however late the loop runs: no coordinated omission', () => {
  const s = schedule(0, 600, 1, 10)
  assert.deepEqual(dueRange(s, 0, 0), { from: 0, to: 1 })
  assert.deepEqual(dueRange(s, 1, 50), { from: 1, to: 1 }, 'nothing due yet')
  assert.deepEqual(dueRange(s, 1, 1000), { from: 1, to: 11 }, 'a stalled loop catches up at once')
  assert.deepEqual(dueRange(s, 11, 1e9), { from: 11, to: 100 }, 'never past the end')
})
