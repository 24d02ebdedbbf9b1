/**
 * The signature scheme of GET /api/user-data, shared by query-api (which checks it) and the
 * project's clients (which sign): `sign` = hex HMAC-SHA256 of `<timestamp>.<user_id>` under a
 * shared secret. The legacy scheme is here only so that old clients can be recognised.
 */
import { createHmac } from 'node:crypto'

const LEGACY_SALT = 'forecap2025'

export function hmacSignature(secret: string, timestamp: string, userId: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${userId}`).digest('hex')
}

/** base64(timestamp + 'forecap2025' + user_id): no secret, anyone can compute it. */
export function legacySignature(timestamp: string, userId: string): string {
  return Buffer.from(`${timestamp}${LEGACY_SALT}${userId}`).toString('base64')
}

/** The three headers of a signed read of `userId` at `nowMs`. */
export function signedHeaders(secret: string, userId: number, nowMs: number = Date.now()): { timestamp: string; user_id: string; sign: string } {
  const timestamp = String(nowMs)
  const user = String(userId)
  return { timestamp, user_id: user, sign: hmacSignature(secret, timestamp, user) }
}
