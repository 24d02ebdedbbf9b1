/**
 * Requests to POST /events and POST /events/batch as fast-check cases: valid events (every
 * event type of the catalog) that are then mutated, field by field and byte by byte, and sent
 * with any content type, content encoding (gzip, broken gzip, unknown codings), extra headers,
 * an Authorization that is right, missing or garbage, at sizes around the body limit.
 * `buildRequest` turns a case into the bytes on the wire and what the server should see.
 */
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import {
  byteMutation, hostileHeaderValue, hostileJson, hostileKey, hostileNumber, hostileString, mutateBytes, nest, unstorableString, type ByteMutation,
} from '../../../lib/test/fuzz/hostile.js'
import { fromPlain, JsonObject, RawJson, toJsonText, type JsonTree } from '../../../lib/test/fuzz/json-text.js'
import type { FuzzRequest } from '../../../lib/test/fuzz/target.js'

export interface CaseOptions {
  readonly maxBatchEvents: number
  /** Services of the valid events (live runs mark theirs). */
  readonly service: fc.Arbitrary<string>
  readonly userId: fc.Arbitrary<number>
}

type Mutation =
  | { readonly kind: 'delete'; readonly at: number; readonly key: string }
  | { readonly kind: 'set'; readonly at: number; readonly inPayload: boolean; readonly key: string; readonly value: JsonTree }
  | { readonly kind: 'replace'; readonly at: number; readonly value: JsonTree }

export type Encoding = 'none' | 'identity' | 'gzip' | 'GZip' | 'gzip, identity' | 'not-gzip' | 'gzip-cut' | 'gzip-twice' | 'gzip-inside-gzip' | 'bomb' | string

export type Auth = { readonly kind: 'valid' } | { readonly kind: 'missing' } | { readonly kind: 'other'; readonly value: string }

export interface EventCase {
  readonly route: '/events' | '/events/batch'
  readonly events: readonly JsonObject[]
  readonly withIds: readonly boolean[]
  readonly mutations: readonly Mutation[]
  /** Batch only: the body around the events. */
  readonly wrapper: 'events' | 'extra-key' | 'not-an-array' | 'empty' | 'too-many' | { readonly value: JsonTree }
  /** Bytes from the body limit (negative: under it), padded with JSON whitespace. */
  readonly sizeDelta: number | undefined
  readonly bytes: ByteMutation | undefined
  readonly encoding: Encoding
  readonly contentType: string | undefined
  readonly headers: readonly (readonly [string, string])[]
  readonly auth: Auth
}

const ENVELOPE = ['event_id', 'service', 'event_type', 'occurred_at', 'user_id', 'payload'] as const
const plainKey = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__' && k !== 'constructor')

const rfc3339 = fc.tuple(
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
  fc.constantFrom('', '.1', '.123456', '.123456789'),
  fc.constantFrom('Z', 'z', '+00:00', '+05:30', '-11:00'),
).map(([d, fraction, zone]) => `${d.toISOString().slice(0, 19)}${fraction}${zone}`)

function validEvent(o: CaseOptions): fc.Arbitrary<JsonObject> {
  const trx = { trx_id: fc.string({ minLength: 1, maxLength: 16 }), amount: fc.integer({ min: 1, max: 1e12 }), currency: fc.constantFrom('EUR', 'USD'), category: fc.constantFrom('groceries', 'books', 'travel'), merchant: fc.string({ maxLength: 16 }) }
  const typed = fc.oneof(
    fc.record({ event_type: fc.constant('generic'), payload: fc.dictionary(plainKey, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), user_id: fc.option(o.userId, { nil: undefined }) }, { requiredKeys: ['event_type', 'payload'] }),
    fc.record({ event_type: fc.constant('trx.created'), payload: fc.record(trx), user_id: o.userId }),
    fc.record({ event_type: fc.constant('trx.refunded'), payload: fc.record({ ...trx, reason: fc.option(fc.string({ maxLength: 16 })) }, { requiredKeys: Object.keys(trx) as (keyof typeof trx)[] }), user_id: o.userId }),
  )
  return fc.tuple(o.service, typed, fc.option(rfc3339, { nil: undefined })).map(([service, t, occurredAt]) =>
    new JsonObject([
      ['service', service],
      ['event_type', t.event_type],
      ...(occurredAt === undefined ? [] : [['occurred_at', occurredAt] as const]),
      ...(t.user_id === undefined ? [] : [['user_id', t.user_id] as const]),
      ['payload', fromPlain(t.payload)],
    ]))
}

