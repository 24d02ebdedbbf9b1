/**
 * Closed-loop HTTP throughput with autocannon: drives POST /events (single) or
 * POST /events/batch for a fixed time against a running stack, then waits until every
 * accepted event is in Postgres and measures the end-to-end rate and the drain time.
 */
import autocannon from 'autocannon'
import pg from 'pg'
import { bearerHeader } from '../../../lib/src/api-keys/key.js'

export interface IngestOptions {
  readonly url: string
  readonly databaseUrl: string
  readonly mode: 'single' | 'batch'
  readonly seconds: number
  readonly connections: number
  readonly batchSize: number
  /** The producer API key the requests carry (PRODUCER_API_KEY, else the local key: lib/src/api-keys/local.ts). */
  readonly apiKey: string | undefined
}

export interface IngestFigures {
  readonly mode: 'single' | 'batch'
  readonly batchSize: number
  readonly connections: number
  readonly seconds: number
  readonly requestsPerSecond: number
  readonly statuses: { readonly '2xx': number; readonly non2xx: number; readonly errors: number; readonly timeouts: number }
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number }
  readonly acceptedEvents: number
  readonly acceptedEventsPerSecond: number
  readonly storedEvents: number
  readonly endToEndEventsPerSecond: number
  readonly drainMs: number
  /** Requests still in flight when the run stops can be stored without a counted 202. */
  readonly unacknowledgedStored: number
  readonly complete: boolean
}

/** Plain autocannon run (also used for the no-op Fastify ceiling). */
export async function hammer(url: string, body: string, connections: number, seconds: number, headers: Readonly<Record<string, string>> = {}) {
  return autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections, duration: seconds })
}

export async function measureIngest(o: IngestOptions): Promise<IngestFigures> {
  const batchSize = o.mode === 'batch' ? o.batchSize : 1
  const service = `bench-${o.mode}-${Date.now()}`
  const event = { service, event_type: 'generic', payload: { kind: 'bench', text: 'x'.repeat(160), n: 42, ok: true } }
  const body = JSON.stringify(o.mode === 'batch' ? { events: Array.from({ length: batchSize }, () => event) } : event)
  console.log(`  ${o.mode}${o.mode === 'batch' ? ` of ${batchSize}` : ''}, ${o.connections} connections, ${o.seconds} s → ${o.url}`)
  const started = Date.now()
  const result = await hammer(`${o.url}${o.mode === 'batch' ? '/events/batch' : '/events'}`, body, o.connections, o.seconds, bearerHeader(o.apiKey))
  const ended = Date.now()
  const accepted = result['2xx'] * batchSize

  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 1 })
  let stored = 0
  let lastStoredAt = ended
  const deadline = Date.now() + 120_000
  try {
    while (Date.now() < deadline) {
      const { rows } = await pool.query<{ n: number; last: Date | null }>(
        'SELECT count(*)::int AS n, max(stored_at) AS last FROM events WHERE service = $1', [service])
      stored = rows[0]?.n ?? 0
      lastStoredAt = rows[0]?.last?.getTime() ?? ended
      if (stored >= accepted) break
      await new Promise((r) => setTimeout(r, 250))
    }
  } finally {
    await pool.end()
  }
  return {
    mode: o.mode, batchSize, connections: o.connections, seconds: o.seconds,
    requestsPerSecond: Math.round(result.requests.total / ((ended - started) / 1000)),
    statuses: { '2xx': result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts },
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    acceptedEvents: accepted,
    acceptedEventsPerSecond: Math.round(accepted / ((ended - started) / 1000)),
    storedEvents: stored,
    endToEndEventsPerSecond: Math.round(stored / ((lastStoredAt - started) / 1000)),
    drainMs: Math.max(0, lastStoredAt - ended),
    unacknowledgedStored: Math.max(0, stored - accepted),
    complete: stored >= accepted,
  }
}
