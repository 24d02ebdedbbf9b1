/**
 * Signed read requests: headers `timestamp` (Unix time, seconds or milliseconds), `user_id`
 * and `sign` = hex HMAC-SHA256 of `<timestamp>.<user_id>` under the server's secret. Compared
 * in constant time; a valid signature outside the allowed clock skew is stale (replays are
 * bounded by the skew). The older scheme, `base64(timestamp + 'forecap2025' + user_id)`, is
 * no secret at all (anyone can compute it), so it is accepted only when explicitly enabled for
 * old clients. Pure: the clock is passed in.
 */
import { timingSafeEqual } from 'node:crypto'
import { hmacSignature, legacySignature } from '../../../lib/src/signature.js'

export interface SignatureConfig {
  readonly secret: string
  readonly maxSkewMs: number
  /** Accept the legacy base64 scheme too (old clients only). */
  readonly legacy: boolean
}

export type SignatureFailure = 'PIPELINE_SIGNATURE_MISSING' | 'PIPELINE_SIGNATURE_INVALID' | 'PIPELINE_SIGNATURE_STALE'

export type Verdict =
  | { readonly ok: true; readonly userId: number; readonly scheme: 'hmac' | 'legacy' }
  | { readonly ok: false; readonly code: SignatureFailure; readonly message: string }

/** Request headers (lower-case names, as Node gives them): timestamp, user_id, sign. */
export type SignedHeaders = Readonly<Record<string, string | string[] | undefined>>

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const single = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' ? value.trim() : undefined)
const fail = (code: SignatureFailure, message: string): Verdict => ({ ok: false, code, message })

/** Milliseconds since the epoch from a 10-digit (seconds) or 13-digit (milliseconds) timestamp. */
export function timestampMillis(text: string): number | undefined {
  if (/^\d{10}$/.test(text)) return Number(text) * 1000
  if (/^\d{13}$/.test(text)) return Number(text)
  return undefined
}

export function verifySignature(headers: SignedHeaders, config: SignatureConfig, nowMs: number): Verdict {
  const timestamp = single(headers['timestamp'])
  const userIdText = single(headers['user_id'])
  const sign = single(headers['sign'])
  if (timestamp === undefined || userIdText === undefined || sign === undefined || sign === '') {
    return fail('PIPELINE_SIGNATURE_MISSING', 'headers timestamp, user_id and sign are required')
  }
  const millis = timestampMillis(timestamp)
  if (millis === undefined) return fail('PIPELINE_SIGNATURE_MISSING', 'timestamp must be Unix time in seconds (10 digits) or milliseconds (13 digits)')
  const userId = /^[1-9]\d{0,15}$/.test(userIdText) ? Number(userIdText) : Number.NaN
  if (!Number.isSafeInteger(userId)) return fail('PIPELINE_SIGNATURE_MISSING', 'user_id must be a positive integer')

  let scheme: 'hmac' | 'legacy' | undefined
  if (safeEqual(sign.toLowerCase(), hmacSignature(config.secret, timestamp, userIdText))) scheme = 'hmac'
  else if (config.legacy && safeEqual(sign, legacySignature(timestamp, userIdText))) scheme = 'legacy'
  if (scheme === undefined) return fail('PIPELINE_SIGNATURE_INVALID', 'sign does not match timestamp and user_id')
  if (Math.abs(nowMs - millis) > config.maxSkewMs) {
    return fail('PIPELINE_SIGNATURE_STALE', `timestamp is more than ${config.maxSkewMs / 1000} s from the server's clock`)
  }
  return { ok: true, userId, scheme }
}
