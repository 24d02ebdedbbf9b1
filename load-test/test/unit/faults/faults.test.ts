import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRandom } from '../../../k6/lib/scenarios.js'
import { faultDeck, faultName, type Fault } from '../../../src/faults/faults.js'
import { APPS, SERVERS } from '../../../src/faults/stack.js'

const TARGETS = [...APPS, ...SERVERS]
// A kill and a stall of each process, a group change, the sink cut off from Postgres.
const DECK = TARGETS.length * 2 + 2

const take = (seed: number, n: number): Fault[] => {
  const deck = faultDeck({ random: createRandom(seed, 0) as () => number, stallMs: [1000, 6000], partitionMs: 13_000 })
  return Array.from({ length: n }, () => deck.next().value as Fault)
}

test('each deck holds every fault once: kill and stall of each process, a group change, a partition', () => {
  assert.deepEqual(TARGETS, ['producer-api', 'consumer', 'projector', 'query-api', 'kafka', 'postgres', 'mariadb', 'redis'])
  const faults = take(7, DECK * 2)
  for (const deck of [faults.slice(0, DECK), faults.slice(DECK)]) {
    const names = deck.map(faultName)
    assert.equal(new Set(names).size, DECK, names.join(', '))
    for (const target of TARGETS) {
      assert.ok(names.includes(`kill ${target}`) && names.includes(`stall ${target}`), target)
    }
    assert.ok(names.includes('group change') && names.includes('sink cut off from postgres'))
  }
})

test('the same seed draws the same faults; stalls last within their bounds', () => {
  assert.deepEqual(take(42, 40), take(42, 40))
  assert.notDeepEqual(take(42, 16).map(faultName), take(43, 16).map(faultName))
  for (const f of take(5, 64)) if (f.kind === 'stall') assert.ok(f.ms >= 1000 && f.ms <= 6000, String(f.ms))
})

test('with a disk of its own to fill, each deck also holds Postgres disk full, once', () => {
  const deck = faultDeck({ random: createRandom(3, 0) as () => number, stallMs: [1000, 6000], partitionMs: 13_000, diskFullMs: 8000 })
  const faults = Array.from({ length: (DECK + 1) * 2 }, () => deck.next().value as Fault)
  for (const part of [faults.slice(0, DECK + 1), faults.slice(DECK + 1)]) {
    const full = part.filter((f) => f.kind === 'disk-full')
    assert.equal(full.length, 1)
    assert.equal(faultName(full[0] as Fault), 'postgres disk full')
    assert.equal(new Set(part.map(faultName)).size, DECK + 1)
  }
})
