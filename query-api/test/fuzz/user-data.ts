/**
 * The fuzz property of GET /api/user-data, for inject() (unit, in-memory read model) and a live
 * query-api alike. Requests are signed right, forged (random, another user's, another time's,
 * the legacy scheme), replayed, stale or from the future, with hostile timestamps and user ids
 * (SQL metacharacters, numbers past 2^53, other digits), headers missing, repeated or padded.
 * Every answer is a 2xx or a coded 4xx problem (lib/test/fuzz/answer.ts), and:
 * - 200 or 404 only for a signature that is valid and fresh, and then always one of them;
 *   a valid one outside the skew is 401 PIPELINE_SIGNATURE_STALE, anything else 401;
 * - a 200 is the user asked for; the read model is only asked for that user, a positive integer.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { hmacSignature, legacySignature } from '../../../lib/src/signature.js'
import { byParser, isTransient, judge } from '../../../lib/test/fuzz/answer.js'
import { hostileHeaderValue } from '../../../lib/test/fuzz/hostile.js'
import type { FuzzProperty } from '../../../lib/test/fuzz/runner.js'
import { sendSettled, type FuzzRequest, type Settle, type Target } from '../../../lib/test/fuzz/target.js'

type TimestampCase =
  | { readonly kind: 'offset'; readonly unit: 's' | 'ms'; readonly offsetMs: number }
  | { readonly kind: 'text'; readonly text: string }

type SignCase = 'valid' | 'upper' | 'other-user' | 'other-time' | 'other-secret' | 'legacy' | 'random' | 'cut' | 'empty' | { readonly text: string }

const HEADERS = ['timestamp', 'user_id', 'sign'] as const

export interface ReadCase {
  readonly userId: { readonly kind: 'id'; readonly id: number } | { readonly kind: 'text'; readonly text: string }
  readonly timestamp: TimestampCase
  readonly sign: SignCase
  readonly missing: readonly (typeof HEADERS)[number][]
  readonly repeated: readonly (typeof HEADERS)[number][]
  readonly padding: readonly [string, string]
  /** The same request again (a replay within the skew): it must get the same answer. */
  readonly replay: boolean
  readonly method: string
  readonly path: string
  readonly headers: readonly (readonly [string, string])[]
}

export interface UserDataFuzzDeps {
  readonly target: Target
  readonly secret: string
  readonly maxSkewMs: number
  readonly legacy: boolean
  /** The server's clock now (fixed in unit tests). */
  readonly now: () => number
  /** Live: a margin around the skew bound within which fresh or stale is not asserted (clocks and transit). */
  readonly marginMs: number
  /** Live: what is waited out (default: backpressure's and admission's codes, 20 tries). */
  readonly settle?: Settle
  /** Unit: the user ids the route read since the last call. */
  readonly drainReads?: () => number[]
  /** Unit: whether the read model has the user. */
  readonly knownUser?: (userId: number) => boolean
  readonly userJson?: (userId: number) => string
}

const userIdText = fc.oneof(
  fc.constantFrom('1 OR 1=1', '1; DROP TABLE user_recap_data; --', "1' OR '1'='1", '1)--', '1 UNION SELECT 1', '1/*', '%31', '1%00', '1\u0000', '0x1f', '1e3', '1.0', '+1', '-1', '0', '00', '01',
    '\u0661\u0662', '\uff11', '9007199254740993', '99999999999999999', '18446744073709551616', '1,2', '[1]', '{"a":1}', 'null', 'true', ' ', ''),
  fc.string({ maxLength: 20 }),
)
const timestampText = fc.oneof(
  fc.constantFrom('0', '0000000000', '9999999999', '9999999999999', '99999999999999', '-1795533568', '1795533568.5', '1e12', '0x6B0', '\u0661795533568', ' ', '', 'now', '17955335682391'),
  fc.string({ maxLength: 16 }),
)
const SIGNS = ['valid', 'upper', 'other-user', 'other-time', 'other-secret', 'legacy', 'random', 'cut', 'empty'] as const

