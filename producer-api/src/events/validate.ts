/**
 * Judges one event: envelope by JSON schema, payload by the Avro schema of its type, and
 * the text itself for what Postgres jsonb cannot store (NUL, lone surrogates). Returns the
 * record to encode, or every error found, never throws for bad input.
 */
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type avro from 'avsc'
import type { Catalog, SchemaVersion } from '../../../lib/src/avro/catalog.js'
import type { EventRecord } from '../../../lib/src/avro/codec.js'
import type { FieldError } from '../../../lib/src/errors.js'
import { newEventId } from '../../../lib/src/ids.js'
import { parseRfc3339Micros } from '../../../lib/src/time.js'
import { eventSchema, type EventInput } from './envelope.js'

export type Judgement =
  | { readonly ok: true; readonly record: EventRecord; readonly version: SchemaVersion }
  | { readonly ok: false; readonly code: RejectionCode; readonly errors: readonly FieldError[] }

/** Why an event is refused: its errors say where. */
export type RejectionCode = 'PIPELINE_EVENT_INVALID' | 'PIPELINE_PAYLOAD_TOO_DEEP'

export type EventValidator = (input: unknown, receivedAtMicros: number) => Judgement

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

function ajvErrors(errors: readonly ErrorObject[]): FieldError[] {
  return errors.map((e) => {
    if (e.keyword === 'additionalProperties') {
      return { path: `${e.instancePath}/${String(e.params.additionalProperty)}`, message: 'unknown field' }
    }
    if (e.keyword === 'required') {
      return { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' }
    }
    return { path: e.instancePath === '' ? '/' : e.instancePath, message: e.message ?? 'is invalid' }
  })
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Wrong and missing values, everywhere (unknown fields: undeclaredFields). */
function avroErrors(type: avro.Type, value: unknown): FieldError[] {
  const errors: FieldError[] = []
  type.isValid(value, {
    errorHook(path, any, t) {
      const expected = t.typeName === 'logical:json' ? 'a JSON object' : `${t.typeName}${t.name ? ` ${t.name}` : ''}`
      errors.push({ path: `/${path.join('/')}`, message: `expected ${expected}, got ${describe(any)}` })
    },
  })
  return errors
}

const declaredNames = new WeakMap<avro.Type, ReadonlySet<string>>()

/**
 * Fields a record schema does not declare, at any depth (avsc would drop them silently when
 * encoding). Not avsc's noUndeclaredFields: it looks the names up in a plain object, so that
 * `constructor`, `toString` and the other names of Object.prototype pass as declared.
 */
function undeclaredFields(type: avro.Type, value: unknown, path: string, out: FieldError[]): void {
  if (value === null || typeof value !== 'object') return
  if (type.typeName === 'record') {
    const { fields } = type as avro.types.RecordType
    let names = declaredNames.get(type)
    if (names === undefined) declaredNames.set(type, names = new Set(fields.map((f) => f.name)))
    for (const k of Object.keys(value)) if (!names.has(k)) out.push({ path: `${path}/${k}`, message: 'unknown field' })
    for (const f of fields) undeclaredFields(f.type, (value as Readonly<Record<string, unknown>>)[f.name], `${path}/${f.name}`, out)
  } else if (type.typeName === 'array' && Array.isArray(value)) {
    const items = (type as avro.types.ArrayType).itemsType
    value.forEach((v: unknown, i) => undeclaredFields(items, v, `${path}/${i}`, out))
  } else if (type.typeName === 'map') {
    const values = (type as avro.types.MapType).valuesType
    for (const [k, v] of Object.entries(value)) undeclaredFields(values, v, `${path}/${k}`, out)
  } else if (type.typeName === 'union:unwrapped') {
    const branch = (type as avro.types.UnwrappedUnionType).types.find((t) => t.typeName === 'record' || t.typeName === 'array' || t.typeName === 'map')
    if (branch !== undefined) undeclaredFields(branch, value, path, out)
  }
}

/** The default of PAYLOAD_MAX_DEPTH: how deeply a payload may nest (the payload object is level 1). */
export const DEFAULT_PAYLOAD_MAX_DEPTH = 32
/** The most PAYLOAD_MAX_DEPTH may be: the walks below, JSON.stringify and Postgres' jsonb all recurse. */
export const PAYLOAD_MAX_DEPTH_CEILING = 1000

export type PayloadProblem =
  | { readonly code: 'PIPELINE_PAYLOAD_TOO_DEEP'; readonly error: FieldError }
  | { readonly code: 'PIPELINE_EVENT_INVALID'; readonly error: FieldError }

interface Found {
  readonly code: PayloadProblem['code']
  readonly message: string
  /** Innermost segment first (filled in on the way back up). */
  readonly segments: string[]
}

const unstorable = (s: string): string | undefined => {
  if (s.includes('\u0000')) return 'contains \\u0000, which Postgres cannot store'
  if (!s.isWellFormed()) return 'contains an unpaired UTF-16 surrogate'
  return undefined
}

/** Depth-bounded: never more than maxDepth + 1 frames, whatever the client sent. */
function walk(value: unknown, depth: number, maxDepth: number): Found | undefined {
  if (typeof value === 'string') {
    const message = unstorable(value)
    return message === undefined ? undefined : { code: 'PIPELINE_EVENT_INVALID', message, segments: [] }
  }
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would write as null: refused, not changed.
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { code: 'PIPELINE_EVENT_INVALID', message: 'is a number beyond what a double holds (about ±1.8e308)', segments: [] }
  }
  if (value === null || typeof value !== 'object') return undefined
  if (depth > maxDepth) {
    return { code: 'PIPELINE_PAYLOAD_TOO_DEEP', message: `is nested more than ${maxDepth} levels deep (PAYLOAD_MAX_DEPTH)`, segments: [] }
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], depth + 1, maxDepth)
      if (found) {
        found.segments.push(String(i))
        return found
      }
    }
    return undefined
  }
  for (const [k, v] of Object.entries(value)) {
    const keyMessage = unstorable(k)
    const found = keyMessage === undefined
      ? walk(v, depth + 1, maxDepth)
      : { code: 'PIPELINE_EVENT_INVALID' as const, message: keyMessage, segments: [] }
    if (found) {
      found.segments.push(k)
      return found
    }
  }
  return undefined
}

