import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadCatalog, recordName } from '../../../src/avro/catalog.js'
import { createDecoder, encodeRecord } from '../../../src/avro/codec.js'
import { PipelineError } from '../../../src/errors.js'
import { SCHEMAS_DIR } from '../../../src/paths.js'

function tempCatalog(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'))
  cpSync(SCHEMAS_DIR, dir, { recursive: true })
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function addVersion(dir: string, eventType: string, version: number, id: number, payload: unknown): void {
  const file = `${eventType}.v${version}.avsc`
  writeFileSync(join(dir, file), JSON.stringify(payload))
  const catalog = JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8'))
  catalog.eventTypes[eventType].versions.push({ version, id, payload: file })
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog))
}

const trxV1 = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'trx.created.v1.avsc'), 'utf8'))

test('the shipped catalog loads, with unique ids and the required event types', () => {
  const catalog = loadCatalog()
  for (const name of ['generic', 'trx.created', 'trx.refunded']) assert.ok(catalog.eventTypes.get(name), name)
  assert.equal(catalog.eventTypes.get('trx.created')?.requiresUserId, true)
  assert.equal(catalog.eventTypes.get('generic')?.requiresUserId, false)
  assert.equal(recordName('trx.created'), 'TrxCreated')
})

test('evolution: a new optional field with a default reads old records', (t) => {
  const dir = tempCatalog(t)
  const v1 = loadCatalog(dir).eventTypes.get('trx.created')?.latest
  assert.ok(v1)
  const record = {
    event_id: '01a20e24-213f-71aa-9e50-377fc0faab61', service: 's', event_type: 'trx.created',
    occurred_at: 1, received_at: 2, user_id: 7,
    payload: { trx_id: 't', amount: 100, currency: 'EUR', category: 'food', merchant: 'm' },
  }
  const oldBytes = encodeRecord(v1, record)

  addVersion(dir, 'trx.created', 2, 99, {
    ...trxV1, fields: [...trxV1.fields, { name: 'channel', type: ['null', 'string'], default: null }],
  })
  const catalog = loadCatalog(dir)
  assert.equal(catalog.eventTypes.get('trx.created')?.latest.version, 2)
  const decoded = createDecoder(catalog).decode(oldBytes)
  assert.equal(decoded.version.version, 1)
  assert.equal(decoded.readAs.version, 2)
  assert.deepEqual({ ...(decoded.value.payload as object) }, { ...record.payload, channel: null })
})

test('evolution: a new required field (no default) is refused when the catalog loads', (t) => {
  const dir = tempCatalog(t)
  addVersion(dir, 'trx.created', 2, 99, { ...trxV1, fields: [...trxV1.fields, { name: 'channel', type: 'string' }] })
  assert.throws(() => loadCatalog(dir), (err: unknown) => err instanceof PipelineError && err.code === 'PIPELINE_CATALOG_INVALID' && /only add optional fields/.test(err.message))
})

test('a schema id used twice is refused', (t) => {
  const dir = tempCatalog(t)
  addVersion(dir, 'trx.created', 2, 1, trxV1)
  assert.throws(() => loadCatalog(dir), /schema id 1 is used twice/)
})
