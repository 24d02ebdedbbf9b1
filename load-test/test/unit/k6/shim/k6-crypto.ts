/** Shim of `k6/crypto`: hmac(algorithm, secret, data, 'hex' | 'base64') through node:crypto. */
import { createHmac, type BinaryToTextEncoding } from 'node:crypto'

export function hmac(algorithm: string, secret: string, data: string, encoding: BinaryToTextEncoding): string {
  return createHmac(algorithm, secret).update(data).digest(encoding)
}
