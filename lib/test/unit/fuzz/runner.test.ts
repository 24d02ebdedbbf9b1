import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { formatCampaign, runCampaign, type FuzzProperty } from '../../fuzz/runner.js'

const counting = (onInput: (n: number) => void): FuzzProperty<number> => {
  let n = 0
  return { name: 'counting', property: fc.asyncProperty(fc.integer(), async (_: number) => { onInput(++n) }) }
}

test('an aborted campaign ends after the stretch under way, and reports what ran with the seeds that replay it', async () => {
  const stop = new AbortController()
  const c = await runCampaign(counting((n) => { if (n === 150) stop.abort() }), { runs: 10_000, seed: 5, keepGoing: false, signal: stop.signal, chunk: 100 })
  assert.equal(c.runs, 200)
  assert.deepEqual(c.seeds, [5, 5 + 7919])
  assert.deepEqual(c.failures, [])
  assert.match(formatCampaign(c), /^ok {3}counting: 200 inputs in [\d.]+ s, seeds 5, 7924$/)
})

test('without a signal every input runs under one seed; with one, stretches of chunk each have their own', async () => {
  assert.deepEqual((await runCampaign(counting(() => {}), { runs: 250, seed: 1, keepGoing: false })).seeds, [1])
  const c = await runCampaign(counting(() => {}), { runs: 750, seed: 1, keepGoing: false, signal: new AbortController().signal, chunk: 100 })
  assert.equal(c.runs, 750)
  assert.equal(c.seeds.length, 8)
  assert.match(formatCampaign(c), /750 inputs in [\d.]+ s, 8 seeds from 1 \(\+ k × 7919\)$/)
})

test('keep going: a failing stretch is reported and the next seed goes on with the inputs left', async () => {
  let n = 0
  const p: FuzzProperty<number> = { name: 'fails once', property: fc.asyncProperty(fc.integer(), async (_: number) => { n++; assert.ok(n !== 30, 'the 30th input') }) }
  const c = await runCampaign(p, { runs: 300, seed: 9, keepGoing: true, signal: new AbortController().signal, chunk: 100 })
  assert.equal(c.failures.length, 1)
  assert.ok(c.runs >= 300 - 100 && c.runs <= 300, String(c.runs))
  assert.match(formatCampaign(c), /^FAIL fails once/)
})
