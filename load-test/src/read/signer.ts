/**
 * Headers of a signed GET /api/user-data, built for a generator that sends tens of thousands a
 * second: the signature schemes are lib/src/signature.ts' (the ones query-api checks); the
 * timestamp text is made once per millisecond, and the headers are a flat array, the form
 * undici sends without copying them into an object first.
 */
import { hmacSignature, legacySignature } from '../../../lib/src/signature.js'

export type Signer = (userId: number, nowMs: number) => string[]

export function createSigner(secret: string, legacy: boolean): Signer {
  let lastMs = -1
  let timestamp = ''
  return (userId, nowMs) => {
    if (nowMs !== lastMs) {
      lastMs = nowMs
      timestamp = String(nowMs)
    }
    const user = String(userId)
    const sign = legacy ? legacySignature(timestamp, user) : hmacSignature(secret, timestamp, user)
    return ['timestamp', timestamp, 'user_id', user, 'sign', sign]
  }
}
