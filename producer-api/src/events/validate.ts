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
  | { readonly ok: false; readonly errors: readonly FieldError[] }

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

function avroErrors(type: avro.Type, value: unknown): FieldError[] {
  const errors: FieldError[] = []
  // First pass: wrong and missing values, everywhere.
  type.isValid(value, {
    errorHook(path, any, t) {
      const expected = t.typeName === 'logical:json' ? 'a JSON object' : `${t.typeName}${t.name ? ` ${t.name}` : ''}`
      errors.push({ path: `/${path.join('/')}`, message: `expected ${expected}, got ${describe(any)}` })
    },
  })
  // Second pass: fields the schema does not declare (avsc would drop them silently).
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook(path, any, t) {
      if (t.typeName !== 'record' || any === null || typeof any !== 'object') return
      const declared = new Set((t as avro.types.RecordType).fields.map((f) => f.name))
      for (const k of Object.keys(any)) {
        if (!declared.has(k)) errors.push({ path: `/${[...path, k].join('/')}`, message: 'unknown field' })
      }
    },
  })
  return errors
}

/** Postgres jsonb refuses \u0000 and unpaired surrogates: find them before the broker has them. */
export function findUnstorableText(value: unknown, path = ''): FieldError | undefined {
  const check = (s: string, where: string): FieldError | undefined => {
    if (s.includes('\u0000')) return { path: where || '/', message: 'contains \\u0000, which Postgres cannot store' }
    if (!s.isWellFormed()) return { path: where || '/', message: 'contains an unpaired UTF-16 surrogate' }
    return undefined
  }
  if (typeof value === 'string') return check(value, path)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}/${i}`)
      if (found) return found
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = check(k, `${path}/${k}`) ?? findUnstorableText(v, `${path}/${k}`)
      if (found) return found
    }
  }
  return undefined
}

export function createEventValidator(catalog: Catalog): EventValidator {
  const ajv = new Ajv({ allErrors: true, strict: true })
  addFormats(ajv, ['uuid', 'date-time'])
  const checkEnvelope = ajv.compile<EventInput>(eventSchema)

  return (input, receivedAtMicros) => {
    if (!checkEnvelope(input)) return { ok: false, errors: ajvErrors(checkEnvelope.errors ?? []) }
    const entry = catalog.eventTypes.get(input.event_type)
    if (entry === undefined) {
      return { ok: false, errors: [{ path: '/event_type', message: `unknown event type "${input.event_type}"` }] }
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
    const unstorable = findUnstorableText(input.payload, '/payload')
    if (unstorable) errors.push(unstorable)
    const record: EventRecord = {
      event_id: input.event_id?.toLowerCase() ?? newEventId(),
      service: input.service,
      event_type: input.event_type,
      occurred_at: occurredAt,
      received_at: receivedAtMicros,
      user_id: input.user_id ?? null,
      payload: input.payload,
    }
    // One quick check for the common case; the error-collecting passes only for a bad payload.
    if (errors.length === 0 && !entry.latest.type.isValid(record, { noUndeclaredFields: true })) {
      const found = avroErrors(entry.latest.type, record)
      errors.push(...(found.length > 0 ? found : [{ path: '/payload', message: `does not match the schema of ${entry.name}` }]))
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, record, version: entry.latest }
  }
}
