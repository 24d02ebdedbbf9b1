/**
 * What the fuzz properties of producer-api hold the answers to, written apart from the
 * validator: when an event is valid (DESIGN.md, HTTP API: the envelope, the payload against its
 * Avro schema, text Postgres can store), what the server saw of a body (inflated, strictly
 * UTF-8, JSON), and whether a produced record is the event as it was sent.
 */
import { gunzipSync } from 'node:zlib'
import type avro from 'avsc'
import type { Catalog } from '../../../lib/src/avro/catalog.js'
import type { Decoded } from '../../../lib/src/avro/codec.js'
import { parseRfc3339Micros } from '../../../lib/src/time.js'
import { sameJson } from '../../../lib/test/fuzz/json-text.js'
import { SERVICE_PATTERN } from '../../src/events/envelope.js'

/** A UUID in the one form Postgres' uuid type and every consumer reads (no urn:, no braces). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ENVELOPE_KEYS = new Set(['event_id', 'service', 'event_type', 'occurred_at', 'user_id', 'payload'])
const SERVICE = new RegExp(SERVICE_PATTERN)

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
/** The largest whole number avsc takes for an Avro long (2^53 − 2: one short of Number.MAX_SAFE_INTEGER). */
export const MAX_LONG = 2 ** 53 - 2
const isLong = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= MAX_LONG
const isPositiveId = (v: unknown): boolean => isLong(v) && v >= 1