export function readCase(maxSkewMs: number): fc.Arbitrary<ReadCase> {
  const offset = fc.oneof(
    fc.constantFrom(0, maxSkewMs, -maxSkewMs, maxSkewMs + 1, -maxSkewMs - 1, maxSkewMs + 1000, -maxSkewMs - 1000, 10 * maxSkewMs, -10 * maxSkewMs, 365 * 86_400_000),
    fc.integer({ min: -3 * maxSkewMs, max: 3 * maxSkewMs }),
  )
  return fc.record({
    userId: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((id) => ({ kind: 'id' as const, id })), weight: 3 },
      { arbitrary: fc.integer({ min: 1, max: 1000 }).map((id) => ({ kind: 'id' as const, id })), weight: 3 },
      { arbitrary: userIdText.map((text) => ({ kind: 'text' as const, text })), weight: 2 },
    ),
    timestamp: fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('offset' as const), unit: fc.constantFrom('s' as const, 'ms' as const), offsetMs: offset }), weight: 6 },
      { arbitrary: timestampText.map((text) => ({ kind: 'text' as const, text })), weight: 1 },
    ),
    sign: fc.oneof(
      { arbitrary: fc.constant('valid' as const), weight: 6 },
      { arbitrary: fc.constantFrom(...SIGNS), weight: 4 },
      { arbitrary: hostileHeaderValue.map((text) => ({ text })), weight: 1 },
    ),
    missing: fc.oneof({ arbitrary: fc.constant([]), weight: 8 }, { arbitrary: fc.subarray([...HEADERS], { minLength: 1 }), weight: 1 }),
    repeated: fc.oneof({ arbitrary: fc.constant([]), weight: 12 }, { arbitrary: fc.subarray([...HEADERS], { minLength: 1 }), weight: 1 }),
    padding: fc.oneof({ arbitrary: fc.constant(['', ''] as const), weight: 8 }, { arbitrary: fc.tuple(fc.constantFrom('', ' ', '\t', '  '), fc.constantFrom('', ' ', '\t')), weight: 1 }),
    replay: fc.boolean(),
    method: fc.oneof({ arbitrary: fc.constant('GET'), weight: 20 }, { arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'get'), weight: 1 }),
    path: fc.oneof(
      { arbitrary: fc.constant('/api/user-data'), weight: 20 },
      { arbitrary: fc.constantFrom('/api/user-data/', '/api/user-data?user_id=1', '/api/user-data?sign=x&timestamp=1', '/API/user-data', '/api/user-data/../user-data', '/api//user-data', '/api/user-data%00', '/api/user-data#x', '/api/user-data;x', '/%2e%2e/etc/passwd', '*'), weight: 2 },
    ),
    headers: fc.oneof({ arbitrary: fc.constant([]), weight: 8 }, { arbitrary: fc.array(fc.tuple(fc.constantFrom('x-fuzz', 'cookie', 'authorization', 'x-forwarded-for', 'if-none-match', 'range', 'accept'), hostileHeaderValue), { minLength: 1, maxLength: 2 }), weight: 1 }),
  })
}

interface Built {
  readonly request: FuzzRequest
  /** Texts as the server reads them (trimmed), when each header is sent once. */
  readonly timestamp: string | undefined
  readonly userId: string | undefined
  readonly sign: string | undefined
}

function build(c: ReadCase, d: UserDataFuzzDeps, nowMs: number): Built {
  const ts = c.timestamp.kind === 'text' ? c.timestamp.text
    : c.timestamp.unit === 'ms' ? String(nowMs + c.timestamp.offsetMs) : String(Math.floor((nowMs + c.timestamp.offsetMs) / 1000))
  const uid = c.userId.kind === 'id' ? String(c.userId.id) : c.userId.text
  const signs: Readonly<Record<(typeof SIGNS)[number], () => string>> = {
    valid: () => hmacSignature(d.secret, ts, uid),
    upper: () => hmacSignature(d.secret, ts, uid).toUpperCase(),
    'other-user': () => hmacSignature(d.secret, ts, `${uid}1`),
    'other-time': () => hmacSignature(d.secret, String(Number(ts) + 1), uid),
    'other-secret': () => hmacSignature(`${d.secret}x`, ts, uid),
    legacy: () => legacySignature(ts, uid),
    random: () => hmacSignature(`random:${ts}:${uid}`, ts, uid).split('').reverse().join(''),
    cut: () => hmacSignature(d.secret, ts, uid).slice(0, 63),
    empty: () => '',
  }
  const sign = typeof c.sign === 'string' ? signs[c.sign]() : c.sign.text
  const values = { timestamp: ts, user_id: uid, sign }
  const headers: Record<string, string | string[]> = {}
  for (const name of HEADERS) {
    if (c.missing.includes(name)) continue
    const value = `${c.padding[0]}${values[name]}${c.padding[1]}`
    headers[name] = c.repeated.includes(name) ? [value, value] : value
  }
  for (const [name, value] of c.headers) headers[name] = value
  const once = (name: (typeof HEADERS)[number]) => (c.missing.includes(name) || c.repeated.includes(name) ? undefined : values[name].trim())
  return { request: { method: c.method, url: c.path, headers }, timestamp: once('timestamp'), userId: once('user_id'), sign: once('sign') }
}

