/**
 * A small client for producer-api, usable by any Node service and by the load test.
 * - Every event gets its event_id here (UUIDv7) before the first attempt, so a retry can
 *   never duplicate: the sink stores each id once.
 * - 429 and 503 are retried after their Retry-After (capped), connection errors after a
 *   short backoff, up to `maxAttempts`; 4xx client errors are final.
 * - Single events go to POST /events, lists to POST /events/batch (a 207 is split into the
 *   accepted ids and the rejected events).
 * - Every POST carries `Authorization: Bearer <apiKey>`: the key given, else PRODUCER_API_KEY,
 *   else the local development key `npm start` wrote (.local/producer-api-key). A 401 or 403
 *   is final like any 4xx; a 429 of the key's rate limit is retried after its Retry-After.
 */
import { Pool } from 'undici'
import { bearerHeader } from '../api-keys/key.js'
import { resolveApiKey } from '../api-keys/local.js'
import { newEventId } from '../ids.js'

export interface EventInput {
  event_id?: string
  service: string
  event_type: string
  occurred_at?: string
  user_id?: number
  payload: Record<string, unknown>
}

export interface ClientOptions {
  readonly url: string
  /** The producer API key (default: PRODUCER_API_KEY, else the local development key). */
  readonly apiKey?: string
  readonly connections?: number
  readonly maxAttempts?: number
  readonly maxRetryDelayMs?: number
  readonly timeoutMs?: number
  /** Called before each retry (for counting): the status or 'error', and the delay. */
  readonly onRetry?: (info: { readonly status: number | 'error'; readonly delayMs: number }) => void
}

export type SendResult =
  | { readonly outcome: 'accepted'; readonly eventIds: readonly string[]; readonly attempts: number; readonly lastStatus: number }
  | { readonly outcome: 'partial'; readonly eventIds: readonly string[]; readonly rejected: readonly { index: number; errors: unknown }[]; readonly attempts: number; readonly lastStatus: number }
  | { readonly outcome: 'rejected'; readonly status: number; readonly problem: unknown; readonly attempts: number }
  /** Gave up on 429/503/errors: the events may or may not be stored (retry later with the same ids). */
  | { readonly outcome: 'failed'; readonly lastStatus: number | 'error'; readonly eventIds: readonly string[]; readonly attempts: number }

export interface EventsClient {
  send(event: EventInput): Promise<SendResult>
  sendBatch(events: readonly EventInput[]): Promise<SendResult>
  /** Opens `connections` keep-alive connections ahead of time (GET /health), so that the first sends do not pay for them. */
  warmUp(connections: number): Promise<void>
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function createEventsClient(options: ClientOptions): EventsClient {
  const maxAttempts = options.maxAttempts ?? 5
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? 15_000
  const pool = new Pool(options.url, { connections: options.connections ?? 16, pipelining: 1 })
  // A client library's one default from the environment, as SDKs read their credentials.
  const apiKey = options.apiKey ?? resolveApiKey(process.env)
  const headers = { 'content-type': 'application/json', ...bearerHeader(apiKey) }

  async function post(path: string, body: unknown, ids: readonly string[]): Promise<SendResult> {
    const text = JSON.stringify(body)
    let last: number | 'error' = 'error'
    for (let attempt = 1; ; attempt++) {
      let delayMs: number
      try {
        const res = await pool.request({
          path, method: 'POST', body: text,
          headers,
          headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
        })
        const payload = res.statusCode === 204 ? undefined : await res.body.json().catch(() => undefined)
        last = res.statusCode
        if (res.statusCode === 202) return { outcome: 'accepted', eventIds: ids, attempts: attempt, lastStatus: 202 }
        if (res.statusCode === 207) {
          const results = (payload as { results?: { index: number; status: number; errors?: unknown }[] } | undefined)?.results ?? []
          return {
            outcome: 'partial', attempts: attempt, lastStatus: 207,
            eventIds: results.filter((r) => r.status === 202).map((r) => ids[r.index] ?? ''),
            rejected: results.filter((r) => r.status !== 202).map((r) => ({ index: r.index, errors: r.errors })),
          }
        }
        if (res.statusCode !== 429 && res.statusCode !== 503) {
          return { outcome: 'rejected', status: res.statusCode, problem: payload, attempts: attempt }
        }
        const header = res.headers['retry-after']
        const seconds = Number(Array.isArray(header) ? header[0] : header)
        delayMs = Math.min(maxRetryDelayMs, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000)
      } catch {
        last = 'error'
        delayMs = Math.min(maxRetryDelayMs, 100 * 2 ** attempt)
      }
      if (attempt >= maxAttempts) return { outcome: 'failed', lastStatus: last, eventIds: ids, attempts: attempt }
      options.onRetry?.({ status: last, delayMs })
      await sleep(delayMs)
    }
  }

  const withId = (e: EventInput): EventInput => (e.event_id === undefined ? { ...e, event_id: newEventId() } : e)

  return {
    send(event) {
      const e = withId(event)
      return post('/events', e, [e.event_id ?? ''])
    },
    sendBatch(events) {
      const list = events.map(withId)
      return post('/events/batch', { events: list }, list.map((e) => e.event_id ?? ''))
    },
    async warmUp(connections) {
      await Promise.all(Array.from({ length: connections }, async () => {
        const res = await pool.request({ path: '/health', method: 'GET' })
        await res.body.dump()
      }))
    },
    close: () => pool.close(),
  }
}
