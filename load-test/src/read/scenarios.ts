/**
 * Read-path scenarios against a running stack: seed users through the write path, then drive
 * GET /api/user-data with signed requests (autocannon, closed loop) in four shapes:
 * - hot: reads spread over the seeded users, again and again (cache hits once warm);
 * - cold: every read a user not read before (a miss and a MySQL query each);
 * - stampede: bursts of concurrent reads of one just-invalidated user (one MySQL query per burst);
 * - unknown: users without data (404, answered from the negative cache after the first).
 * Each reports requests/s, latency percentiles, statuses, and the cache counters query-api
 * exported during it.
 */
import autocannon from 'autocannon'
import { createEventsClient, type EventInput } from '../../../lib/src/client/events-client.js'
import { signedHeaders } from '../../../lib/src/signature.js'
import { parseCacheCounters } from '../../k6/lib/scenarios.js'

export interface ReadTarget {
  readonly producerUrl: string
  readonly queryUrl: string
  readonly secret: string
}

export interface ScenarioResult {
  readonly name: string
  readonly connections: number
  readonly seconds: number
  readonly requests: number
  readonly requestsPerSecond: number
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number }
  readonly statuses: Readonly<Record<string, number>>
  /** Deltas of pipeline_query_cache_total over the scenario, by result. */
  readonly cache: Readonly<Record<string, number>>
}

/** Sends `trxPerUser` trx.created events for each of `users` and waits until query-api serves the last one. */
export async function seedUsers(target: ReadTarget, users: readonly number[], trxPerUser: number, log: (line: string) => void): Promise<void> {
  const client = createEventsClient({ url: target.producerUrl, connections: 8 })
  try {
    const events: EventInput[] = users.flatMap((user) => Array.from({ length: trxPerUser }, (_, i) => ({
      service: 'load-test-read', event_type: 'trx.created', user_id: user,
      payload: { trx_id: `${user}-${i}`, amount: 100 + i, currency: 'EUR', category: ['groceries', 'travel', 'books'][i % 3] ?? 'other', merchant: 'load-test' },
    })))
    for (let i = 0; i < events.length; i += 500) {
      const result = await client.sendBatch(events.slice(i, i + 500))
      if (result.outcome !== 'accepted') throw new Error(`seeding failed: ${result.outcome}`)
    }
    log(`seeded ${users.length} users × ${trxPerUser} trx.created`)
  } finally {
    await client.close()
  }
  const last = users.at(-1)
  if (last === undefined) return
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const res = await fetch(`${target.queryUrl}/api/user-data`, { headers: signedHeaders(target.secret, last) })
    if (res.status === 200 && ((await res.json()) as { trx_count: number }).trx_count >= trxPerUser) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error('the projector did not fold the seeded users within 120 s')
}

export async function cacheCounters(queryUrl: string): Promise<Record<string, number>> {
  return parseCacheCounters(await (await fetch(`${queryUrl}/metrics`)).text())
}

/** Closed-loop run: `pick()` chooses the user of each request; `connections` requests in flight. */
export async function runScenario(
  target: ReadTarget, name: string, pick: () => number, o: { connections: number; seconds?: number; amount?: number },
): Promise<ScenarioResult> {
  const before = await cacheCounters(target.queryUrl)
  const started = Date.now()
  const result = await autocannon({
    url: `${target.queryUrl}/api/user-data`,
    connections: o.connections,
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.seconds ?? 10 }),
    requests: [{
      method: 'GET',
      setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...signedHeaders(target.secret, pick()) } }),
    }],
  })
  const seconds = (Date.now() - started) / 1000
  const after = await cacheCounters(target.queryUrl)
  const statuses: Record<string, number> = {}
  for (const [code, n] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (n as { count: number }).count
  return {
    name, connections: o.connections, seconds: +seconds.toFixed(2),
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / seconds),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    statuses,
    cache: Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)])),
  }
}