const TS_SECONDS = /^\d{10}$/
const TS_MILLIS = /^\d{13}$/

/** What the answer must be, by the contract (README, the read path), from what was sent. */
function expected(b: Built, d: UserDataFuzzDeps, nowMs: number): { readonly signed: boolean; readonly fresh: boolean | undefined; readonly userId: number | undefined } {
  const { timestamp: ts, userId: uid, sign } = b
  const id = uid !== undefined && /^[1-9]\d{0,15}$/.test(uid) ? Number(uid) : Number.NaN
  const wellFormed = ts !== undefined && (TS_SECONDS.test(ts) || TS_MILLIS.test(ts)) && Number.isSafeInteger(id) && sign !== undefined && sign !== ''
  if (!wellFormed) return { signed: false, fresh: undefined, userId: undefined }
  const signed = sign.toLowerCase() === hmacSignature(d.secret, ts, uid ?? '') || (d.legacy && sign === legacySignature(ts, uid ?? ''))
  const millis = TS_SECONDS.test(ts) ? Number(ts) * 1000 : Number(ts)
  const distance = Math.abs(nowMs - millis)
  const fresh = Math.abs(distance - d.maxSkewMs) <= d.marginMs && d.marginMs > 0 ? undefined : distance <= d.maxSkewMs
  return { signed, fresh, userId: id }
}

export function userDataProperty(d: UserDataFuzzDeps): FuzzProperty<ReadCase> {
  return {
    name: 'GET /api/user-data',
    close: () => d.target.close(),
    property: fc.asyncProperty(readCase(d.maxSkewMs), async (c) => {
      const nowMs = d.now()
      const built = build(c, d, nowMs)
      const want = expected(built, d, nowMs)
      const answers = []
      for (let i = 0; i < (c.replay ? 2 : 1); i++) answers.push(judge(await sendSettled(d.target, built.request, d.settle?.isRetry ?? isTransient, d.settle?.attempts), c.method))
      const reads = d.drainReads?.() ?? []
      const [answer, again] = answers
      assert.ok(answer !== undefined)
      // A replay gets the same answer; live, unless the timestamp is so near the skew bound that time moved it across.
      if (again !== undefined && want.fresh !== undefined) assert.equal(again.status, answer.status, 'a replay gets the same answer')
      for (const id of reads) assert.ok(Number.isSafeInteger(id) && id >= 1 && id === want.userId && want.signed, `read user ${id} for an unsigned request`)
      if (answer.status < 300) assert.ok(want.signed && want.fresh !== false, `${c.method} ${c.path} answered ${answer.status} to a request not signed right and fresh`)
      // The rest holds for the route itself (a HEAD has no body to check), when Node's parser let
      // the request through (live, a control character in any header is 400 before the route).
      if (answer.kind === 'head' || c.method !== 'GET' || c.path !== '/api/user-data' || byParser(answer)) return
      if (!want.signed) {
        assert.equal(answer.status, 401, `an unsigned or malformed request answered ${answer.status}`)
        return
      }
      if (want.fresh === false) {
        assert.ok(answer.kind === 'problem' && answer.code === 'PIPELINE_SIGNATURE_STALE', `a stale signature answered ${answer.status}`)
        return
      }
      if (want.fresh === undefined && answer.kind === 'problem' && answer.code === 'PIPELINE_SIGNATURE_STALE') return
      assert.ok(answer.status === 200 || (answer.kind === 'problem' && answer.code === 'PIPELINE_USER_NOT_FOUND'), `a valid fresh signature answered ${answer.status}`)
      if (d.knownUser !== undefined && want.userId !== undefined) assert.equal(answer.status === 200, d.knownUser(want.userId), 'known users 200, others 404')
      if (answer.kind === 'success') {
        const body = answer.body as { user_id?: unknown }
        assert.equal(body.user_id, want.userId, 'the answer is the user asked for')
        if (d.userJson !== undefined && want.userId !== undefined) assert.deepEqual(body, JSON.parse(d.userJson(want.userId)))
      }
    }),
  }
}
