/**
 * With SCHEMA_REGISTRY_URL set, producer-api writes the registry's schema ids in the wire
 * format and the consumer decodes them: end to end on the real registry, broker and Postgres.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createKafka } from '../../../lib/src/kafka/client.js'
import { REGISTRY_URL } from '../../../lib/test/helpers/registry.js'
import { genericEvent, post } from '../../../lib/test/helpers/load.js'
import { startPipeline } from '../../../lib/test/helpers/pipeline.js'
import { assertExactlyOnce, quietLogger, uniqueName, waitFor } from '../../../lib/test/helpers/services.js'

test('events carry the registry\'s schema id and reach Postgres', async (t) => {
  const { pool, api, apiKey, topic } = await startPipeline(t, { env: { SCHEMA_REGISTRY_URL: REGISTRY_URL } })
  const events = [genericEvent('registry-e2e'), genericEvent('registry-e2e')]
  for (const e of events) assert.equal((await post(`${api.url}/events`, e, apiKey)).status, 202)
  await assertExactlyOnce(pool, events.map((e) => e.event_id))

  const registered = (await (await fetch(`${REGISTRY_URL}/subjects/${topic.topic}-aurore.events.Generic/versions/latest`)).json()) as { id: number }
  const { rows } = await pool.query<{ schema_id: number }>('SELECT DISTINCT schema_id FROM events WHERE event_id = ANY($1::uuid[])', [events.map((e) => e.event_id)])
  assert.deepEqual(rows.map((r) => r.schema_id), [registered.id])

  const consumer = createKafka(topic.kafka, quietLogger).consumer({ groupId: uniqueName('registry-reader') })
  await consumer.connect()
  t.after(() => consumer.disconnect())
  const ids: number[] = []
  await consumer.subscribe({ topic: topic.topic, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => { if (message.value) ids.push(message.value.readInt32BE(1)) } })
  await waitFor(() => ids.length >= 2, { message: 'the records' })
  await consumer.stop()
  assert.deepEqual([...new Set(ids)], [registered.id])
})
