import assert from 'node:assert/strict'
import { test } from 'node:test'
import { repeatEvery } from '../../src/repeat.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('runs after each interval, never two at once; an escaped error goes to onError and the runs go on', async () => {
  let running = 0
  let overlapped = false
  let runs = 0
  const errors: unknown[] = []
  const repeating = repeatEvery(5, async () => {
    running++
    overlapped ||= running > 1
    runs++
    await sleep(15)
    running--
    if (runs === 2) throw new Error('second run')
  }, (err) => errors.push(err))
  await sleep(120)
  await repeating.stop()
  assert.ok(runs >= 3, `runs ${runs}`)
  assert.equal(overlapped, false)
  assert.equal(errors.length, 1)
})

test('stop waits for the run in flight, is idempotent, and no run starts after it', async () => {
  let ended = false
  let runs = 0
  const repeating = repeatEvery(1, async () => {
    runs++
    await sleep(30)
    ended = true
  })
  await sleep(10)
  assert.equal(runs, 1)
  await repeating.stop()
  assert.equal(ended, true, 'the run in flight ended before stop resolved')
  await repeating.stop()
  await sleep(20)
  assert.equal(runs, 1)
})
