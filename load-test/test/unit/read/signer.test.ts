import assert from 'node:assert/strict'
import { test } from 'node:test'
import { legacySignature, signedHeaders } from '../../../../lib/src/signature.js'
import { verifySignature } from '../../../../query-api/src/auth/signature.js'
import { createSigner } from '../../../src/read/signer.js'

const SECRET = 'a-secret-of-sixteen-or-more'
const pairs = (flat: readonly string[]) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]))

test('the headers of lib/src/signature.ts, as a flat array; query-api accepts them', () => {
  const sign = createSigner(SECRET, false)
  for (const [user, now] of [[42, 1_764_744_000_123], [7_000_000_001, 1_764_744_000_123], [7, 1_764_744_000_124]] as const) {
    const headers = pairs(sign(user, now))
    assert.deepEqual(headers, signedHeaders(SECRET, user, now))
    assert.deepEqual(verifySignature(headers, { secret: SECRET, maxSkewMs: 1000, legacy: false }, now), { ok: true, userId: user, scheme: 'hmac' })
  }
})

test('legacy: base64(timestamp + forecap2025 + user_id)', () => {
  const headers = pairs(createSigner(SECRET, true)(42, 1_764_744_000_123))
  assert.deepEqual(headers, { timestamp: '1764744000123', user_id: '42', sign: legacySignature('1764744000123', '42') })
  assert.equal(verifySignature(headers, { secret: SECRET, maxSkewMs: 1000, legacy: true }, 1_764_744_000_123).ok, true)
})