/** Values that are nearly right for one envelope field: the edges validators get wrong. */
const nearlyRight: Readonly<Record<(typeof ENVELOPE)[number], fc.Arbitrary<JsonTree>>> = {
  event_id: fc.oneof(
    fc.uuid().map((u) => u.toUpperCase()), fc.uuid().map((u) => `urn:uuid:${u}`), fc.uuid().map((u) => `{${u}}`), fc.uuid().map((u) => u.replaceAll('-', '')),
    fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'g0000000-0000-0000-0000-000000000000', ''),
  ),
  service: fc.oneof(fc.constantFrom('', 'x'.repeat(128), 'x'.repeat(129), 'a b', 'a/b', 'é', 'svc\u0000', 'svc\n'), unstorableString),
  event_type: fc.constantFrom('GENERIC', 'generic ', ' generic', 'generic\u0000', 'trx', 'trx.created.v1', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''),
  occurred_at: fc.constantFrom('2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2016-12-31T23:59:60Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999Z', '9999-12-31T23:59:59-23:59',
    '2026-01-01T00:00:00+0100', '2026-01-01T00:00:00', '2026-01-01', '2026-01-01 00:00:00Z', '+275760-09-13T00:00:00Z', '1969-12-31T23:59:59.999999Z', 'now'),
  user_id: fc.oneof(hostileNumber, fc.constantFrom<JsonTree>(0, -1, 1.5, '1', '12345', true, null, new RawJson('1.0'), new RawJson('1e0'), new RawJson('9007199254740992'))),
  payload: fc.oneof(hostileJson, fc.constantFrom<JsonTree>(null, [], 'x', 1, new JsonObject([]))),
}

const mutation = (events: number): fc.Arbitrary<Mutation> => fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(events - 1), key: fc.constantFrom(...ENVELOPE) }), weight: 2 },
  {
    arbitrary: fc.constantFrom(...ENVELOPE).chain((key) => fc.record({ kind: fc.constant('set' as const), at: fc.nat(events - 1), inPayload: fc.constant(false), key: fc.constant(key), value: nearlyRight[key] })),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(events - 1), inPayload: fc.boolean(), key: hostileKey, value: hostileJson }), weight: 4 },
  {
    // Known fields of record payloads, with values of the wrong kind or past what Avro holds.
    arbitrary: fc.record({
      kind: fc.constant('set' as const), at: fc.nat(events - 1), inPayload: fc.constant(true),
      key: fc.constantFrom('trx_id', 'amount', 'currency', 'merchant', 'reason'), value: fc.oneof(hostileNumber, hostileString, fc.constantFrom<JsonTree>(null, true, [], new JsonObject([['string', 'x']]))),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(events - 1), value: hostileJson }), weight: 1 },
  // Deep payloads at the limit and just past it.
  {
    arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(events - 1), inPayload: fc.constant(true), key: fc.constant('deep'), value: fc.tuple(fc.integer({ min: 29, max: 33 }), fc.boolean()).map(([d, a]) => nest(d, 1, a)) }),
    weight: 1,
  },
)

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { arbitrary: fc.constant('none'), weight: 30 },
  { arbitrary: fc.constantFrom('identity', 'gzip', 'GZip', 'gzip, identity'), weight: 12 },
  { arbitrary: fc.constantFrom('not-gzip', 'gzip-cut', 'gzip-twice', 'gzip-inside-gzip', 'bomb'), weight: 6 },
  { arbitrary: fc.constantFrom('br', 'deflate', 'compress', 'x-gzip', 'gzip;q=1', 'gzip,', ',', '*', 'identity, gzip, gzip'), weight: 3 },
  { arbitrary: hostileHeaderValue, weight: 1 },
)

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 30 },
  { arbitrary: fc.constantFrom('application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=latin1', 'application/json ; x=y'), weight: 6 },
  {
    arbitrary: fc.constantFrom(undefined, '', 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/problem+json',
      'application/vnd.api+json', 'application/json-patch+json', 'application/jsonx', 'application/json, text/plain', '*/*', 'application/*', 'application'),
    weight: 4,
  },
  { arbitrary: hostileHeaderValue, weight: 1 },
)

