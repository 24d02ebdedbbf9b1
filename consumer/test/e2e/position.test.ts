/**
 * Postgres is the source of truth for the sink's position: when it has no row for a partition
 * (a restored or truncated database) while Kafka's committed offset is ahead, the sink reads
 * that partition from the log's start again instead of skipping what it no longer has.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startPipeline } from '../../../lib/test/helpers/pipeline.js'
import { assertExactlyOnce, countByEventId, waitFor } from '../../../lib/test/helpers/services.js'
import { genericEvent, post } from '../../../lib/test/helpers/load.js'

test('no position row while Kafka is ahead: the sink reads the partition from the log start, nothing is skipped', async (t) => {
  const { pool, api, apiKey, topic } = await startPipeline(t, { partitions: 1 })
  const first = Array.from({ length: 50 }, () => genericEvent('e2e-position'))
  assert.equal((await post(`${api.url}/events/batch`, { events: first }, apiKey)).status, 202)
  const ids = first.map((e) => e.event_id)
  await assertExactlyOnce(pool, ids)
  const committed = async () => {
    const { rows } = await pool.query<{ next_offset: string }>('SELECT next_offset FROM sink_offsets WHERE consumer_group = $1', [topic.group])
    return rows[0]?.next_offset
  }
  await waitFor(async () => (await committed()) === '50', { message: 'the position at 50' })

  // The database loses this partition (restored from an older backup, or emptied by hand);
  // Kafka still holds the group's committed offset 50.
  await pool.query('DELETE FROM events WHERE event_id = ANY($1::uuid[])', [ids])
  await pool.query('DELETE FROM sink_offsets WHERE consumer_group = $1', [topic.group])
  assert.equal((await countByEventId(pool, ids)).size, 0)

  const next = genericEvent('e2e-position')
  assert.equal((await post(`${api.url}/events`, next, apiKey)).status, 202)
  await assertExactlyOnce(pool, [...ids, next.event_id])
  await waitFor(async () => (await committed()) === '51', { message: 'the position at 51' })
})
