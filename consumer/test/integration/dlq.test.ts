/**
 * Poison records written straight to the topic: they land in the DLQ with their reason, and
 * the records after them on the same partition still reach Postgres. Records without our
 * headers, or without a value at all, neither crash nor stall the partition.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import type { KafkaMessage } from '../../../lib/src/kafka/types.js'
import { loadCatalog } from '../../../lib/src/avro/catalog.js'
import { encodeRecord } from '../../../lib/src/avro/codec.js'
import { createKafka } from '../../../lib/src/kafka/client.js'
import { createProducer } from '../../../lib/src/kafka/producer.js'
import { nowMicros } from '../../../lib/src/time.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { assertExactlyOnce, createTestTopic, quietLogger, testPool, uniqueName, waitFor } from '../../../lib/test/helpers/services.js'

const generic = loadCatalog().eventTypes.get('generic')?.latest

function goodRecord(): { id: string; value: Buffer } {
  assert.ok(generic)
  const id = randomUUID()
  return { id, value: encodeRecord(generic, { event_id: id, service: 'dlq-test', event_type: 'generic', occurred_at: nowMicros(), received_at: nowMicros(), user_id: null, payload: { ok: true } }) }
}

test('undecodable and Postgres-rejected records go to the DLQ with a reason; the partition moves on', async (t) => {
  assert.ok(generic)
  const topic = await createTestTopic(t, 1)
  const pool = testPool(t)
  const kafka = createKafka(topic.kafka, quietLogger)
  const producer = createProducer(kafka)
  await producer.connect()
  t.after(() => producer.disconnect())

  // The good records carry none of our headers (a foreign producer's valid Avro): stored all the same.
  const goods = [goodRecord(), goodRecord(), goodRecord(), goodRecord()]
  // Valid Avro, but its JSON text holds a \u0000 escape that jsonb refuses (SQLSTATE 22P05).
  const rejectedId = randomUUID()
  const rejectedByPostgres = encodeRecord(generic, {
    event_id: rejectedId, service: 'dlq-test', event_type: 'generic', occurred_at: nowMicros(), received_at: nowMicros(), user_id: null, payload: { s: 'nul\u0000' },
  })
  await producer.send({
    topic: topic.topic,
    acks: -1,
    messages: [
      { partition: 0, value: goods[0]?.value ?? null },
      { partition: 0, value: Buffer.from('not avro at all'), headers: { origin: 'test' } },
      { partition: 0, value: goods[1]?.value ?? null },
      { partition: 0, value: rejectedByPostgres },
      { partition: 0, value: Buffer.from([0, 0, 0, 0x30, 0x39, 1]) }, // schema id 12345
      { partition: 0, value: goods[2]?.value ?? null },
      { partition: 0, value: null }, // a tombstone: no value at all
      { partition: 0, value: Buffer.alloc(0) },
      { partition: 0, value: goods[3]?.value ?? null },
    ],
  })
  await startService(t, 'consumer', topic.env)
  await assertExactlyOnce(pool, goods.map((g) => g.id))

  const letters: KafkaMessage[] = []
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') })
  await consumer.connect()
  t.after(() => consumer.disconnect())
  await consumer.subscribe({ topic: topic.dlqTopic, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => { letters.push(message) } })
  await waitFor(() => letters.length >= 5, { message: 'five dead letters' })
  await consumer.stop()

  const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString()
  const byOffset = new Map(letters.map((m) => [header(m, 'dlq-offset'), m]))
  assert.deepEqual([...byOffset.keys()].sort(), ['1', '3', '4', '6', '7'])
  assert.equal(header(byOffset.get('1') as KafkaMessage, 'dlq-reason'), 'PIPELINE_RECORD_UNDECODABLE')
  assert.equal(header(byOffset.get('1') as KafkaMessage, 'origin'), 'test', 'original headers are kept')
  assert.equal(byOffset.get('1')?.value?.toString(), 'not avro at all', 'the original value is kept')
  assert.equal(header(byOffset.get('3') as KafkaMessage, 'dlq-reason'), 'PIPELINE_ROW_REJECTED')
  assert.match(header(byOffset.get('3') as KafkaMessage, 'dlq-error') ?? '', /^22P05/)
  assert.equal(header(byOffset.get('4') as KafkaMessage, 'dlq-reason'), 'PIPELINE_SCHEMA_UNKNOWN')
  assert.equal(header(byOffset.get('6') as KafkaMessage, 'dlq-reason'), 'PIPELINE_RECORD_UNDECODABLE')
  assert.equal(byOffset.get('6')?.value, null, 'the tombstone is dead-lettered as it was')
  assert.equal(header(byOffset.get('7') as KafkaMessage, 'dlq-reason'), 'PIPELINE_RECORD_UNDECODABLE')
  for (const m of letters) {
    assert.equal(header(m, 'dlq-topic'), topic.topic)
    assert.equal(header(m, 'dlq-group'), topic.group)
  }
  const { rows } = await pool.query('SELECT 1 FROM events WHERE event_id = $1', [rejectedId])
  assert.equal(rows.length, 0)
  const position = await pool.query<{ next_offset: string }>(
    'SELECT next_offset FROM sink_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = 0', [topic.group, topic.topic])
  assert.equal(position.rows[0]?.next_offset, '9')
})
