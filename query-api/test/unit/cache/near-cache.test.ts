/** The near cache's local state: what reads, invalidations and connection losses do to it. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createNearState } from '../../../src/cache/near-cache.js'

const near = (o: { maxEntries?: number; maxAgeMs?: number; now?: () => number } = {}) => {
  const state = createNearState({ maxEntries: o.maxEntries ?? 10, maxAgeMs: o.maxAgeMs ?? 60_000 }, o.now ? { now: o.now } : {})
  state.setActive(true)
  return state
}

test('a completed read is kept and answered; an invalidation drops it', () => {
  const s = near()
  s.complete(s.begin('k'), 'v1')
  assert.equal(s.get('k'), 'v1')
  s.invalidate(['k', 'other'])
  assert.equal(s.get('k'), undefined)
})

test('an invalidation that arrives while the read is in flight keeps its value out, in either order', () => {
  const s = near()
  const read = s.begin('k')
  s.invalidate(['k']) // came over the invalidation connection before the read's reply
  s.complete(read, 'old')
  assert.equal(s.get('k'), undefined)
  // Another key's invalidation does not matter; a flush of everything does.
  const a = s.begin('a')
  s.invalidate(['b'])
  s.complete(a, 'va')
  assert.equal(s.get('a'), 'va')
  const b = s.begin('b')
  s.invalidate(null)
  s.complete(b, 'vb')
  assert.equal(s.get('b'), undefined)
  assert.equal(s.get('a'), undefined, 'a flush drops every entry')
})

test('concurrent reads of one key: each is judged alone; an abandoned read keeps nothing', () => {
  const s = near()
  const first = s.begin('k')
  s.invalidate(['k'])
  const second = s.begin('k') // sent after the invalidation: sees the new value
  s.complete(first, 'old')
  assert.equal(s.get('k'), undefined)
  s.complete(second, 'new')
  assert.equal(s.get('k'), 'new')
  s.abandon(s.begin('x'))
  assert.equal(s.get('x'), undefined)
})

test('inactive (a connection is down, or tracking not on yet): nothing is answered or kept, and what was kept is gone', () => {
  const s = near()
  s.complete(s.begin('k'), 'v')
  const inFlight = s.begin('j')
  s.setActive(false)
  assert.equal(s.get('k'), undefined)
  assert.equal(s.begin('k'), undefined)
  s.complete(inFlight, 'v')
  s.setActive(true) // tracking on again: a read from before the loss is not trusted
  assert.equal(s.get('j'), undefined)
  assert.equal(s.get('k'), undefined)
  assert.equal(s.size, 0)
})

test('bounded: the least recently used entry goes first; entries age out after maxAgeMs', () => {
  let now = 1_000
  const s = near({ maxEntries: 2, maxAgeMs: 5_000, now: () => now })
  s.complete(s.begin('a'), '1')
  s.complete(s.begin('b'), '2')
  assert.equal(s.get('a'), '1') // a is now the most recent
  s.complete(s.begin('c'), '3')
  assert.deepEqual([s.get('a'), s.get('b'), s.get('c')], ['1', undefined, '3'])
  now += 5_001
  assert.equal(s.get('a'), undefined)
})

test('maxEntries 0: never active, nothing kept', () => {
  const s = near({ maxEntries: 0 })
  assert.equal(s.active, false)
  s.complete(s.begin('k'), 'v')
  assert.equal(s.get('k'), undefined)
})
