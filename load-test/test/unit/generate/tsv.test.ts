import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toMysqlDatetime } from '../../../../lib/src/time.js'
import { ByteWriter, encodeChunk } from '../../../src/generate/tsv.js'
import { generateUser } from '../../../src/generate/users.js'

test('ByteWriter writes integers, padded digits and DATETIME(6) text', () => {
  const w = new ByteWriter(4) // grows
  w.int(0).byte(32).int(-42).byte(32).int(9_007_199_254_740_991).byte(32).padded(7, 3)
  assert.equal(w.bytesWritten().toString(), '0 -42 9007199254740991 007')
  for (const micros of [0, 1, Date.UTC(2026, 10, 24, 15, 8, 2) * 1000 + 123_456, Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 999_999]) {
    assert.equal(new ByteWriter().datetime(micros).bytesWritten().toString(), toMysqlDatetime(micros))
  }
})

test('a chunk holds one line per user and per category, \\N for NULL, and skips the users asked', () => {
  const chunk = encodeChunk(42, 1, 200, new Set([5, 6]))
  const data = chunk.data.toString().trimEnd().split('\n').map((l) => l.split('\t'))
  const categories = chunk.categories.toString().trimEnd().split('\n').map((l) => l.split('\t'))
  assert.equal(chunk.users, 198)
  assert.equal(data.length, 198)
  assert.equal(categories.length, chunk.categoryRows)
  assert.ok(!data.some((f) => f[0] === '5' || f[0] === '6'))
  for (const f of data) {
    assert.equal(f.length, 8)
    const u = generateUser(42, Number(f[0]))
    assert.deepEqual(f, [String(u.userId), String(u.trxCount), String(u.totalAmount), String(u.refundCount), String(u.refundedAmount),
      u.firstTrxAt === null ? '\\N' : toMysqlDatetime(u.firstTrxAt), u.lastTrxAt === null ? '\\N' : toMysqlDatetime(u.lastTrxAt), u.topCategory ?? '\\N'])
  }
  const expected = Array.from({ length: 200 }, (_, i) => i + 1).filter((id) => id !== 5 && id !== 6)
    .flatMap((id) => generateUser(42, id).categories.map((c) => [String(id), c.category, String(c.trxCount), String(c.amount)]))
  assert.deepEqual(categories, expected)
})