/**
 * Extra headers. Framing headers take values that never leave a server waiting for bytes that
 * will not come (a Content-Length above the body's would hold the request until its timeout).
 */
const header: fc.Arbitrary<readonly [string, string]> = fc.oneof(
  fc.tuple(fc.constantFrom('x-fuzz', 'accept', 'accept-encoding', 'expect', 'x-forwarded-for', 'user-agent', 'cookie', 'x-request-id', 'connection', 'te', 'trailer', 'upgrade'),
    fc.oneof(hostileHeaderValue, fc.constantFrom('100-continue', 'close', 'keep-alive, upgrade', 'h2c', 'trailers'))),
  // Values Node's parser refuses ('-1', '1, 2') never reach inject(), which has none: those are the integration tests'.
  fc.tuple(fc.constant('content-length'), fc.constantFrom('0', '99999999999')),
  fc.tuple(fc.constant('transfer-encoding'), fc.constantFrom('chunked', 'gzip, chunked', 'chunked, gzip', 'gzip', 'identity', 'chunked, chunked', 'x', '')),
)

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'valid' as const }), weight: 20 },
  { arbitrary: fc.constant({ kind: 'missing' as const }), weight: 1 },
  {
    arbitrary: fc.oneof(hostileHeaderValue, fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`), fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x', 'Bearer  x'))
      .map((value) => ({ kind: 'other' as const, value })),
    weight: 2,
  },
)

export function eventCase(route: EventCase['route'], o: CaseOptions): fc.Arbitrary<EventCase> {
  const count = route === '/events' ? fc.constant(1) : fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 9 }, { arbitrary: fc.integer({ min: 1, max: o.maxBatchEvents }), weight: 1 })
  return count.chain((n) => fc.record({
    route: fc.constant(route),
    events: fc.array(validEvent(o), { minLength: n, maxLength: n }),
    withIds: fc.array(fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }), { minLength: n, maxLength: n }),
    mutations: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.array(mutation(n), { minLength: 1, maxLength: 3 }), weight: 4 }),
    wrapper: route === '/events'
      ? fc.constant('events' as const)
      : fc.oneof(
        { arbitrary: fc.constant('events' as const), weight: 20 },
        { arbitrary: fc.constantFrom('extra-key' as const, 'not-an-array' as const, 'empty' as const, 'too-many' as const), weight: 3 },
        { arbitrary: hostileJson.map((value) => ({ value })), weight: 1 },
      ),
    sizeDelta: fc.oneof({ arbitrary: fc.constant(undefined), weight: 30 }, { arbitrary: fc.integer({ min: -64, max: 64 }), weight: 1 }),
    bytes: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: byteMutation, weight: 1 }),
    encoding,
    contentType,
    headers: fc.oneof({ arbitrary: fc.constant([]), weight: 4 }, { arbitrary: fc.array(header, { minLength: 1, maxLength: 2 }), weight: 1 }),
    auth,
  }))
}

function apply(event: JsonObject, m: Exclude<Mutation, { kind: 'replace' }>): JsonTree {
  if (m.kind === 'delete') return event.without(m.key)
  if (!m.inPayload) return event.with(m.key, m.value)
  const payload = event.get('payload')
  return event.with('payload', payload instanceof JsonObject ? payload.with(m.key, m.value) : new JsonObject([[m.key, m.value]]))
}

export interface BuiltRequest {
  readonly request: FuzzRequest
  /** The ids the case gave its events (before mutations), in order. */
  readonly ids: readonly string[]
  /** The body before any content encoding. */
  readonly json: Buffer
  /** Nothing but the events may be wrong: valid JSON, a JSON content type, readable encoding, within the limits, the right key. */
  readonly clean: boolean
}

export interface BuildOptions {
  readonly bodyLimit: number
  readonly maxBatchEvents: number
  readonly newId: () => string
  /** The key to send, once producer-api requires one; undefined: no Authorization. */
  readonly writerKey: string | undefined
}

export function buildRequest(c: EventCase, o: BuildOptions): BuiltRequest {
  const ids: string[] = []
  let events: JsonTree[] = c.events.map((e, i) => {
    if (c.withIds[i] !== true) return e
    const id = o.newId()
    ids.push(id)
    return new JsonObject([['event_id', id], ...e.entries])
  })
  for (const m of c.mutations) {
    const at = m.at % events.length
    events = events.map((e, i) => (i !== at ? e : m.kind === 'replace' ? m.value : e instanceof JsonObject ? apply(e, m) : e))
  }
  let body: JsonTree
  if (c.route === '/events') body = events[0] ?? null
  else if (c.wrapper === 'events') body = new JsonObject([['events', events]])
  else if (c.wrapper === 'extra-key') body = new JsonObject([['events', events], ['more', 1]])
  else if (c.wrapper === 'not-an-array') body = new JsonObject([['events', events[0] ?? null]])
  else if (c.wrapper === 'empty') body = new JsonObject([['events', []]])
  else if (c.wrapper === 'too-many') body = new JsonObject([['events', Array.from({ length: o.maxBatchEvents + 1 }, (_, i) => events[i % events.length] ?? null)]])
  else body = c.wrapper.value
  let json: Buffer = Buffer.from(toJsonText(body))
  // Padding with spaces keeps the JSON what it was: only its size moves across the limit.
  if (c.sizeDelta !== undefined) json = Buffer.concat([json, Buffer.alloc(Math.max(0, o.bodyLimit + c.sizeDelta - json.length), ' ')])
  if (c.bytes !== undefined) json = mutateBytes(json, c.bytes)
  const { wire, header } = encode(json, c.encoding, o.bodyLimit)
  const headers: Record<string, string | string[]> = {}
  if (c.contentType !== undefined) headers['content-type'] = c.contentType
  if (header !== undefined) headers['content-encoding'] = header
  if (o.writerKey !== undefined && c.auth.kind === 'valid') headers['authorization'] = `Bearer ${o.writerKey}`
  if (c.auth.kind === 'other') headers['authorization'] = c.auth.value
  for (const [name, value] of c.headers) headers[name] = name in headers ? [headers[name] ?? [], value].flat() : value
  const clean = c.bytes === undefined && c.headers.length === 0 && c.auth.kind === 'valid' && c.wrapper === 'events'
    && (c.contentType === 'application/json' || c.contentType === 'application/json; charset=utf-8')
    && ['none', 'identity', 'gzip', 'GZip', 'gzip, identity'].includes(c.encoding) && json.length <= o.bodyLimit
  return { request: { method: 'POST', url: c.route, headers, body: wire }, ids, json, clean }
}

function encode(json: Buffer, e: Encoding, bodyLimit: number): { wire: Buffer; header: string | undefined } {
  switch (e) {
    case 'none':
      return { wire: json, header: undefined }
    case 'gzip':
    case 'GZip':
    case 'gzip, identity':
      return { wire: gzipSync(json), header: e }
    case 'not-gzip':
      return { wire: json, header: 'gzip' }
    case 'gzip-cut': {
      const zipped = gzipSync(json)
      return { wire: zipped.subarray(0, Math.max(1, zipped.length - 1 - (json.length % 9))), header: 'gzip' }
    }
    case 'gzip-twice':
      return { wire: gzipSync(gzipSync(json)), header: 'gzip, gzip' }
    case 'gzip-inside-gzip':
      return { wire: gzipSync(gzipSync(json)), header: 'gzip' }
    case 'bomb':
      // Valid JSON once inflated, four times the limit: 413 without inflating it whole.
      return { wire: gzipSync(Buffer.concat([json, Buffer.alloc(4 * bodyLimit, ' ')])), header: 'gzip' }
    default:
      return { wire: e === 'identity' ? json : gzipSync(json), header: e }
  }
}
