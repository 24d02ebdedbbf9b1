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
import { Pool, type Dispatcher } from 'undici'
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

interface Answer {
  readonly status: number
  readonly retryAfter: string | undefined
  /** The body's text; not read for a 202, whose body says nothing the caller does not know. */
  readonly body: string | undefined
}

/**
 * One request through undici's `dispatch` with a handler of our own: no response stream, no
 * parsed header object, no body kept for a 202. The load test sends thousands of events a
 * second through this client, on the cores of the system it measures, where `request()`'s
 * response stream, header parsing and JSON parse of every 202 cost about a quarter of its CPU.
 * The older handler method names on purpose: undici 7 wraps a handler with the newer ones in
 * an adapter per request (see load-test/src/read/http-driver.ts).
 */
function exchange(pool: Pool, options: Dispatcher.DispatchOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let status = 0
    let retryAfter: string | undefined
    let chunks: Buffer[] | undefined
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(statusCode: number, rawHeaders: Buffer[]) {
        if (statusCode < 200) return true // an informational answer: the real one follows
        status = statusCode
        if (statusCode !== 202) chunks = []
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
          if (rawHeaders[i]?.toString('latin1').toLowerCase() === 'retry-after') retryAfter = rawHeaders[i + 1]?.toString('latin1')
        }
        return true
      },
      onData(chunk: Buffer) {
        chunks?.push(chunk)
        return true
      },
      onComplete() {
        resolve({ status, retryAfter, body: chunks === undefined ? undefined : Buffer.concat(chunks).toString('utf8') })
      },
      onError: reject,
    }
    pool.dispatch(options, handler)
  })
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

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
        const res = await exchange(pool, { path, method: 'POST', body: text, headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
        last = res.status
        if (res.status === 202) return { outcome: 'accepted', eventIds: ids, attempts: attempt, lastStatus: 202 }
        const payload = parseJson(res.body)
        if (res.status === 207) {
          const results = (payload as { results?: { index: number; status: number; errors?: unknown }[] } | undefined)?.results ?? []
          return {
            outcome: 'partial', attempts: attempt, lastStatus: 207,
            eventIds: results.filter((r) => r.status === 202).map((r) => ids[r.index] ?? ''),
            rejected: results.filter((r) => r.status !== 202).map((r) => ({ index: r.index, errors: r.errors })),
          }
        }
        if (res.status !== 429 && res.status !== 503) {
          return { outcome: 'rejected', status: res.status, problem: payload, attempts: attempt }
        }
        const seconds = Number(res.retryAfter)
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
