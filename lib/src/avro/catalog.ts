/**
 * The schema catalog: every accepted event type and its versions, loaded from `schemas/`.
 * Each version's full Avro schema is the envelope below with the type's payload schema inside.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import avro from 'avsc'
import { PipelineError } from '../errors.js'
import { SCHEMAS_DIR } from '../paths.js'

export interface SchemaVersion {
  readonly eventType: string
  readonly version: number
  /** Schema id written in the Confluent wire format. */
  readonly id: number
  /** The full record schema (envelope + payload), as registered in a schema registry. */
  readonly schema: avro.Schema
  /** For encoding and validation: `json` payloads take and give objects. */
  readonly type: avro.Type
  /** For decoding in sinks: `json` payloads stay JSON text. */
  readonly rawType: avro.Type
}

export interface EventTypeEntry {
  readonly name: string
  readonly requiresUserId: boolean
  readonly versions: readonly SchemaVersion[]
  readonly latest: SchemaVersion
}

export interface Catalog {
  readonly eventTypes: ReadonlyMap<string, EventTypeEntry>
  byId(id: number): SchemaVersion | undefined
}

/** Avro logical type `json`: a JSON value carried as its text. */
class JsonType extends avro.types.LogicalType {
  override _fromValue(text: string): unknown {
    return JSON.parse(text)
  }
  override _toValue(value: unknown): string | undefined {
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : undefined
  }
}

// Fresh options for each parse: avsc keeps its registry of named types in the options object.
const rawOptions = (): Partial<avro.ForSchemaOptions> => ({ wrapUnions: 'auto' })
const jsonOptions = (): Partial<avro.ForSchemaOptions> => ({ wrapUnions: 'auto', logicalTypes: { json: JsonType } })


/** `trx.created` → `TrxCreated` */
export function recordName(eventType: string): string {
  return eventType
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('')
}

export function envelopeSchema(namespace: string, eventType: string, payload: unknown): avro.Schema {
  const timestamp = { type: 'long', logicalType: 'timestamp-micros' }
  return {
    type: 'record',
    name: recordName(eventType),
    namespace,
    doc: `Event ${eventType}`,
    fields: [
      { name: 'event_id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'service', type: 'string' },
      { name: 'event_type', type: 'string' },
      { name: 'occurred_at', type: timestamp },
      { name: 'received_at', type: timestamp },
      { name: 'user_id', type: ['null', 'long'], default: null },
      { name: 'payload', type: payload },
    ],
  } as avro.Schema
}

interface CatalogFile {
  namespace: string
  eventTypes: Record<string, { requiresUserId?: boolean; versions: { version: number; id: number; payload: string }[] }>
}

function invalid(message: string, cause?: unknown): PipelineError {
  return new PipelineError('PIPELINE_CATALOG_INVALID', message, { cause })
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw invalid(`cannot read ${path}`, err)
  }
}

function checkCatalogFile(raw: unknown): CatalogFile {
  const file = raw as Partial<CatalogFile> | null
  if (file === null || typeof file !== 'object' || typeof file.namespace !== 'string' || typeof file.eventTypes !== 'object') {
    throw invalid('catalog.json must have a namespace and eventTypes')
  }
  for (const [name, entry] of Object.entries(file.eventTypes ?? {})) {
    if (!Array.isArray(entry.versions) || entry.versions.length === 0) throw invalid(`${name}: no versions`)
    for (const v of entry.versions) {
      if (!Number.isInteger(v.version) || !Number.isInteger(v.id) || typeof v.payload !== 'string') {
        throw invalid(`${name}: each version needs an integer version and id and a payload file`)
      }
    }
  }
  return file as CatalogFile
}

/**
 * Loads and checks the catalog: unique ids, increasing versions, and every version able to
 * read records written with the one before (new fields must be optional with defaults).
 */
export function loadCatalog(dir: string = SCHEMAS_DIR): Catalog {
  const file = checkCatalogFile(readJson(join(dir, 'catalog.json')))
  const byId = new Map<number, SchemaVersion>()
  const eventTypes = new Map<string, EventTypeEntry>()
  for (const [name, entry] of Object.entries(file.eventTypes)) {
    const versions: SchemaVersion[] = []
    for (const v of [...entry.versions].sort((a, b) => a.version - b.version)) {
      const schema = envelopeSchema(file.namespace, name, readJson(join(dir, v.payload)))
      let version: SchemaVersion
      try {
        version = schemaVersion(name, v.version, v.id, schema)
      } catch (err) {
        throw invalid(`${name} v${v.version}: ${(err as Error).message}`, err)
      }
      const previous = versions.at(-1)
      if (previous !== undefined) assertCanRead(version, previous)
      if (byId.has(v.id)) throw invalid(`schema id ${v.id} is used twice`)
      byId.set(v.id, version)
      versions.push(version)
    }
    const latest = versions.at(-1)
    if (latest === undefined) throw invalid(`${name}: no versions`)
    eventTypes.set(name, { name, requiresUserId: entry.requiresUserId === true, versions, latest })
  }
  return { eventTypes, byId: (id) => byId.get(id) }
}

/** Both parsed forms of one schema (avsc throws on an invalid one). */
function schemaVersion(eventType: string, version: number, id: number, schema: avro.Schema): SchemaVersion {
  return {
    eventType, version, id, schema,
    type: avro.Type.forSchema(schema, jsonOptions()),
    rawType: avro.Type.forSchema(schema, rawOptions()),
  }
}

export function assertCanRead(reader: SchemaVersion, writer: SchemaVersion): void {
  try {
    reader.rawType.createResolver(writer.rawType)
  } catch (err) {
    throw invalid(
      `${reader.eventType} v${reader.version} cannot read v${writer.version} records: ` +
        'a new version may only add optional fields with defaults',
      err,
    )
  }
}

/**
 * A version for a writer schema found elsewhere (a schema registry): its record name must
 * match one of the catalog's event types, and the type's latest version must be able to read
 * it. Undefined when the name is not one of ours.
 */
export function rawVersionOf(catalog: Catalog, schema: avro.Schema, id: number): SchemaVersion | undefined {
  const full = schema as { name?: string; namespace?: string }
  for (const entry of catalog.eventTypes.values()) {
    const latest = entry.latest.schema as { name: string; namespace?: string }
    if (full.name === latest.name && (full.namespace ?? '') === (latest.namespace ?? '')) {
      const version = schemaVersion(entry.name, 0, id, schema)
      assertCanRead(entry.latest, version)
      return version
    }
  }
  return undefined
}
