/**
 * What hostile clients send, as fast-check arbitraries shared by every fuzz target: text a
 * store cannot keep (NUL, lone surrogates), keys that name prototypes, numbers past a double,
 * nesting past any limit, bytes that are not UTF-8, header values with control characters.
 */
import fc from 'fast-check'
import { JsonObject, RawJson, toJsonText, type JsonTree } from './json-text.js'

/** Keys that are properties of every object (or its prototype) in JavaScript. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'] as const

/** Strings Postgres (jsonb, text) or a UTF-8 encoder cannot keep as they are. */
export const unstorableString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udc00y', '\ud83d', '\u{1F600}'.slice(0, 1)),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00'), fc.string({ maxLength: 8 })).map((p) => p.join('')),
)

/** Strings of any code points, and the unstorable ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 20 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 3 },
  { arbitrary: unstorableString, weight: 3 },
  { arbitrary: fc.constantFrom('', ' ', '\t\n', '\u2028', '\ufeff', '\u202e', "' OR 1=1 --", '"; DROP TABLE events; --', '%00', '../..', '${7*7}', '{{7*7}}'), weight: 2 },
  { arbitrary: fc.integer({ min: 129, max: 5000 }).map((n) => 'x'.repeat(n)), weight: 1 },
)

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...PROTOTYPE_KEYS), weight: 4 },
  { arbitrary: hostileString, weight: 2 },
  { arbitrary: fc.constantFrom('extra', 'event_id', 'service', 'payload', 'PAYLOAD', 'user_id', 'events'), weight: 2 },
)

/** Number literals past what a double holds, and the edges of what it does. */
export const hostileNumber: fc.Arbitrary<JsonTree> = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '1e-400', '-0', '0.0', '1E+2', '9007199254740993', '123456789012345678901234567890', '-9223372036854775809', '1.7976931348623157e308', '5e-324')
    .map((text) => new RawJson(text)),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, -(2 ** 63), Number.MAX_VALUE, Number.MIN_VALUE, 0.1, -1, 0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
)

/** Arrays or objects nested `depth` deep around `inner`, as text (a tree that deep would overflow fast-check's printer). */
export function nest(depth: number, inner: JsonTree, asArray: boolean): JsonTree {
  const [open, close] = asArray ? ['[', ']'] : ['{"n":', '}']
  return new RawJson(`${open.repeat(depth)}${toJsonText(inner)}${close.repeat(depth)}`)
}

/** Any JSON value, small, with hostile leaves and keys now and then. */
export const hostileJson: fc.Arbitrary<JsonTree> = fc.letrec<{ tree: JsonTree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    { arbitrary: fc.constantFrom<JsonTree>(null, true, false), weight: 2 },
    { arbitrary: hostileNumber, weight: 2 },
    { arbitrary: hostileString, weight: 3 },
    { arbitrary: fc.array(tie('tree'), { maxLength: 4 }), weight: 1 },
    {
      arbitrary: fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), hostileKey), tie('tree')), { maxLength: 4 }).map((entries) => new JsonObject(entries)),
      weight: 1,
    },
  ),
})).tree.chain((tree) => fc.oneof(
  { arbitrary: fc.constant(tree), weight: 9 },
  // Deep nesting, around the usual limits (32 levels) and far past them.
  { arbitrary: fc.tuple(fc.oneof(fc.integer({ min: 28, max: 36 }), fc.integer({ min: 100, max: 5000 })), fc.boolean()).map(([d, a]) => nest(d, tree, a)), weight: 1 },
))

/** Bytes that are not UTF-8: stray continuations, overlong forms, encoded surrogates, past U+10FFFF. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom([0xff], [0xfe], [0x80], [0xc3, 0x28], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82])
    .map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 1, maxLength: 6, min: 0x80, max: 0xff }).map((b) => Buffer.from(b)),
)

/** A header value as a hostile client writes it: latin-1 text, control characters, raw UTF-8, huge. */
export const hostileHeaderValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 30 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', '\t', 'a\u0000b', 'a\rb', '\u00ff\u00fe', 'é', '\u{1F600}', "1' OR '1'='1", '1;DROP TABLE x'), weight: 2 },
  { arbitrary: fc.integer({ min: 100, max: 4000 }).map((n) => 'v'.repeat(n)), weight: 1 },
)

/** Byte-level damage to a body that was fine: cut, spliced with bytes that are not UTF-8, a byte changed. */
export type ByteMutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Buffer }
  | { readonly kind: 'flip'; readonly at: number; readonly xor: number }

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(invalidUtf8, fc.constantFrom(Buffer.from([0]), Buffer.from('\\u0000'), Buffer.from('\\ud800'), Buffer.from('"'), Buffer.from(','))) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
)

export function mutateBytes(body: Buffer, m: ByteMutation): Buffer {
  if (body.length === 0) return m.kind === 'insert' ? m.bytes : body
  const at = m.at % body.length
  switch (m.kind) {
    case 'truncate':
      return body.subarray(0, at)
    case 'insert':
      return Buffer.concat([body.subarray(0, at), m.bytes, body.subarray(at)])
    case 'flip': {
      const out = Buffer.from(body)
      out.writeUInt8((out.readUInt8(at) ^ m.xor) & 0xff, at)
      return out
    }
    default: {
      const never: never = m
      return never
    }
  }
}
