/**
 * The schema registry path against a real Confluent-compatible registry (Apicurio Registry's
 * ccompat API, started by scripts/stack.sh registry-up): registration, ids in the wire
 * format, and resolving an id the catalog does not know.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import avro from 'avsc'
import { envelopeSchema, loadCatalog } from '../../../src/avro/catalog.js'
import { createDecoder, encodeRecord, HEADER_BYTES } from '../../../src/avro/codec.js'
import { createSchemaRegistry, subjectFor, versionFromRegistry, withRegistryIds } from '../../../src/avro/registry.js'
import { PipelineError } from '../../../src/errors.js'
import { SCHEMAS_DIR } from '../../../src/paths.js'

import { REGISTRY_URL } from '../../helpers/registry.js'

const record = (payload: unknown) => ({
  event_id: randomUUID(), service: 'registry-test', event_type: 'trx.created', occurred_at: 1, received_at: 2, user_id: 7, payload,
})
const trx = { trx_id: 't', amount: 100, currency: 'EUR', category: 'food', merchant: 'm' }

test('every catalog version is registered under <topic>-<record name>; ids come from the registry', async () => {
  const registry = createSchemaRegistry(REGISTRY_URL)
  const topic = `reg-${randomUUID().slice(0, 8)}`
  const catalog = await withRegistryIds(loadCatalog(), registry, topic)
  const again = await withRegistryIds(loadCatalog(), registry, topic)
  const created = catalog.eventTypes.get('trx.created')?.latest
  assert.ok(created)
  assert.equal(subjectFor(topic, created), `${topic}-aurore.events.TrxCreated`)
  assert.equal(again.eventTypes.get('trx.created')?.latest.id, created.id, 'registering again finds the same id')
  const stored = await registry.schemaById(created.id)
  assert.equal((stored as { name: string }).name, 'TrxCreated')
  const bytes = encodeRecord(created, record(trx))
  assert.equal(bytes.readInt32BE(1), created.id)
  assert.equal(createDecoder(catalog).decode(bytes).value.user_id, 7)
})

test('the consumer resolves an id it does not know through the registry (a newer writer schema)', async () => {
  const registry = createSchemaRegistry(REGISTRY_URL)
  const topic = `reg-${randomUUID().slice(0, 8)}`
  const catalog = await withRegistryIds(loadCatalog(), registry, topic)
  // Another producer's v2 of trx.created, with a new optional field.
  const v1 = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'trx.created.v1.avsc'), 'utf8'))
  const v2Schema = envelopeSchema('aurore.events', 'trx.created', { ...v1, fields: [...v1.fields, { name: 'channel', type: ['null', 'string'], default: null }] })
  const v2Id = await registry.register(`${topic}-aurore.events.TrxCreated`, v2Schema)
  assert.notEqual(v2Id, catalog.eventTypes.get('trx.created')?.latest.id)
  const body = avro.Type.forSchema(v2Schema).toBuffer(record({ ...trx, channel: 'web' }))
  const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body])
  bytes.writeInt32BE(v2Id, 1)

  const plain = createDecoder(catalog)
  assert.throws(() => plain.decode(bytes), (err: unknown) => err instanceof PipelineError && err.code === 'PIPELINE_SCHEMA_UNKNOWN')
  const withRegistry = createDecoder(catalog, (id) => versionFromRegistry(catalog, registry, id))
  await withRegistry.prepare([bytes])
  const decoded = withRegistry.decode(bytes)
  assert.equal(decoded.version.id, v2Id)
  assert.deepEqual({ ...(decoded.value.payload as object) }, trx, 'read as the catalog\'s latest version')

  const unknown = Buffer.from(bytes)
  unknown.writeInt32BE(2_000_000_000, 1)
  await withRegistry.prepare([unknown])
  assert.throws(() => withRegistry.decode(unknown), (err: unknown) => err instanceof PipelineError && err.code === 'PIPELINE_SCHEMA_UNKNOWN')
  assert.equal(bytes.length > HEADER_BYTES, true)
})

test('an unreachable registry is a coded, retriable error', async () => {
  const registry = createSchemaRegistry('http://127.0.0.1:9/apis/ccompat/v7', 500)
  await assert.rejects(registry.schemaById(1), (err: unknown) => err instanceof PipelineError && err.code === 'PIPELINE_SCHEMA_REGISTRY_UNAVAILABLE' && err.retriable)
})
