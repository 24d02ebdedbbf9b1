import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LedgerEntry } from '../../../src/faults/load.js'
import { expectedTrxCounts, verifyLedger } from '../../../src/faults/verify.js'

const ledger = new Map<string, LedgerEntry>([
  ['a', { outcome: 'acknowledged', userId: 1 }],
  ['b', { outcome: 'acknowledged', userId: undefined }],
  ['c', { outcome: 'rejected', userId: 1 }],
  ['d', { outcome: 'unknown', userId: 2 }],
  ['e', { outcome: 'unknown', userId: 2 }],
])

test('a clean run: acknowledged stored once, rejected absent, unknown at most once, each stored trx folded', () => {
  const stored = new Map([['a', 1], ['b', 1], ['d', 1]])
  assert.deepEqual(expectedTrxCounts(ledger, stored), new Map([[1, 1], [2, 1]]))
  const v = verifyLedger(ledger, stored, new Map([[1, 1], [2, 1]]))
  assert.deepEqual({ ...v, examples: undefined }, {
    acknowledged: 2, rejected: 1, unknown: 2, lost: 0, duplicated: 0, rejectedPresent: 0, unknownPresent: 1, users: 2, readModelMismatches: 0, examples: undefined,
  })
})

test('lost, duplicated, rejected-yet-stored and a read-model row folded twice are each counted, with examples', () => {
  const stored = new Map([['b', 2], ['c', 1], ['d', 1]])
  const v = verifyLedger(ledger, stored, new Map([[1, 1], [2, 2]]))
  assert.equal(v.lost, 1)
  assert.equal(v.duplicated, 1)
  assert.equal(v.rejectedPresent, 1)
  // user 1: 'c' is stored (rejected, yet there), so 1 is right; user 2: 'd' once, folded twice.
  assert.equal(v.readModelMismatches, 1)
  assert.ok(v.examples.some((e) => e.includes('user 2')), v.examples.join('\n'))
})
