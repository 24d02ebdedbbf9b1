/**
 * A small closed-loop load for tests: `concurrency` workers post events (client-chosen ids,
 * so that every attempt is known) until `count` requests are made or `stop()` is called,
 * and record which ids were acknowledged.
 */
import { randomUUID } from 'node:crypto'
import { bearerHeader } from '../../src/api-keys/key.js'

export interface LoadOptions {
  readonly url: string
  /** The producer API key every request carries (lib/test/helpers/keys.ts). */
  readonly apiKey: string
  readonly concurrency: number
  /** 0 or 1: POST /events; more: POST /events/batch of that many. */
  readonly batchSize: number
  readonly requests?: number
  readonly service?: string
}

export interface Outcome {
  /** ms since the epoch when the response came */
  readonly at: number
  readonly status: number | string
  readonly retryAfter: number | undefined
  readonly ms: number
}

export interface LoadRun {
  readonly acked: Set<string>
  readonly attempted: Set<string>
  readonly statuses: Map<number | string, number>
  /** Every response in order, for timelines. */
  readonly outcomes: Outcome[]
  stop(): void
  readonly done: Promise<void>
}

export function genericEvent(service: string, extra: Record<string, unknown> = {}) {
  return { event_id: randomUUID(), service, event_type: 'generic', payload: { n: Math.random(), at: Date.now() }, ...extra }
}

/** POSTs `body` as JSON with `apiKey` as its bearer token (undefined: no Authorization header). */
export async function post(url: string, body: unknown, apiKey: string | undefined): Promise<{ status: number; body: Record<string, unknown>; retryAfter: number | undefined }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearerHeader(apiKey) }, body: JSON.stringify(body) })
  const text = await res.text()
  const retryAfter = res.headers.get('retry-after')
  return { status: res.status, body: text.length > 0 ? JSON.parse(text) : {}, retryAfter: retryAfter === null ? undefined : Number(retryAfter) }
}

export function startLoad(options: LoadOptions): LoadRun {
  const acked = new Set<string>()
  const attempted = new Set<string>()
  const statuses = new Map<number | string, number>()
  const outcomes: Outcome[] = []
  let stopped = false
  let made = 0
  const service = options.service ?? 'test-load'

  async function worker(): Promise<void> {
    while (!stopped && (options.requests === undefined || made < options.requests)) {
      made++
      const batch = Array.from({ length: Math.max(1, options.batchSize) }, () => genericEvent(service))
      batch.forEach((e) => attempted.add(e.event_id))
      let status: number | string
      let retryAfter: number | undefined
      const started = Date.now()
      try {
        const res = options.batchSize > 1
          ? await post(`${options.url}/events/batch`, { events: batch }, options.apiKey)
          : await post(`${options.url}/events`, batch[0], options.apiKey)
        status = res.status
        retryAfter = res.retryAfter
        if (res.status === 202) batch.forEach((e) => acked.add(e.event_id))
        if (res.status === 207) throw new Error('unexpected 207 for valid events')
      } catch (err) {
        status = (err as Error).name === 'TypeError' ? 'connection-error' : `error:${(err as Error).message}`
      }
      const at = Date.now()
      outcomes.push({ at, status, retryAfter, ms: at - started })
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      // Refused or failed: pause a little instead of spinning (tests watch, they do not honour Retry-After).
      if (status !== 202) await new Promise((r) => setTimeout(r, 20))
    }
  }

  const done = Promise.all(Array.from({ length: options.concurrency }, worker)).then(() => undefined)
  return { acked, attempted, statuses, outcomes, stop: () => { stopped = true }, done }
}
