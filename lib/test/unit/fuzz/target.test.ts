import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isRetriable, isTransient } from '../../fuzz/answer.js'
import { outlastingFaults, sendSettled, type FuzzResponse, type Target } from '../../fuzz/target.js'

const problem = (status: number, code: string): FuzzResponse => ({
  status, headers: { 'content-type': 'application/problem+json', 'retry-after': '0' }, body: Buffer.from(JSON.stringify({ code })),
})
const accepted: FuzzResponse = { status: 202, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"event_id":"x"}') }

/** A live target that plays `script`: an answer, or an Error to throw. */
function scripted(script: (FuzzResponse | Error)[]): Target & { sent: number } {
  const t = {
    name: 'scripted', live: true, sent: 0,
    async send() {
      const next = script[t.sent++] ?? accepted
      if (next instanceof Error) throw next
      return next
    },
    close: async () => undefined,
  }
  return t
}
const request = { method: 'POST', url: '/events', headers: {} }

test('outlastingFaults sends a request that got no answer again; the answer then is uncertain', async () => {
  const t = scripted([new Error('connection closed without an answer'), new Error('no answer within 15000 ms'), accepted])
  const res = await outlastingFaults(t, 10_000).send(request)
  assert.equal(t.sent, 3)
  assert.equal(res.status, 202)
  assert.equal(res.uncertain, true)
  const once = await outlastingFaults(scripted([accepted]), 10_000).send(request)
  assert.equal(once.uncertain, undefined, 'answered at the first try: certain')
})

test('outlastingFaults gives up after its deadline with the last error', async () => {
  const t = scripted(Array.from({ length: 100 }, () => new Error('refused')))
  await assert.rejects(outlastingFaults(t, 100).send(request), /refused/)
  assert.ok(t.sent >= 1 && t.sent <= 3, `${t.sent} tries in 100 ms`)
})

test('sendSettled waits out retriable answers; one that was PIPELINE_BROKER_UNCONFIRMED makes the last answer uncertain', async () => {
  const res = await sendSettled(scripted([problem(503, 'PIPELINE_BROKER_UNCONFIRMED'), problem(429, 'PIPELINE_THROTTLED'), accepted]), request, isTransient)
  assert.equal(res.status, 202)
  assert.equal(res.uncertain, true)
  const plain = await sendSettled(scripted([problem(429, 'PIPELINE_THROTTLED'), accepted]), request, isTransient)
  assert.equal(plain.uncertain, undefined, 'throttled before it was read: certain')
  const last = await sendSettled(scripted([problem(503, 'PIPELINE_OVERLOADED'), problem(503, 'PIPELINE_OVERLOADED')]), request, isTransient, 2)
  assert.equal(last.status, 503, 'after `attempts` tries the last answer counts')
})

test('isRetriable: every 429/503 whose code the error table marks retriable; isTransient only those any input may meet', () => {
  for (const code of ['PIPELINE_READ_MODEL_UNAVAILABLE', 'PIPELINE_API_KEYS_UNAVAILABLE', 'PIPELINE_SHUTTING_DOWN']) {
    assert.equal(isRetriable(problem(503, code)), true, code)
    assert.equal(isTransient(problem(503, code)), false, code)
  }
  assert.equal(isRetriable(problem(429, 'PIPELINE_RATE_LIMITED')), true)
  assert.equal(isRetriable(problem(500, 'PIPELINE_INTERNAL')), false)
  assert.equal(isRetriable(problem(503, 'NOT_A_CODE')), false)
  assert.equal(isRetriable({ status: 503, headers: {}, body: Buffer.from('<html>') }), false)
})
