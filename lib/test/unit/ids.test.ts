import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newEventId } from '../../src/ids.js'

test('event ids are distinct UUIDv7s, time-ordered across milliseconds', async () => {
  const ids = Array.from({ length: 2000 }, newEventId)
  assert.equal(new Set(ids).size, ids.length, 'no repeats across pool refills')
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const before = newEventId()
  await new Promise((r) => setTimeout(r, 3))
  assert.ok(newEventId() > before)
})
