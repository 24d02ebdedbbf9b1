import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hmacSignature, legacySignature } from '../../../../lib/src/signature.js'
import { verifySignature, type SignatureConfig } from '../../../src/auth/signature.js'

const config: SignatureConfig = { secret: 'a-test-secret-of-some-length', maxSkewMs: 300_000, legacy: false }
const NOW = 1_796_000_000_000
const signed = (timestamp: string, userId: string, secret = config.secret) => ({ timestamp, user_id: userId, sign: hmacSignature(secret, timestamp, userId) })

test('an HMAC-signed request within the skew passes, with seconds or milliseconds, upper-case hex too', () => {
  assert.deepEqual(verifySignature(signed(String(NOW), '42'), config, NOW), { ok: true, userId: 42, scheme: 'hmac' })
  assert.deepEqual(verifySignature(signed(String(NOW / 1000 - 299), '42'), config, NOW), { ok: true, userId: 42, scheme: 'hmac' })
  const h = signed(String(NOW), '7')
  assert.equal(verifySignature({ ...h, sign: h.sign.toUpperCase() }, config, NOW).ok, true)
})

test('missing or malformed headers are PIPELINE_SIGNATURE_MISSING', () => {
  const good = signed(String(NOW), '42')
  const cases: Record<string, string | string[] | undefined>[] = [
    {}, { ...good, sign: undefined }, { ...good, timestamp: undefined }, { ...good, user_id: undefined }, { ...good, sign: '' },
    { ...good, timestamp: 'yesterday' }, { ...good, timestamp: '12345' }, { ...good, timestamp: '-1796000000' },
    { ...good, user_id: '0' }, { ...good, user_id: '-4' }, { ...good, user_id: '4.2' }, { ...good, user_id: '99999999999999999' },
    { ...good, user_id: ['1', '2'] },
  ]
  for (const headers of cases) {
    const v = verifySignature(headers, config, NOW)
    assert.equal(v.ok ? 'ok' : v.code, 'PIPELINE_SIGNATURE_MISSING', JSON.stringify(headers))
  }
})

test('a forged signature is PIPELINE_SIGNATURE_INVALID: other secret, other user, other time, truncated', () => {
  const good = signed(String(NOW), '42')
  const forged = [
    signed(String(NOW), '42', 'another-secret-entirely'),
    { ...good, user_id: '43' },
    { ...good, timestamp: String(NOW + 1) },
    { ...good, sign: good.sign.slice(0, 63) },
    { ...good, sign: `${good.sign}00` },
  ]
  for (const headers of forged) {
    const v = verifySignature(headers, config, NOW)
    assert.equal(v.ok ? 'ok' : v.code, 'PIPELINE_SIGNATURE_INVALID', JSON.stringify(headers))
  }
})

test('a valid signature outside the skew is PIPELINE_SIGNATURE_STALE, in the past and in the future', () => {
  for (const ts of [NOW - 300_001, NOW + 300_001]) {
    const v = verifySignature(signed(String(ts), '42'), config, NOW)
    assert.equal(v.ok ? 'ok' : v.code, 'PIPELINE_SIGNATURE_STALE')
  }
})

test('the legacy base64 scheme is refused unless enabled, then accepted (and still bound by the skew)', () => {
  const headers = { timestamp: String(NOW), user_id: '42', sign: legacySignature(String(NOW), '42') }
  assert.equal(headers.sign, Buffer.from(`${NOW}forecap202542`).toString('base64'))
  const refused = verifySignature(headers, config, NOW)
  assert.equal(refused.ok ? 'ok' : refused.code, 'PIPELINE_SIGNATURE_INVALID')
  assert.deepEqual(verifySignature(headers, { ...config, legacy: true }, NOW), { ok: true, userId: 42, scheme: 'legacy' })
  const stale = verifySignature({ ...headers, timestamp: String(NOW - 400_000), sign: legacySignature(String(NOW - 400_000), '42') }, { ...config, legacy: true }, NOW)
  assert.equal(stale.ok ? 'ok' : stale.code, 'PIPELINE_SIGNATURE_STALE')
})
