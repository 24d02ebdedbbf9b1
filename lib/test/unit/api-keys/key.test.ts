import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { bearerToken, generateApiKey, hashApiKey, invalidServices, keyMatches, parseApiKey, serviceMatcher } from '../../../src/api-keys/key.js'
import { PipelineError } from '../../../src/errors.js'
import { checkNewApiKey } from '../../../src/api-keys/store.js'

test('a key is pak_<16 hex id>_<43 base64url>: 256 random bits of secret, a new one each time', () => {
  const a = generateApiKey()
  const b = generateApiKey()
  assert.match(a.key, /^pak_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
  assert.equal(a.key.slice(4, 20), a.id)
  assert.notEqual(a.key, b.key)
  assert.notEqual(a.id, b.id)
  assert.equal(Buffer.from(a.key.slice(21), 'base64url').length, 32)
})

test('parsing: the id of a well-formed key; anything else is undefined', () => {
  const { id, key } = generateApiKey()
  assert.deepEqual(parseApiKey(key), { id, key })
  for (const bad of ['', 'pak_', key.slice(0, -1), `${key}x`, key.replace('pak_', 'pk_'), key.toUpperCase(), ` ${key}`, key.replace('_', '-'), `pak_${'g'.repeat(16)}_${'A'.repeat(43)}`]) {
    assert.equal(parseApiKey(bad), undefined, JSON.stringify(bad))
  }
})

test('the stored digest is SHA-256 of the whole key; it matches that key only', () => {
  const { key } = generateApiKey()
  const digest = hashApiKey(key)
  assert.deepEqual(digest, createHash('sha256').update(key).digest())
  assert.equal(digest.length, 32)
  assert.equal(keyMatches(key, digest), true)
  assert.equal(keyMatches(generateApiKey().key, digest), false)
  assert.equal(keyMatches(key, undefined), false, 'no digest for the id')
  assert.equal(keyMatches(key, Buffer.alloc(5)), false, 'a digest of another length is not compared (timingSafeEqual would throw)')
})

test('constant-time path: one digest comparison of equal lengths, whether the id is known or not', () => {
  const { key } = generateApiKey()
  const calls: [number, number][] = []
  const compare = (a: Buffer, b: Buffer) => { calls.push([a.length, b.length]); return a.equals(b) }
  assert.equal(keyMatches(key, hashApiKey(key), compare), true)
  assert.equal(keyMatches(key, hashApiKey(generateApiKey().key), compare), false)
  assert.equal(keyMatches(key, undefined, compare), false)
  assert.deepEqual(calls, [[32, 32], [32, 32], [32, 32]])
})

test('Authorization: Bearer <token> (any case, spaces around); other schemes or none are undefined', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc')
  assert.equal(bearerToken('bearer  abc '), 'abc')
  assert.equal(bearerToken('BEARER abc'), 'abc')
  for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Token abc', 'abc']) {
    assert.equal(bearerToken(header), undefined, JSON.stringify(header))
  }
})

test('services: names, prefix* or *; the matcher takes exact names and prefixes', () => {
  assert.equal(invalidServices(['demo', 'web.checkout', 'shop-*', '*']), undefined)
  assert.match(invalidServices([]) ?? '', /at least one/)
  assert.match(invalidServices(['ok', 'bad name', 'a*b', '**', '']) ?? '', /"bad name", "a\*b", "\*\*", ""/)
  const may = serviceMatcher(['demo', 'shop-*'])
  assert.deepEqual(['demo', 'demo2', 'shop-', 'shop-eu', 'shop', 'web'].map(may), [true, false, true, true, false, false])
  const any = serviceMatcher(['demo', '*'])
  assert.equal(any('anything'), true)
})

test('a key spec is checked before anything is written: name, services, rate limit', () => {
  checkNewApiKey({ name: 'demo', services: ['demo'], rateLimit: 100 })
  checkNewApiKey({ name: 'demo key', services: ['*'] })
  for (const [spec, path] of [
    [{ name: '', services: ['demo'] }, 'name'],
    [{ name: ' x', services: ['demo'] }, 'name'],
    [{ name: 'x'.repeat(129), services: ['demo'] }, 'name'],
    [{ name: 'demo', services: [] }, 'services'],
    [{ name: 'demo', services: ['no spaces'] }, 'services'],
    [{ name: 'demo', services: ['demo'], rateLimit: 0 }, 'rate_limit'],
    [{ name: 'demo', services: ['demo'], rateLimit: 1.5 }, 'rate_limit'],
    [{ name: 'demo', services: ['demo'], rateLimit: 2 ** 31 }, 'rate_limit'],
  ] as const) {
    assert.throws(() => checkNewApiKey(spec), (err: unknown) =>
      err instanceof PipelineError && err.code === 'PIPELINE_API_KEY_SPEC_INVALID' && err.errors?.[0]?.path === path, JSON.stringify(spec))
  }
})