/** Why a payload value cannot be stored as sent (depth counts the payload object as 1), or undefined. */
function unstorable(value: unknown, depth: number, maxDepth: number): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? 'NUL in text' : value.isWellFormed() ? undefined : 'lone surrogate in text'
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `number ${value} past a double`
  if (value === null || typeof value !== 'object') return undefined
  if (depth > maxDepth) return `nested deeper than ${maxDepth}`
  for (const [k, v] of Object.entries(value)) {
    const problem = (Array.isArray(value) ? undefined : unstorable(k, depth, maxDepth)) ?? unstorable(v, depth + 1, maxDepth)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** Fields of a record payload, their Avro type names; undefined for a `json` payload. */
function payloadFields(catalog: Catalog, eventType: string): ReadonlyMap<string, avro.Type> | undefined {
  const type = catalog.eventTypes.get(eventType)?.latest.rawType as avro.types.RecordType | undefined
  const payload = type?.fields.find((f) => f.name === 'payload')?.type
  if (payload === undefined || payload.typeName !== 'record') return undefined
  return new Map((payload as avro.types.RecordType).fields.map((f) => [f.name, f.type]))
}

function avroValueProblem(type: avro.Type, value: unknown): string | undefined {
  switch (type.typeName) {
    case 'string':
      return typeof value === 'string' ? undefined : 'not a string'
    case 'long':
    case 'int':
      return isLong(value) ? undefined : 'not a whole number within ±(2^53 − 2)'
    case 'union:unwrapped':
      return (type as avro.types.UnwrappedUnionType).types.some((t) => (t.typeName === 'null' ? value === null : avroValueProblem(t, value) === undefined))
        ? undefined : 'no branch of the union'
    default:
      return type.isValid(value) ? undefined : `not a ${type.typeName}`
  }
}

/** The limits of the producer-api under test (BODY_LIMIT_BYTES, BATCH_MAX_EVENTS, PAYLOAD_MAX_DEPTH). */
export interface ProducerLimits {
  readonly bodyLimit: number
  readonly maxBatchEvents: number
  readonly maxPayloadDepth: number
}

/** Why `event` (as JSON.parse reads it) is not a valid event, or undefined when it is. */
export function invalidEvent(event: unknown, catalog: Catalog, limits: Pick<ProducerLimits, 'maxPayloadDepth'>): string | undefined {
  if (!isObject(event)) return 'not an object'
  const unknown = Object.keys(event).find((k) => !ENVELOPE_KEYS.has(k))
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown)}`
  const { event_id: id, service, event_type: type, occurred_at: at, user_id: user, payload } = event
  if (id !== undefined && !(typeof id === 'string' && UUID.test(id))) return 'event_id is not a UUID'
  if (!(typeof service === 'string' && SERVICE.test(service))) return 'bad service'
  if (typeof type !== 'string' || !catalog.eventTypes.has(type)) return 'unknown event_type'
  if (at !== undefined && !(typeof at === 'string' && parseRfc3339Micros(at) !== undefined)) return 'occurred_at is not RFC 3339'
  if (user !== undefined && !isPositiveId(user)) return 'user_id is not a positive integer'
  if (catalog.eventTypes.get(type)?.requiresUserId === true && user === undefined) return `user_id is required for ${type}`
  if (!isObject(payload)) return 'payload is not an object'
  const problem = unstorable(payload, 1, limits.maxPayloadDepth)
  if (problem !== undefined) return `payload: ${problem}`
  const fields = payloadFields(catalog, type)
  if (fields === undefined) return undefined
  const extra = Object.keys(payload).find((k) => !fields.has(k))
  if (extra !== undefined) return `payload field ${JSON.stringify(extra)} is not in the schema`
  for (const [name, fieldType] of fields) {
    const value = Object.hasOwn(payload, name) ? payload[name] : undefined
    if (value === undefined && fieldType.typeName === 'union:unwrapped') continue // optional, null by default
    const bad = avroValueProblem(fieldType, value)
    if (bad !== undefined) return `payload field ${name}: ${bad}`
  }
  return undefined
}

/** The body as the JSON parser sees it: inflated when gzip, undefined when it cannot be read. */
export function inflated(wire: Buffer, contentEncoding: string | undefined): Buffer | undefined {
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity')
  if (codings.length === 0) return wire
  if (codings.length > 1 || codings[0] !== 'gzip') return undefined
  try {
    return gunzipSync(wire)
  } catch {
    return undefined
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/**
 * JSON of strictly UTF-8 text (a leading byte-order mark allowed), or undefined; also undefined
 * for a `__proto__` key, or a `constructor` holding a `prototype`, anywhere: Fastify refuses
 * such a body as malformed (prototype poisoning), and so does the contract.
 */
export function parseStrict(body: Buffer): { readonly value: unknown } | undefined {
  let text: string
  let value: unknown
  try {
    text = strictUtf8.decode(body)
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return /__proto__|constructor/.test(text) && poisoned(value) ? undefined : { value }
}

/** A `__proto__` key or a `constructor` with a `prototype` anywhere (a loop, not recursion: values may nest thousands deep). */
function poisoned(root: unknown): boolean {
  const stack = [root]
  for (let v = stack.pop(); v !== undefined || stack.length > 0; v = stack.pop()) {
    if (v === null || typeof v !== 'object') continue
    if (Object.hasOwn(v, '__proto__')) return true
    const ctor: unknown = Object.hasOwn(v, 'constructor') ? (v as Record<string, unknown>).constructor : undefined
    if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) return true
    stack.push(...Object.values(v))
  }
  return false
}

/** Whether `decoded` (a produced record) is `sent` as the client sent it; what differs, else undefined. */
export function keptAsSent(sent: Record<string, unknown>, decoded: Decoded, receivedAtMicros: number | undefined): string | undefined {
  const kept = decoded.value
  if (!UUID.test(kept.event_id) || kept.event_id !== kept.event_id.toLowerCase()) return `event_id ${kept.event_id} is not a lower-case UUID`
  if (typeof sent.event_id === 'string' && kept.event_id !== sent.event_id.toLowerCase()) return `event_id ${kept.event_id}, sent ${sent.event_id}`
  if (kept.service !== sent.service || kept.event_type !== sent.event_type) return 'service or event_type changed'
  if (kept.user_id !== (sent.user_id ?? null)) return `user_id ${kept.user_id}, sent ${String(sent.user_id)}`
  const at = typeof sent.occurred_at === 'string' ? parseRfc3339Micros(sent.occurred_at) : receivedAtMicros
  if (at !== undefined && kept.occurred_at !== at) return `occurred_at ${kept.occurred_at}, expected ${at}`
  let payload: unknown = kept.payload
  if (typeof payload === 'string') {
    if (/\\u0000/.test(payload) || !payload.isWellFormed()) return 'payload text Postgres cannot store'
    payload = JSON.parse(payload)
  }
  const expected = { ...(sent.payload as Record<string, unknown>) }
  // An optional field left out is kept as its default, null.
  if (isObject(payload)) for (const k of Object.keys(payload)) if (!Object.hasOwn(expected, k) && payload[k] === null) expected[k] = null
  return sameJson(expected, payload) ? undefined : `payload kept as ${JSON.stringify(payload)?.slice(0, 200)}`
}
