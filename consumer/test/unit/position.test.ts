/** The position protocol (writeAtPosition) over an in-memory store: what is stored, at which position, what rolls back. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { writeAtPosition, type AtOffset, type BatchPosition } from '../../src/position.js'
import { createMemoryStore } from '../helpers/memory-store.js'

const store = () => createMemoryStore((records: readonly AtOffset[]) => ({ stored: records, result: { count: records.length } }))
const at = (first: number, next: number, allowGap = false): BatchPosition => ({ topic: 't', partition: 3, firstOffset: BigInt(first), nextOffset: BigInt(next), allowGap })
const recs = (from: number, to: number): AtOffset[] => Array.from({ length: to - from }, (_, i) => ({ offset: BigInt(from + i) }))

test('a batch at the stored position is written with its next offset, in one commit', async () => {
  const s = store()
  assert.deepEqual(await writeAtPosition(s, at(0, 5), recs(0, 5)), { kind: 'written', count: 5 })
  assert.deepEqual(s.records.map((r) => r.offset), [0n, 1n, 2n, 3n, 4n])
  assert.equal(s.position('t', 3), 5n)
  assert.deepEqual(s.stats, { open: 0, discarded: 0, commits: 1 })
})

test('no position row: the store starts at offset 0, so a later batch is "behind" and nothing is written or created', async () => {
  const s = store()
  assert.deepEqual(await writeAtPosition(s, at(40, 42), recs(40, 42)), { kind: 'behind', storedNext: 0n })
  assert.deepEqual(s.records, [])
  assert.equal(s.position('t', 3), undefined)
  assert.equal(s.stats.open, 0)
})

test('"behind" unless the gap is allowed (the log no longer has the offsets in between)', async () => {
  const s = store()
  s.setPosition('t', 3, 10n)
  assert.deepEqual(await writeAtPosition(s, at(20, 22), recs(20, 22)), { kind: 'behind', storedNext: 10n })
  assert.deepEqual(await writeAtPosition(s, at(20, 22, true), recs(20, 22)), { kind: 'written', count: 2 })
  assert.equal(s.position('t', 3), 22n)
})

test('records below the stored position (a second owner during a rebalance, a replay) are skipped; the position never moves back', async () => {
  const s = store()
  s.setPosition('t', 3, 7n)
  assert.deepEqual(await writeAtPosition(s, at(5, 10), recs(5, 10)), { kind: 'written', count: 3 })
  assert.deepEqual(s.records.map((r) => r.offset), [7n, 8n, 9n])
  assert.equal(s.position('t', 3), 10n)
  assert.deepEqual(await writeAtPosition(s, at(2, 6), recs(2, 6)), { kind: 'written', count: 0 })
  assert.equal(s.position('t', 3), 10n)
  assert.equal(s.records.length, 3)
})

test('a failed write or a failed hand-off before the commit leaves nothing: no records, no position; the error reaches the caller', async () => {
  const s = store()
  s.failWrites(new Error('connection reset'))
  await assert.rejects(writeAtPosition(s, at(0, 2), recs(0, 2)), /connection reset/)
  await assert.rejects(writeAtPosition(s, at(0, 2), recs(0, 2), async () => { throw new Error('broker down') }), /broker down/)
  assert.deepEqual(s.records, [])
  assert.equal(s.position('t', 3), undefined)
  assert.deepEqual(s.stats, { open: 0, discarded: 2, commits: 0 })
})

test('the hand-off before the commit sees what the write returned', async () => {
  const s = store()
  const seen: number[] = []
  await writeAtPosition(s, at(0, 3), recs(0, 3), async ({ count }) => { seen.push(count) })
  assert.deepEqual(seen, [3])
})
