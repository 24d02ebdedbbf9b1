/**
 * A client of query-api's GET /api/user-data for any Node service (and the read load test):
 * signs each request with the shared secret, keeps connections open, returns the status and
 * the parsed body (the recap, or the problem+json of an error).
 */
import { Pool } from 'undici'
import { signedHeaders } from '../signature.js'

export interface UserDataClientOptions {
  readonly url: string
  readonly secret: string
  readonly connections?: number
  readonly timeoutMs?: number
}

export interface UserDataResponse {
  readonly status: number
  readonly body: unknown
  /** Seconds, from the Retry-After header of a 503. */
  readonly retryAfter: number | undefined
}

export interface UserDataClient {
  get(userId: number, headers?: Readonly<Record<string, string>>): Promise<UserDataResponse>
  close(): Promise<void>
}

export function createUserDataClient(options: UserDataClientOptions): UserDataClient {
  const pool = new Pool(options.url, { connections: options.connections ?? 16, pipelining: 1 })
  const timeoutMs = options.timeoutMs ?? 10_000
  return {
    async get(userId, headers) {
      const res = await pool.request({
        path: '/api/user-data', method: 'GET',
        headers: headers ?? signedHeaders(options.secret, userId),
        headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      })
      const body: unknown = await res.body.json().catch(() => undefined)
      const header = res.headers['retry-after']
      return { status: res.statusCode, body, retryAfter: typeof header === 'string' ? Number(header) : undefined }
    },
    close: () => pool.close(),
  }
}
