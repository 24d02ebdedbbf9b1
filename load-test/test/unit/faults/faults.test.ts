import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRandom } from '../../../k6/lib/scenarios.js'
import { faultDeck, faultName, type Fault } from '../../../src/faults/faults.js'

const take = (seed: number, n: number): Fault[] => {
  const deck = faultDeck({ random: createRandom(seed, 0) as () => number, stallMs: [1000, 6000], partitionMs: 13_000 })
  return Array.from({ length: n }, () => deck.next().value as Fault)
}

test('each deck holds every fault once: kill and stall of each process, a group change, a partition', () => {
  const faults = take(7, 32)
  for (const deck of [faults.slice(0, 16), faults.slice(16)]) {
    const names = deck.map(faultName)
    assert.equal(new Set(names).size, 16, names.join(', '))
    for (const target of ['producer-api', 'consumer', 'projector', 'kafka', 'postgres', 'mariadb', 'redis']) {
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
  const faults = Array.from({ length: 34 }, () => deck.next().value as Fault)
  for (const part of [faults.slice(0, 17), faults.slice(17)]) {
    const full = part.filter((f) => f.kind === 'disk-full')
    assert.equal(full.length, 1)
    assert.equal(faultName(full[0] as Fault), 'postgres disk full')
    assert.equal(new Set(part.map(faultName)).size, 17)
  }
})
