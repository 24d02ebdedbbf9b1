import assert from 'node:assert/strict'
import { test } from 'node:test'
import Fastify from 'fastify'
import { registerProblemHandlers } from '../../../../lib/src/http/problem.js'
import { eventLoopPressure } from '../../../src/plugins/event-loop.js'

const emfile = () => Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), { code: 'EMFILE', errno: -24, syscall: 'uv_resident_set_memory' })
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('a sampler that throws (EMFILE) is reported, keeps sampling, and the app keeps answering', async (t) => {
  const app = Fastify()
  registerProblemHandlers(app)
  const errors: unknown[] = []
  let next: () => number = () => { throw emfile() }
  eventLoopPressure(app, { maxDelayMs: 100, retryAfterSeconds: 2, sampleIntervalMs: 5, sample: () => next(), onError: (err) => errors.push(err) })
  app.get('/x', async () => 'ok')
  t.after(() => app.close())
  await tick(60)
  assert.ok(errors.length >= 3, `the timer is re-armed after a throw (${errors.length} reports)`)
  assert.equal((errors[0] as { code?: string }).code, 'EMFILE')
  assert.equal((await app.inject('/x')).statusCode, 200)

  next = () => 5000 // then the loop lags: 503 with Retry-After
  await tick(30)
  const res = await app.inject('/x')
  assert.equal(res.statusCode, 503)
  assert.equal(res.json().code, 'PIPELINE_OVERLOADED')
  assert.equal(res.headers['retry-after'], '2')
  next = () => 0
  await tick(30)
  assert.equal((await app.inject('/x')).statusCode, 200)
})

test('the real sampler reads the event-loop delay: a blocked loop sheds, and close stops the timer', async () => {
  const app = Fastify()
  registerProblemHandlers(app)
  eventLoopPressure(app, { maxDelayMs: 20, retryAfterSeconds: 1, sampleIntervalMs: 200 })
  app.get('/x', async () => 'ok')
  await app.ready()
  assert.equal((await app.inject('/x')).statusCode, 200)
  const until = Date.now() + 600
  while (Date.now() < until) { /* block the loop */ }
  await tick(20) // the overdue sample runs first, and sees the block
  assert.equal((await app.inject('/x')).statusCode, 503)
  await app.close() // the test ends only if no timer is left behind
})
