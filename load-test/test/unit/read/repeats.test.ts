import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRepeatCounter } from '../../../src/read/repeats.js'

test('repeats: the share of counted requests for a user seen before in the run, warm-up sightings included', () => {
  const r = createRepeatCounter(100, 20)
  assert.equal(r.rate, null)
  r.see(100, false) // warm-up: remembered, not counted
  r.see(119, false)
  for (const id of [100, 101, 101, 119, 50, 120]) r.see(id, true) // 50 and 120 lie outside the range: ignored
  assert.equal(r.rate, 3 / 4) // 100 and 119 from the warm-up, 101 twice
})
