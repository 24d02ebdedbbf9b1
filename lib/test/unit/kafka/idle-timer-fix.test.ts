import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { PATCHED } from '../../../src/kafka/idle-timer-fix.js'

interface Queue {
  pending: unknown[]
  throttledUntil: number
  throttleCheckTimeoutId: NodeJS.Timeout | null
  scheduleCheckPendingRequests(): void
}

const { prototype } = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: Queue }
const queue = (pending: unknown[], throttledUntil: number): Queue => Object.assign(Object.create(prototype) as Queue, { pending, throttledUntil, throttleCheckTimeoutId: null })

test('kafkajs\' request queue arms no timer with nothing pending and no throttle (it re-armed one every millisecond)', () => {
  assert.equal(PATCHED, true, 'kafkajs\' RequestQueue.scheduleCheckPendingRequests is where the fix expects it')
  const idle = queue([], -1) // kafkajs' initial throttledUntil
  idle.scheduleCheckPendingRequests()
  assert.equal(idle.throttleCheckTimeoutId, null)
})

test('kafkajs\' request queue still checks again while requests are pending or the broker throttles', () => {
  for (const q of [queue([{}], -1), queue([], Date.now() + 60_000)]) {
    q.scheduleCheckPendingRequests()
    assert.notEqual(q.throttleCheckTimeoutId, null)
    clearTimeout(q.throttleCheckTimeoutId ?? undefined)
  }
})
