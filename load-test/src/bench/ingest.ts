/**
 * End-to-end ingestion figure: drives POST /events (single) or POST /events/batch with
 * autocannon for a fixed time against a running stack (`npm start`), then waits until every
 * accepted event is in Postgres and reports requests/s, accepted events/s, latency, the
 * end-to-end rate (events stored / time from first request to last row) and the drain time.
 *
 *   npm run bench:ingest -- [single|batch] [seconds=20] [connections=50] [batch size=100]
 *
 * Prints a summary and writes results/bench-ingest-<mode>-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import pg from 'pg'
import { parsePostgresConfig } from '../../../lib/src/config.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'

const [mode = 'single', secondsArg = '20', connectionsArg = '50', batchArg = '100'] = process.argv.slice(2)
if (mode !== 'single' && mode !== 'batch') throw new Error(`mode must be single or batch, got ${mode}`)
const seconds = Number(secondsArg)
const connections = Number(connectionsArg)
const batchSize = mode === 'batch' ? Number(batchArg) : 1
for (const [name, n] of [['seconds', seconds], ['connections', connections], ['batch size', batchSize]] as const) {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`)
}
const url = process.env.PRODUCER_URL ?? 'http://127.0.0.1:3000'
const service = `bench-${mode}-${Date.now()}`
const event = { service, event_type: 'generic', payload: { kind: 'bench', text: 'x'.repeat(160), n: 42, ok: true } }
const body = JSON.stringify(mode === 'batch' ? { events: Array.from({ length: batchSize }, () => event) } : event)

console.log(`bench ingest: ${mode}${mode === 'batch' ? ` of ${batchSize}` : ''}, ${connections} connections, ${seconds} s → ${url}`)
const started = Date.now()
const result = await autocannon({
  url: `${url}${mode === 'batch' ? '/events/batch' : '/events'}`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
  connections,
  duration: seconds,
})
const ended = Date.now()
const accepted = result['2xx'] * batchSize

const pool = new pg.Pool({ connectionString: parsePostgresConfig(process.env).url, max: 1 })
let stored = 0
let lastStoredAt = ended
const deadline = Date.now() + 120_000
while (Date.now() < deadline) {
  const { rows } = await pool.query<{ n: number; last: Date | null }>(
    'SELECT count(*)::int AS n, max(stored_at) AS last FROM events WHERE service = $1', [service])
  stored = rows[0]?.n ?? 0
  lastStoredAt = rows[0]?.last?.getTime() ?? ended
  process.stdout.write(`\r  waiting for Postgres: ${stored}/${accepted} stored`)
  if (stored >= accepted) break
  await new Promise((r) => setTimeout(r, 250))
}
await pool.end()
process.stdout.write('\n')

const figures = {
  mode, batchSize, connections, seconds, url, service,
  requests: result.requests.total,
  requestsPerSecond: Math.round(result.requests.total / ((ended - started) / 1000)),
  statuses: { '2xx': result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts },
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  acceptedEvents: accepted,
  acceptedEventsPerSecond: Math.round(accepted / ((ended - started) / 1000)),
  storedEvents: stored,
  endToEndEventsPerSecond: Math.round(stored / ((lastStoredAt - started) / 1000)),
  drainMs: Math.max(0, lastStoredAt - ended),
  // Requests still in flight when the run stops can be stored without a counted 202.
  unacknowledgedStored: Math.max(0, stored - accepted),
  complete: stored >= accepted,
}
console.table({
  'requests/s': figures.requestsPerSecond,
  'accepted events/s': figures.acceptedEventsPerSecond,
  'end-to-end events/s (in Postgres)': figures.endToEndEventsPerSecond,
  'latency p50 / p99 (ms)': `${figures.latencyMs.p50} / ${figures.latencyMs.p99}`,
  'non-2xx / errors': `${figures.statuses.non2xx} / ${figures.statuses.errors}`,
  'drain after last request (ms)': figures.drainMs,
  'accepted / stored': `${accepted} / ${stored} ${figures.complete ? '✔ all accepted stored' : '✘ MISSING'}`,
})
const dir = join(PROJECT_ROOT, 'results')
mkdirSync(dir, { recursive: true })
const file = join(dir, `bench-ingest-${mode}-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(file, JSON.stringify(figures, null, 2))
console.log(`written to ${file}`)
if (!figures.complete) process.exitCode = 1
