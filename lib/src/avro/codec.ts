/**
 * Confluent wire format: byte 0 = 0 (magic), bytes 1–4 = schema id (big-endian int32),
 * then the Avro binary body. Tools that speak a schema registry decode it as is.
 */
import type avro from 'avsc'
import { PipelineError } from '../errors.js'
import type { Catalog, SchemaVersion } from './catalog.js'

export const MAGIC_BYTE = 0
export const HEADER_BYTES = 5

/** An event as it travels in the log (see the envelope in catalog.ts). */
export interface EventRecord {
  readonly event_id: string
  readonly service: string
  readonly event_type: string
  /** Microseconds since the epoch. */
  readonly occurred_at: number
  readonly received_at: number
  readonly user_id: number | null
  /** Decoded with the raw types: JSON text for `json` payloads, an object for records. */
  readonly payload: unknown
}

export function encodeRecord(version: SchemaVersion, value: EventRecord): Buffer {
  const body = version.type.toBuffer(value)
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length)
  out.writeUInt8(MAGIC_BYTE, 0)
  out.writeInt32BE(version.id, 1)
  body.copy(out, HEADER_BYTES)
  return out
}

export interface Decoded {
  readonly version: SchemaVersion
  /** The latest version of the event type: what the record was resolved to. */
  readonly readAs: SchemaVersion
  readonly value: EventRecord
}

export interface Decoder {
  /** Looks up the schema ids of `values` that neither the catalog nor earlier look-ups know. */
  prepare(values: readonly (Buffer | null)[]): Promise<void>
  decode(buffer: Buffer | null): Decoded
}

/** Finds the writer version of an id the catalog lacks (a schema registry); undefined: unknown. */
export type ResolveId = (id: number) => Promise<SchemaVersion | undefined>

/** Decodes with the writer's schema (from the id) resolved to the latest version of its type. */
export function createDecoder(catalog: Catalog, resolveId?: ResolveId): Decoder {
  const resolvers = new Map<number, avro.Resolver | null>()
  // Writer versions learnt from the registry; undefined = the registry does not know the id.
  const learnt = new Map<number, SchemaVersion | undefined>()
  const versionOf = (id: number) => catalog.byId(id) ?? learnt.get(id)

  function resolverFor(writer: SchemaVersion, reader: SchemaVersion): avro.Resolver | null {
    let resolver = resolvers.get(writer.id)
    if (resolver === undefined) {
      resolver = writer === reader ? null : reader.rawType.createResolver(writer.rawType)
      resolvers.set(writer.id, resolver)
    }
    return resolver
  }

  return {
    async prepare(values) {
      if (resolveId === undefined) return
      const ids = new Set<number>()
      for (const v of values) {
        if (v === null || v.length < HEADER_BYTES || v.readUInt8(0) !== MAGIC_BYTE) continue
        const id = v.readInt32BE(1)
        if (catalog.byId(id) === undefined && !learnt.has(id)) ids.add(id)
      }
      for (const id of ids) learnt.set(id, await resolveId(id))
    },

    decode(buffer) {
      if (buffer === null || buffer.length < HEADER_BYTES) {
        throw new PipelineError('PIPELINE_RECORD_UNDECODABLE', 'value is shorter than the 5-byte wire-format header')
      }
      if (buffer.readUInt8(0) !== MAGIC_BYTE) {
        throw new PipelineError('PIPELINE_RECORD_UNDECODABLE', `unknown magic byte ${buffer.readUInt8(0)}`)
      }
      const id = buffer.readInt32BE(1)
      const version = versionOf(id)
      if (version === undefined) throw new PipelineError('PIPELINE_SCHEMA_UNKNOWN', `unknown schema id ${id}`)
      const readAs = catalog.eventTypes.get(version.eventType)?.latest ?? version
      try {
        const resolver = resolverFor(version, readAs)
        const body = buffer.subarray(HEADER_BYTES)
        const value = (resolver === null ? readAs.rawType.fromBuffer(body) : readAs.rawType.fromBuffer(body, resolver)) as EventRecord
        return { version, readAs, value }
      } catch (err) {
        throw new PipelineError('PIPELINE_RECORD_UNDECODABLE', `avro body does not match schema id ${id}: ${(err as Error).message}`, { cause: err })
      }
    },
  }
}
