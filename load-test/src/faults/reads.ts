/**
 * The fault suite's reader: signed GET /api/user-data of the run's users at a steady rate while
 * the faults go on, every answer counted by status; and, once the read model has folded every
 * stored event, the read-through check: what query-api serves for each user (through Redis and
 * its near cache) is what the read model holds, so no fault left a stale cache entry behind.
 *
 * Answers a fault explains: 200, 404 (a user nothing was folded for yet), 503 with a Retry-After
 * (the read model unreachable, query-api shutting down), no answer at all while query-api
 * itself is killed or stalled. Any other status is a failure of its own.
 */
import { Pool } from 'undici'
import { createSigner } from '../read/signer.js'

export interface ReadLoad {
  readonly requests: { sent: number; skipped: number; byStatus: Map<string, number> }
  /** Answers no fault explains (a 500, a 4xx other than 404): each one a bug. */
  readonly unexplained: () => number
  stop(): Promise<void>
}

export interface ReadLoadOptions {
  readonly url: string
  readonly secret: string
  readonly requestsPerSecond: number
  /** Users userBase .. userBase + users - 1 are read. */
  readonly userBase: number
  readonly users: number
  readonly random: () => number
  readonly timeoutMs?: number
  readonly maxInFlight?: number
}

const EXPLAINED = new Set(['200', '404 PIPELINE_USER_NOT_FOUND'])
const explained = (label: string): boolean => EXPLAINED.has(label) || label.startsWith('503 ') || !/^\d{3}/.test(label)

interface Answer { readonly label: string; readonly body: string | undefined }

function reader(url: string, secret: string, timeoutMs: number) {
  const pool = new Pool(url, { connections: 16, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
  const sign = createSigner(secret, false)
  const read = async (userId: number): Promise<Answer> => {
    try {
      const res = await pool.request({ path: '/api/user-data', method: 'GET', headers: sign(userId, Date.now()) })
      const body = await res.body.text()
      if (res.statusCode === 200) return { label: '200', body }
      const code = (JSON.parse(body) as { code?: string }).code
      return { label: code === undefined ? String(res.statusCode) : `${res.statusCode} ${code}`, body: undefined }
    } catch (err) {
      return { label: (err as NodeJS.ErrnoException).code ?? (err as Error).name, body: undefined }
    }
  }
  return { read, close: () => pool.close() }
}

export function startReadLoad(o: ReadLoadOptions): ReadLoad {
  const { read, close } = reader(o.url, o.secret, o.timeoutMs ?? 10_000)
  const requests = { sent: 0, skipped: 0, byStatus: new Map<string, number>() }
  const maxInFlight = o.maxInFlight ?? 500
  const pending = new Set<Promise<void>>()
  const interval = 1000 / o.requestsPerSecond
  const start = performance.now()
  let next = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const send = async (userId: number): Promise<void> => {
    requests.sent++
    const { label } = await read(userId)
    requests.byStatus.set(label, (requests.byStatus.get(label) ?? 0) + 1)
  }
  const tick = (): void => {
    for (const now = performance.now(); start + next * interval <= now; next++) {
      if (pending.size >= maxInFlight) { requests.skipped++; continue }
      const p = send(o.userBase + Math.floor(o.random() * o.users))
      pending.add(p)
      void p.finally(() => pending.delete(p))
    }
    if (!stopped) timer = setTimeout(tick, Math.max(1, start + next * interval - performance.now()))
  }
  tick()
  let stopping: Promise<void> | undefined
  return {
    requests,
    unexplained: () => [...requests.byStatus].filter(([label]) => !explained(label)).reduce((n, [, count]) => n + count, 0),
    stop: () => (stopping ??= (async () => {
      stopped = true
      clearTimeout(timer)
      await Promise.allSettled([...pending])
      await close()
    })()),
  }
}

export interface ReadThrough {
  readonly users: number
  /** Users whose served trx_count is not the read model's. */
  readonly stale: number
  readonly examples: readonly string[]
}

/**
 * Reads every user of `expected` (user → trx_count in the read model) through query-api: each
 * must be served with that count (none: 404 or 0). A user not answered 200/404 at once is read
 * again for up to `retryMs` (query-api may still be coming back from the last round's fault).
 */
export async function readThrough(url: string, secret: string, expected: ReadonlyMap<number, number>, retryMs = 30_000): Promise<ReadThrough> {
  const { read, close } = reader(url, secret, 10_000)
  const examples: string[] = []
  let stale = 0
  try {
    const users = [...expected.keys()]
    for (let i = 0; i < users.length; i += 16) {
      await Promise.all(users.slice(i, i + 16).map(async (user) => {
        const want = expected.get(user) ?? 0
        const deadline = Date.now() + retryMs
        let answer = await read(user)
        while (answer.label !== '200' && answer.label !== '404 PIPELINE_USER_NOT_FOUND' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 500))
          answer = await read(user)
        }
        const got = answer.body === undefined ? (answer.label.startsWith('404') ? 0 : Number.NaN) : (JSON.parse(answer.body) as { trx_count: number }).trx_count
        if (got !== want) {
          stale++
          if (examples.length < 10) examples.push(`user ${user}: served ${answer.label === '200' ? `trx_count ${got}` : answer.label}, the read model has ${want}`)
        }
      }))
    }
    return { users: users.length, stale, examples }
  } finally {
    await close()
  }
}
