import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BUCKETS, bucketOf, CATEGORIES, generateUser, WINDOW_END_MICROS } from '../../../src/generate/users.js'

test('the same seed and user make the same user; another seed makes others', () => {
  for (const id of [1, 2, 999_999, 10_000_000, 2 ** 40]) assert.deepEqual(generateUser(7, id), generateUser(7, id))
  const a = Array.from({ length: 50 }, (_, i) => generateUser(7, i + 1))
  const b = Array.from({ length: 50 }, (_, i) => generateUser(8, i + 1))
  assert.notDeepEqual(a, b)
})

test('every user is the fold of a consistent history: categories add up, top category by the projector\'s order', () => {
  const names = new Set(CATEGORIES.map(([n]) => n))
  for (let id = 1; id <= 20_000; id++) {
    const u = generateUser(42, id)
    assert.equal(u.categories.reduce((s, c) => s + c.trxCount, 0), u.trxCount)
    assert.equal(u.categories.reduce((s, c) => s + c.amount, 0), u.totalAmount - u.refundedAmount)
    assert.equal(new Set(u.categories.map((c) => c.category)).size, u.categories.length)
    assert.ok(u.categories.every((c) => names.has(c.category) && c.trxCount >= 1 && c.amount >= 0))
    assert.ok(u.refundCount <= u.trxCount && u.refundedAmount <= u.totalAmount)
    if (u.trxCount === 0) {
      assert.deepEqual([u.firstTrxAt, u.lastTrxAt, u.topCategory, u.categories.length, u.totalAmount], [null, null, null, 0, 0])
      continue
    }
    assert.ok(u.firstTrxAt !== null && u.lastTrxAt !== null && u.firstTrxAt <= u.lastTrxAt && u.lastTrxAt <= WINDOW_END_MICROS)
    if (u.trxCount === 1) assert.equal(u.firstTrxAt, u.lastTrxAt)
    const top = [...u.categories].sort((x, y) => y.trxCount - x.trxCount || y.amount - x.amount || (x.category < y.category ? -1 : 1))[0]
    assert.equal(u.topCategory, top?.category)
  }
})

test('trx_count follows the skewed bucket shares of the old fixture', () => {
  const n = 100_000
  const counts = new Map<string, number>()
  for (let id = 1; id <= n; id++) {
    const label = bucketOf(generateUser(3, id).trxCount)
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  for (const b of BUCKETS) {
    const share = (counts.get(b.label) ?? 0) / n
    assert.ok(Math.abs(share - b.share) < 0.01, `${b.label}: ${share} vs ${b.share}`)
  }
  assert.ok((counts.get('1-10') ?? 0) > (counts.get('11-50') ?? 0) && (counts.get('11-50') ?? 0) > (counts.get('201+') ?? 0))
})

test('bucketOf follows the old verification SQL', () => {
  assert.deepEqual([0, 1, 10, 11, 50, 51, 200, 201, 50_000].map(bucketOf), ['0', '1-10', '1-10', '11-50', '11-50', '51-200', '51-200', '201+', '201+'])
})
