/**
 * The fault suite's writer: an open-model load on producer-api (request k is sent at its due
 * time whatever the earlier ones did), single events and batches, half of the events
 * trx.created for the run's own users, and a ledger of every event's outcome (./outcome.ts).
 */
import { randomUUID } from 'node:crypto'
import { Pool } from 'undici'
import { classify, type Outcome } from './outcome.js'

export interface LedgerEntry {
  outcome: Outcome
  /** Set for trx.created events: the user whose read-model row folds it. */
  readonly userId: number | undefined
}

export interface WriteLoad {
  /** event id → outcome (and user, for trx.created). */
  readonly ledger: Map<string, LedgerEntry>
  readonly requests: { sent: number; skipped: number; byOutcome: Record<Outcome, number>; byStatus: Map<string, number> }
  /** Sends one event now and resolves with its outcome (the recovery probe); it is in the ledger too. */
  probe(userId: number): Promise<{ readonly outcome: Outcome; readonly eventId: string }>
  stop(): Promise<void>
}

export interface WriteLoadOptions {
  readonly url: string
  readonly requestsPerSecond: number
  /** Share of requests that are POST /events/batch (of `batchSize` events); the rest POST /events. */
  readonly batchShare: number
  readonly batchSize: number
  /** trx.created events go to users userBase .. userBase + users - 1. */
  readonly userBase: number
  readonly users: number
  readonly random: () => number
  readonly headers?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
  /** Requests in flight beyond which a due request is skipped (counted, not sent). */
  readonly maxInFlight?: number
}

const CATEGORIES = ['groceries', 'travel', 'electronics', 'restaurants', 'health']

export function startWriteLoad(o: WriteLoadOptions): WriteLoad {
  const pool = new Pool(o.url, { connections: 32, headersTimeout: o.timeoutMs ?? 10_000, bodyTimeout: o.timeoutMs ?? 10_000 })
  const ledger = new Map<string, LedgerEntry>()
  const requests = { sent: 0, skipped: 0, byOutcome: { acknowledged: 0, rejected: 0, unknown: 0 } as Record<Outcome, number>, byStatus: new Map<string, number>() }
  const maxInFlight = o.maxInFlight ?? 2000
  let inFlight = 0

  const event = (userId?: number) => {
    const trx = userId !== undefined || o.random() < 0.5
    const user = userId ?? o.userBase + Math.floor(o.random() * o.users)
    return trx
      ? { event_id: randomUUID(), service: 'faults', event_type: 'trx.created', user_id: user,
          payload: { trx_id: randomUUID(), amount: 1 + Math.floor(o.random() * 500), currency: 'EUR', category: CATEGORIES[Math.floor(o.random() * CATEGORIES.length)], merchant: 'm' } }
      : { event_id: randomUUID(), service: 'faults', event_type: 'generic', payload: { n: Math.floor(o.random() * 1e9) } }
  }

  const send = async (events: ReturnType<typeof event>[], batch: boolean): Promise<Outcome> => {
    for (const e of events) ledger.set(e.event_id, { outcome: 'unknown', userId: e.event_type === 'trx.created' ? e.user_id : undefined })
    requests.sent++
    inFlight++
    let status: number | undefined
    let code: string | undefined
    let label: string
    try {
      const res = await pool.request({
        path: batch ? '/events/batch' : '/events', method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: JSON.stringify(batch ? { events } : events[0]),
      })
      const text = await res.body.text()
      status = res.statusCode
      if (status !== 202) code = (JSON.parse(text) as { code?: string }).code
      label = code === undefined ? String(status) : `${status} ${code}`
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code
      label = code ?? (err as Error).name
    } finally {
      inFlight--
    }
    // Refused before a byte was sent: the events were never handed to anyone.
    const outcome = code === 'ECONNREFUSED' ? 'rejected' : classify(status, code)
    for (const e of events) (ledger.get(e.event_id) as LedgerEntry).outcome = outcome
    requests.byOutcome[outcome]++
    requests.byStatus.set(label, (requests.byStatus.get(label) ?? 0) + 1)
    return outcome
  }

  const pending = new Set<Promise<unknown>>()
  const track = (p: Promise<unknown>) => { pending.add(p); void p.finally(() => pending.delete(p)) }
  const interval = 1000 / o.requestsPerSecond
  const start = performance.now()
  let next = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const tick = (): void => {
    const now = performance.now()
    for (; start + next * interval <= now; next++) {
      if (inFlight >= maxInFlight) { requests.skipped++; continue }
      const batch = o.random() < o.batchShare
      track(send(Array.from({ length: batch ? o.batchSize : 1 }, () => event()), batch))
    }
    if (!stopped) timer = setTimeout(tick, Math.max(1, start + next * interval - performance.now()))
  }
  tick()

  let stopping: Promise<void> | undefined
  return {
    ledger,
    requests,
    probe: async (userId) => {
      const e = event(userId)
      return { outcome: await send([e], false), eventId: e.event_id }
    },
    stop: () => (stopping ??= (async () => {
      stopped = true
      clearTimeout(timer)
      await Promise.allSettled([...pending])
      await pool.close()
    })()),
  }
}
