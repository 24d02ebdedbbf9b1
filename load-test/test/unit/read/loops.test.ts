import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runClosedLoop } from '../../../src/read/closed-loop.js'
import { runOpenLoop } from '../../../src/read/open-loop.js'
import { constantArrivals } from '../../../src/read/stages.js'

const clock = () => performance.now()

test('open loop: every request fired once, never before it is due, in order', async () => {
  const startAt = clock() + 10
  const fired: { due: number; at: number }[] = []
  await runOpenLoop({ schedule: constantArrivals(2000, 0.3), startAt, clock, fire: (due) => fired.push({ due, at: clock() }) })
  assert.equal(fired.length, 600)
  fired.forEach((f, k) => {
    assert.ok(Math.abs(f.due - (startAt + k * 0.5)) < 1e-6)
    assert.ok(f.at >= f.due, `request ${k} fired before its time`)
  })
})

test('open loop: a held-up event loop fires the late requests at once, with their own due times', async () => {
  const startAt = clock()
  const fired: number[] = []
  let blocked = false
  await runOpenLoop({
    schedule: constantArrivals(1000, 0.1), startAt, clock,
    fire: (due) => {
      fired.push(due)
      if (!blocked) {
        blocked = true
        const until = clock() + 50
        while (clock() < until); // 50 ms without the event loop
      }
    },
  })
  assert.equal(fired.length, 100)
  assert.ok(fired.every((due, k) => Math.abs(due - (startAt + k)) < 1e-6))
})

test('closed loop: each VU waits for its answer before the next request, VUs follow the stages', async () => {
  let inFlight = 0
  let maxInFlight = 0
  let iterations = 0
  const startAt = clock()
  const samples: { at: number; inFlight: number }[] = []
  await runClosedLoop({
    vus: 4, stages: [{ durationSeconds: 0.3, target: 4 }, { durationSeconds: 0.3, target: 4 }], startAt, durationMs: 600, clock,
    iterate: (done) => {
      inFlight++
      iterations++
      maxInFlight = Math.max(maxInFlight, inFlight)
      samples.push({ at: clock() - startAt, inFlight })
      setTimeout(() => { inFlight--; done() }, 5)
    },
  })
  assert.equal(inFlight, 0, 'resolves after the last answers')
  assert.equal(maxInFlight, 4)
  assert.ok(iterations > 100, `${iterations} iterations`)
  assert.ok(samples.filter((s) => s.at < 50).every((s) => s.inFlight <= 1), 'the ramp starts from 0 VUs')
  assert.ok(clock() - startAt >= 600)
})

test('closed loop without stages: exactly `vus` requests in flight', async () => {
  let inFlight = 0
  let maxInFlight = 0
  await runClosedLoop({
    vus: 3, startAt: clock(), durationMs: 100, clock,
    iterate: (done) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      setImmediate(() => { inFlight--; done() })
    },
  })
  assert.equal(maxInFlight, 3)
})
