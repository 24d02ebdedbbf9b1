/**
 * A Confluent-compatible schema registry (Redpanda's, Confluent's, Apicurio's ccompat API):
 * producer-api and the consumer register or look up each catalog version at start and use
 * the registry's ids in the wire format; the consumer resolves ids it does not know (written
 * by another producer) through it. Subjects follow TopicRecordNameStrategy,
 * `<topic>-<record full name>`, since one topic carries several record types.
 */
import avro from 'avsc'
import { PipelineError } from '../errors.js'
import type { Catalog, EventTypeEntry, SchemaVersion } from './catalog.js'
import { rawVersionOf } from './catalog.js'

export interface SchemaRegistry {
  /** Registers the schema under the subject (idempotent) and returns its global id. */
  register(subject: string, schema: avro.Schema): Promise<number>
  /** The schema text of an id, or undefined if the registry does not know it. */
  schemaById(id: number): Promise<avro.Schema | undefined>
}

export function createSchemaRegistry(baseUrl: string, timeoutMs = 5000): SchemaRegistry {
  const base = baseUrl.replace(/\/$/, '')
  async function call(path: string, init?: RequestInit): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    } catch (err) {
      throw new PipelineError('PIPELINE_SCHEMA_REGISTRY_UNAVAILABLE', `schema registry ${base} unreachable: ${(err as Error).message}`, { cause: err })
    }
  }
  return {
    async register(subject, schema) {
      const res = await call(`/subjects/${encodeURIComponent(subject)}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(schema), schemaType: 'AVRO' }),
      })
      const body = (await res.json().catch(() => ({}))) as { id?: unknown; message?: string }
      if (!res.ok || typeof body.id !== 'number') {
        throw new PipelineError('PIPELINE_CATALOG_INVALID', `schema registry refused ${subject}: ${res.status} ${body.message ?? ''}`)
      }
      return body.id
    },
    async schemaById(id) {
      const res = await call(`/schemas/ids/${id}`)
      if (res.status === 404) return undefined
      const body = (await res.json().catch(() => ({}))) as { schema?: unknown }
      if (!res.ok || typeof body.schema !== 'string') throw new PipelineError('PIPELINE_SCHEMA_REGISTRY_UNAVAILABLE', `schema registry answered ${res.status} for id ${id}`)
      return JSON.parse(body.schema) as avro.Schema
    },
  }
}

export function subjectFor(topic: string, version: SchemaVersion): string {
  const schema = version.schema as { name: string; namespace?: string }
  return `${topic}-${schema.namespace ? `${schema.namespace}.` : ''}${schema.name}`
}

/**
 * The catalog with the registry's ids in place of its own: every version is registered (or
 * found) under its subject. Fails if the registry refuses one (an incompatible change).
 */
export async function withRegistryIds(catalog: Catalog, registry: SchemaRegistry, topic: string): Promise<Catalog> {
  const byId = new Map<number, SchemaVersion>()
  const eventTypes = new Map<string, EventTypeEntry>()
  for (const entry of catalog.eventTypes.values()) {
    const versions: SchemaVersion[] = []
    for (const v of entry.versions) {
      const id = await registry.register(subjectFor(topic, v), v.schema)
      const resolved = { ...v, id }
      byId.set(id, resolved)
      versions.push(resolved)
    }
    const latest = versions.at(-1) ?? entry.latest
    eventTypes.set(entry.name, { ...entry, versions, latest })
  }
  return { eventTypes, byId: (id) => byId.get(id) }
}

/**
 * A writer version for an id the catalog does not know, from the registry: its record name
 * must be one of the catalog's event types (it is then read as that type's latest version).
 */
export async function versionFromRegistry(catalog: Catalog, registry: SchemaRegistry, id: number): Promise<SchemaVersion | undefined> {
  const schema = await registry.schemaById(id)
  if (schema === undefined) return undefined
  return rawVersionOf(catalog, schema, id)
}
