/**
 * Producer API keys: `pak_<id>_<secret>`, where the id (16 hex digits) is public and names the
 * key in the table, listings and logs, and the secret is 32 random bytes (base64url). Only the
 * SHA-256 digest of the whole key is stored: the key is high-entropy random, so a plain digest
 * is as strong as a slow password hash here, and it costs a microsecond per request.
 * Verification compares digests with crypto.timingSafeEqual, and an unknown id is compared
 * against a dummy digest, so the time taken never depends on the secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export const API_KEY_PREFIX = 'pak_'
const ID_BYTES = 8
const SECRET_BYTES = 32
const KEY_PATTERN = /^pak_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/
export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/
export const DIGEST_BYTES = 32

/** A key as its parts: `id` is public, the rest is secret. */
export interface ParsedApiKey {
  readonly id: string
  readonly key: string
}

export function generateApiKey(): ParsedApiKey {
  const id = randomBytes(ID_BYTES).toString('hex')
  return { id, key: `${API_KEY_PREFIX}${id}_${randomBytes(SECRET_BYTES).toString('base64url')}` }
}

/** The parts of a well-formed key, else undefined (its shape is public: no secret is read). */
export function parseApiKey(text: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(text)
  return match?.[1] === undefined ? undefined : { id: match[1], key: text }
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest()
}

/** A digest no key has: what an unknown id is compared against, so that it takes as long as a known one. */
const DUMMY_DIGEST = hashApiKey(`${API_KEY_PREFIX}${'0'.repeat(16)}_${'A'.repeat(43)}:dummy`)

/**
 * True when `key` hashes to `digest`; always one digest and one constant-time comparison,
 * whether or not a digest was found for the key's id.
 */
export function keyMatches(key: string, digest: Buffer | undefined, compare: (a: Buffer, b: Buffer) => boolean = timingSafeEqual): boolean {
  const expected = digest?.length === DIGEST_BYTES ? digest : DUMMY_DIGEST
  return compare(hashApiKey(key), expected) && expected !== DUMMY_DIGEST
}

/** The header that sends `apiKey` (none without a key: producer-api then answers 401). */
export function bearerHeader(apiKey: string | undefined): Readonly<Record<string, string>> {
  return apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }
}

/** `Authorization: Bearer <token>` → the token; undefined when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header)
  return match?.[1]
}

// ------------------------------------------------------------------ the services a key may write

/** A service name (an event's `service`), or a pattern: `*` (any service) or `prefix*`. */
const SERVICE_PATTERN = /^(?:[A-Za-z0-9._-]{1,128}|[A-Za-z0-9._-]{0,127}\*)$/

/** Undefined when every entry is a service name or pattern, else what is wrong. */
export function invalidServices(services: readonly string[]): string | undefined {
  if (services.length === 0) return 'at least one service is needed'
  const bad = services.filter((s) => !SERVICE_PATTERN.test(s))
  if (bad.length > 0) return `not a service name or pattern (letters, digits, . _ -, or a trailing *): ${bad.map((s) => JSON.stringify(s)).join(', ')}`
  return undefined
}

/** A test of an event's service against a key's list (exact names, `prefix*`, or `*`). */
export function serviceMatcher(services: readonly string[]): (service: string) => boolean {
  const exact = new Set(services.filter((s) => !s.endsWith('*')))
  const prefixes = services.filter((s) => s.endsWith('*')).map((s) => s.slice(0, -1))
  if (prefixes.includes('')) return () => true
  return (service) => exact.has(service) || prefixes.some((p) => service.startsWith(p))
}
