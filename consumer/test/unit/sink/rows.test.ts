import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadCatalog } from '../../../../lib/src/avro/catalog.js'
import type { EventRecord } from '../../../../lib/src/avro/codec.js'
import { isDataError } from '../../../src/sink/copy.js'
import { COLUMNS, escapeCopyText, payloadJson, toCopyLine } from '../../../src/sink/rows.js'

test('COPY text escaping covers backslash, newline, carriage return and tab', () => {
  assert.equal(escapeCopyText('a\\b\nc\rd\te'), 'a\\\\b\\nc\\rd\\te')
  assert.equal(escapeCopyText('plain 😀 "q"'), 'plain 😀 "q"')
})

test('payloadJson keeps JSON text as is and serialises records', () => {
  assert.equal(payloadJson('{"a":1}'), '{"a":1}')
  assert.equal(payloadJson({ a: 1 }), '{"a":1}')
})

test('one line per event with every column, NULL for a missing user', () => {
  const version = loadCatalog().eventTypes.get('generic')?.latest
  assert.ok(version)
  const value: EventRecord = {
    event_id: '01a20e24-213f-71aa-9e50-377fc0faab61', service: 'svc', event_type: 'generic',
    occurred_at: 1_000_000, received_at: 2_000_001, user_id: null, payload: '{"t":"a\\tb"}',
  }
  const line = toCopyLine({ version, readAs: version, value }, 4, '42')
  assert.ok(line.endsWith('\n'))
  const fields = line.slice(0, -1).split('\t')
  assert.equal(fields.length, COLUMNS.length)
  assert.deepEqual(fields, [
    value.event_id, 'svc', 'generic', '1', String(version.id), '\\N',
    '1970-01-01T00:00:01.000000Z', '1970-01-01T00:00:02.000001Z', '4', '42', '{"t":"a\\\\tb"}',
  ])
})

test('data errors (SQLSTATE 22, 23, 54) are told apart from connection trouble', () => {
  assert.equal(isDataError({ code: '22P02' }), true)
  assert.equal(isDataError({ code: '23502' }), true)
  assert.equal(isDataError({ code: '54000' }), true)
  assert.equal(isDataError({ code: '57P01' }), false)
  assert.equal(isDataError({ code: 'ECONNREFUSED' }), false)
  assert.equal(isDataError(new Error('x')), false)
  assert.equal(isDataError(null), false)
})
