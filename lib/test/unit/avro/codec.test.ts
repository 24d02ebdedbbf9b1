import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadCatalog } from '../../../src/avro/catalog.js'
import { createDecoder, encodeRecord, type EventRecord } from '../../../src/avro/codec.js'
import { PipelineError } from '../../../src/errors.js'

const catalog = loadCatalog()
const decoder = createDecoder(catalog)
const generic = catalog.eventTypes.get('generic')?.latest

const record: EventRecord = {
  event_id: '01a20e24-213f-71aa-9e50-377fc0faab61', service: 'svc', event_type: 'generic',
  occurred_at: 1_795_533_568_239_123, received_at: 1_795_533_568_240_000, user_id: null,
  payload: { text: 'tab\there "quoted" \\ 😀', n: 1.5, nested: { list: [1, null, true] } },
}

test('Confluent wire format: magic byte, big-endian schema id, Avro body', () => {
  assert.ok(generic)
  const bytes = encodeRecord(generic, record)
  assert.equal(bytes[0], 0)
  assert.equal(bytes.readInt32BE(1), generic.id)
})

test('round trip: json payloads decode to their JSON text, the rest as is', () => {
  assert.ok(generic)
  const { value, version } = decoder.decode(encodeRecord(generic, record))
  assert.equal(version.eventType, 'generic')
  assert.equal(typeof value.payload, 'string')
  assert.deepEqual(JSON.parse(value.payload as string), record.payload)
  assert.equal(value.occurred_at, record.occurred_at)
  assert.equal(value.user_id, null)
})

test('poison values are refused with a code, never decoded into garbage', () => {
  assert.ok(generic)
  const good = encodeRecord(generic, record)
  const cases: [Buffer | null, string][] = [
    [null, 'PIPELINE_RECORD_UNDECODABLE'],
    [Buffer.from('{"json":"not avro"}'), 'PIPELINE_RECORD_UNDECODABLE'],
    [Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2]), 'PIPELINE_SCHEMA_UNKNOWN'],
    [good.subarray(0, good.length - 3), 'PIPELINE_RECORD_UNDECODABLE'],
    [Buffer.concat([good, Buffer.from([1, 2, 3])]), 'PIPELINE_RECORD_UNDECODABLE'],
  ]
  for (const [bytes, code] of cases) {
    assert.throws(() => decoder.decode(bytes), (err: unknown) => err instanceof PipelineError && err.code === code, String(bytes))
  }
})