/**
 * The first thing in a payload that must not reach the broker: nesting deeper than maxDepth
 * (the payload object is level 1), text Postgres jsonb refuses (\u0000, unpaired
 * surrogates), or a number JSON.parse could only read as ±Infinity (it would be stored as null). Runs before anything that recurses over the payload (avsc's json type,
 * JSON.stringify), so that those only ever see bounded depth.
 */
export function findPayloadProblem(value: unknown, path: string, maxDepth: number): PayloadProblem | undefined {
  const found = walk(value, 1, maxDepth)
  if (found === undefined) return undefined
  const where = found.segments.length === 0 ? path : `${path}/${found.segments.reverse().join('/')}`
  return { code: found.code, error: { path: where || '/', message: found.message } }
}

/** Postgres jsonb refuses \u0000 and unpaired surrogates: find them before the broker has them. */
export function findUnstorableText(value: unknown, path = '', maxDepth = DEFAULT_PAYLOAD_MAX_DEPTH): FieldError | undefined {
  return findPayloadProblem(value, path, maxDepth)?.error
}

export interface EventValidatorOptions {
  /** PAYLOAD_MAX_DEPTH */
  readonly maxPayloadDepth?: number
}

export function createEventValidator(catalog: Catalog, options: EventValidatorOptions = {}): EventValidator {
  const maxDepth = options.maxPayloadDepth ?? DEFAULT_PAYLOAD_MAX_DEPTH
  if (!(Number.isSafeInteger(maxDepth) && maxDepth >= 1 && maxDepth <= PAYLOAD_MAX_DEPTH_CEILING)) {
    throw new RangeError(`maxPayloadDepth must be an integer in [1, ${PAYLOAD_MAX_DEPTH_CEILING}], got ${maxDepth}`)
  }
  const invalid = (errors: readonly FieldError[]): Judgement => ({ ok: false, code: 'PIPELINE_EVENT_INVALID', errors })
  const ajv = new Ajv({ allErrors: true, strict: true })
  addFormats(ajv, ['uuid', 'date-time'])
  const checkEnvelope = ajv.compile<EventInput>(eventSchema)

  return (input, receivedAtMicros) => {
    // The envelope schema is flat: ajv checks the payload's type only, never walks into it.
    if (!checkEnvelope(input)) return invalid(ajvErrors(checkEnvelope.errors ?? []))
    // Before anything that recurses over the payload: a too-deep payload is refused as such.
    const problem = findPayloadProblem(input.payload, '/payload', maxDepth)
    if (problem?.code === 'PIPELINE_PAYLOAD_TOO_DEEP') return { ok: false, code: problem.code, errors: [problem.error] }
    const entry = catalog.eventTypes.get(input.event_type)
    if (entry === undefined) {
      return invalid([{ path: '/event_type', message: `unknown event type "${input.event_type}"` }])
    }
    const errors: FieldError[] = []
    if (entry.requiresUserId && input.user_id === undefined) {
      errors.push({ path: '/user_id', message: `is required for ${entry.name}` })
    }
    let occurredAt = receivedAtMicros
    if (input.occurred_at !== undefined) {
      const parsed = parseRfc3339Micros(input.occurred_at)
      if (parsed === undefined) errors.push({ path: '/occurred_at', message: 'must be an RFC 3339 date-time' })
      else occurredAt = parsed
    }
    if (problem) errors.push(problem.error)
    const record: EventRecord = {
      event_id: input.event_id?.toLowerCase() ?? newEventId(),
      service: input.service,
      event_type: input.event_type,
      occurred_at: occurredAt,
      received_at: receivedAtMicros,
      user_id: input.user_id ?? null,
      payload: input.payload,
    }
    if (errors.length === 0) {
      const unknown: FieldError[] = []
      undeclaredFields(entry.latest.type, record, '', unknown)
      // One quick check for the common case; the error-collecting pass only for a bad payload.
      if (unknown.length > 0 || !entry.latest.type.isValid(record)) {
        const found = [...avroErrors(entry.latest.type, record), ...unknown]
        errors.push(...(found.length > 0 ? found : [{ path: '/payload', message: `does not match the schema of ${entry.name}` }]))
      }
    }
    return errors.length > 0 ? invalid(errors) : { ok: true, record, version: entry.latest }
  }
}
