import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadCatalog } from '../../../../lib/src/avro/catalog.js'
import { createEventValidator, findPayloadProblem, findUnstorableText } from '../../../src/events/validate.js'

const validate = createEventValidator(loadCatalog())
const NOW = 1_795_533_568_239_000
const trx = { trx_id: 't1', amount: 1250, currency: 'EUR', category: 'food', merchant: 'Bob' }

function errorsOf(input: unknown): { path: string; message: string }[] {
  const judged = validate(input, NOW)
  assert.equal(judged.ok, false, `expected ${JSON.stringify(input)} to be rejected`)
  return judged.ok ? [] : [...judged.errors]
}

test('a minimal generic event gets a UUIDv7 and the receive time', () => {
  const judged = validate({ service: 'svc', event_type: 'generic', payload: { a: 1 } }, NOW)
  assert.ok(judged.ok)
  assert.match(judged.record.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(judged.record.occurred_at, NOW)
  assert.equal(judged.record.user_id, null)
})

test('a client event_id is kept (lower-cased) and occurred_at parsed to microseconds', () => {
  const judged = validate({
    event_id: '01A20E24-213F-71AA-9E50-377FC0FAAB61', service: 's', event_type: 'trx.created', user_id: 9,
    occurred_at: '2026-01-02T03:04:05.678901Z', payload: trx,
  }, NOW)
  assert.ok(judged.ok)
  assert.equal(judged.record.event_id, '01a20e24-213f-71aa-9e50-377fc0faab61')
  assert.equal(judged.record.occurred_at, Date.UTC(2026, 0, 2, 3, 4, 5, 678) * 1000 + 901)
})

test('envelope errors name the field', () => {
  const cases: [unknown, string, RegExp][] = [
    [null, '/', /object/],
    [[], '/', /object/],
    [{ event_type: 'generic', payload: {} }, '/service', /required/],
    [{ service: 'a b', event_type: 'generic', payload: {} }, '/service', /pattern/],
    [{ service: 'x'.repeat(129), event_type: 'generic', payload: {} }, '/service', /128/],
    [{ service: 's', event_type: 'generic', payload: {}, extra: 1 }, '/extra', /unknown field/],
    [{ service: 's', event_type: 'generic', payload: [] }, '/payload', /object/],
    [{ service: 's', event_type: 'generic', payload: 'x' }, '/payload', /object/],
    [{ service: 's', event_type: 'generic', payload: {}, user_id: 0 }, '/user_id', />= 1/],
    [{ service: 's', event_type: 'generic', payload: {}, user_id: 1.5 }, '/user_id', /integer/],
    [{ service: 's', event_type: 'generic', payload: {}, user_id: '12' }, '/user_id', /integer/],
    [{ service: 's', event_type: 'generic', payload: {}, event_id: 'nope' }, '/event_id', /uuid/],
    [{ service: 's', event_type: 'generic', payload: {}, occurred_at: '2026-02-30T00:00:00Z' }, '/occurred_at', /date-time|RFC 3339/],
    [{ service: 's', event_type: 'generic', payload: {}, occurred_at: 'yesterday' }, '/occurred_at', /date-time/],
    [{ service: 's', event_type: 'nope', payload: {} }, '/event_type', /unknown event type/],
  ]
  for (const [input, path, message] of cases) {
    const errors = errorsOf(input)
    assert.ok(errors.some((e) => e.path === path && message.test(e.message)), `${JSON.stringify(input)} → ${JSON.stringify(errors)}`)
  }
})

test('payloads are checked against the Avro schema: types, missing and unknown fields, all at once', () => {
  const errors = errorsOf({ service: 's', event_type: 'trx.created', user_id: 1, payload: { ...trx, amount: '12', merchant: undefined, zzz: 1 } })
  assert.deepEqual(errors.map((e) => e.path).sort(), ['/payload/amount', '/payload/merchant', '/payload/zzz'])
  assert.deepEqual(errorsOf({ service: 's', event_type: 'trx.created', payload: trx }).map((e) => e.path), ['/user_id'])
  assert.ok(validate({ service: 's', event_type: 'trx.refunded', user_id: 1, payload: { ...trx, reason: 'broken' } }, NOW).ok)
  assert.ok(validate({ service: 's', event_type: 'trx.refunded', user_id: 1, payload: trx }, NOW).ok, 'optional field may be absent')
})

test('text Postgres cannot store is refused with its path', () => {
  assert.deepEqual(findUnstorableText({ a: ['ok', 'bad\u0000'] }, '/payload'), { path: '/payload/a/1', message: 'contains \\u0000, which Postgres cannot store' })
  assert.equal(findUnstorableText({ ['k\u0000']: 1 }, '/payload')?.path, '/payload/k\u0000')
  assert.match(findUnstorableText({ s: 'x\ud800y' }, '/payload')?.message ?? '', /surrogate/)
  assert.equal(findUnstorableText({ s: 'tab\t nl\n bs\\ 😀 \u2028' }, '/payload'), undefined)
  assert.deepEqual(errorsOf({ service: 's', event_type: 'generic', payload: { s: '\u0000' } }).map((e) => e.path), ['/payload/s'])
})

test('the payload walk is depth-bounded: a million levels are refused at level 33, without recursing further', () => {
  let deep: unknown = {}
  for (let i = 0; i < 1_000_000; i++) deep = { n: deep }
  assert.deepEqual(findPayloadProblem(deep, '/payload', 32), {
    code: 'PIPELINE_PAYLOAD_TOO_DEEP',
    error: { path: `/payload${'/n'.repeat(32)}`, message: 'is nested more than 32 levels deep (PAYLOAD_MAX_DEPTH)' },
  })
  let arrays: unknown = []
  for (let i = 0; i < 1_000_000; i++) arrays = [arrays]
  assert.equal(findPayloadProblem({ a: arrays }, '/payload', 32)?.code, 'PIPELINE_PAYLOAD_TOO_DEEP')
  const judged = validate({ service: 's', event_type: 'generic', payload: deep }, NOW)
  assert.ok(!judged.ok && judged.code === 'PIPELINE_PAYLOAD_TOO_DEEP')
  // Scalars do not count as a level; 32 levels of containers are fine.
  let limit: unknown = { leaf: 'x' }
  for (let i = 1; i < 32; i++) limit = { n: limit }
  assert.equal(findPayloadProblem(limit, '/payload', 32), undefined)
  assert.ok(validate({ service: 's', event_type: 'generic', payload: limit }, NOW).ok)
  assert.equal(findPayloadProblem({ n: limit }, '/payload', 32)?.code, 'PIPELINE_PAYLOAD_TOO_DEEP')
})

test('the depth bound itself is bounded', () => {
  assert.throws(() => createEventValidator(loadCatalog(), { maxPayloadDepth: 0 }), RangeError)
  assert.throws(() => createEventValidator(loadCatalog(), { maxPayloadDepth: 1001 }), RangeError)
})

test('found by fuzzing: what the checks let through and the store or the encoder then lost is refused, each where it is', () => {
  const base = { service: 's', event_type: 'generic', payload: {} }
  // ajv's uuid format takes urn:uuid:, which Postgres' uuid refuses: the event was acknowledged, then dead-lettered.
  assert.ok(errorsOf({ ...base, event_id: 'urn:uuid:01a20e24-213f-71aa-9e50-377fc0faab61' }).some((e) => e.path === '/event_id'))
  // avsc's noUndeclaredFields takes the names of Object.prototype as declared: the field was dropped when encoding.
  for (const name of ['constructor', 'toString', 'hasOwnProperty', '__defineGetter__']) {
    const payload = JSON.parse(`{"trx_id":"t1","amount":1,"currency":"EUR","category":"c","merchant":"m","${name}":1}`) as Record<string, unknown>
    assert.deepEqual(errorsOf({ service: 's', event_type: 'trx.created', user_id: 1, payload }), [{ path: `/payload/${name}`, message: 'unknown field' }])
  }
  // 1e400 parses as Infinity, which the json payload would have stored as null.
  assert.deepEqual(errorsOf({ ...base, payload: { a: [1, JSON.parse('-1e400') as number] } }).map((e) => e.path), ['/payload/a/1'])
  // An Avro long ends at 2^53 − 2 (avsc): one more was refused as "expected long" after the envelope let it through.
  assert.ok(errorsOf({ ...base, user_id: Number.MAX_SAFE_INTEGER }).some((e) => e.path === '/user_id' && /<= 9007199254740990/.test(e.message)))
  assert.ok(validate({ ...base, user_id: Number.MAX_SAFE_INTEGER - 1 }, NOW).ok)
})
