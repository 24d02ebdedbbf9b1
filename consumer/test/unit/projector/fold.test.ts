import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EventRecord } from '../../../../lib/src/avro/codec.js'
import { foldTrx, toTrxEvent, type TrxEvent } from '../../../src/projector/fold.js'

const trx = (type: TrxEvent['type'], userId: number, amount: number, category: string, occurredAt: number): TrxEvent =>
  ({ eventId: `${type}-${userId}-${occurredAt}`, userId, type, amount, category, occurredAt })

test('created and refunded events fold into counts, sums, first/last times and per-category totals', () => {
  const users = foldTrx([
    trx('trx.created', 1, 1000, 'groceries', 30),
    trx('trx.created', 1, 2500, 'travel', 10),
    trx('trx.refunded', 1, 400, 'travel', 50),
    trx('trx.created', 2, 99, 'books', 20),
  ])
  const one = users.get(1)
  assert.ok(one)
  assert.deepEqual({ ...one, categories: Object.fromEntries(one.categories) }, {
    userId: 1, trxCount: 2, totalAmount: 3500, refundCount: 1, refundedAmount: 400, firstTrxAt: 10, lastTrxAt: 30,
    categories: { groceries: { trxCount: 1, amount: 1000 }, travel: { trxCount: 1, amount: 2100 } },
  })
  assert.equal(users.get(2)?.trxCount, 1)
})

test('a refund alone moves neither the transaction count nor the first/last times', () => {
  const u = foldTrx([trx('trx.refunded', 3, 10, 'x', 5)]).get(3)
  assert.equal(u?.trxCount, 0)
  assert.equal(u?.refundCount, 1)
  assert.equal(u?.firstTrxAt, null)
  assert.equal(u?.lastTrxAt, null)
})

test('folding is order-independent: any split and order of a stream gives the same sums', () => {
  const events = Array.from({ length: 200 }, (_, i) => trx(i % 5 === 0 ? 'trx.refunded' : 'trx.created', i % 7, (i * 37) % 1000, `c${i % 3}`, (i * 7919) % 1000))
  const whole = foldTrx(events)
  const shuffled = foldTrx([...events].reverse())
  for (const [id, u] of whole) {
    const v = shuffled.get(id)
    assert.ok(v)
    assert.deepEqual({ ...v, categories: Object.fromEntries(v.categories) }, { ...u, categories: Object.fromEntries(u.categories) })
  }
})

test('toTrxEvent keeps trx.* with a user and a well-formed payload, nothing else', () => {
  const base: EventRecord = { event_id: 'e', service: 's', event_type: 'trx.created', occurred_at: 1, received_at: 2, user_id: 9, payload: { amount: 5, category: 'c', trx_id: 't', currency: 'EUR', merchant: 'm' } }
  assert.deepEqual(toTrxEvent(base), { eventId: 'e', userId: 9, type: 'trx.created', occurredAt: 1, amount: 5, category: 'c' })
  assert.equal(toTrxEvent({ ...base, event_type: 'generic' }), undefined)
  assert.equal(toTrxEvent({ ...base, user_id: null }), undefined)
  assert.equal(toTrxEvent({ ...base, payload: '{"amount":5}' }), undefined)
  assert.equal(toTrxEvent({ ...base, payload: { amount: '5', category: 'c' } }), undefined)
})
