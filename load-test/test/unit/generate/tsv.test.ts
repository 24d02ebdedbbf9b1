import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toMysqlDatetime } from '../../../../lib/src/time.js'
import { parseFixtureCategories } from '../../../../consumer/src/projector/fixture.js'
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

test('a chunk holds one line per user, \\N for NULL, its categories as the JSON the projector reads, and skips the users asked', () => {
  const chunk = encodeChunk(42, 1, 200, new Set([5, 6]))
  const data = chunk.data.toString().trimEnd().split('\n').map((l) => l.split('\t'))
  assert.equal(chunk.users, 198)
  assert.equal(data.length, 198)
  assert.ok(!data.some((f) => f[0] === '5' || f[0] === '6'))
  let withCategories = 0
  for (const f of data) {
    assert.equal(f.length, 9)
    const u = generateUser(42, Number(f[0]))
    assert.deepEqual(f.slice(0, 8), [String(u.userId), String(u.trxCount), String(u.totalAmount), String(u.refundCount), String(u.refundedAmount),
      u.firstTrxAt === null ? '\\N' : toMysqlDatetime(u.firstTrxAt), u.lastTrxAt === null ? '\\N' : toMysqlDatetime(u.lastTrxAt), u.topCategory ?? '\\N'])
    const categories = u.categories.map((c) => [c.category, c.trxCount, c.amount])
    if (categories.length === 0) assert.equal(f[8], '\\N')
    else {
      withCategories++
      assert.deepEqual(parseFixtureCategories(f[8] ?? ''), categories)
    }
  }
  assert.ok(withCategories > 100)
})
