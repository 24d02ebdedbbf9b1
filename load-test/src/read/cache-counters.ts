/**
 * query-api's pipeline_query_cache_total counters (by result: local, hit, miss, shared, bypass), read
 * from its /metrics. They count every reader of that query-api, not only this load test.
 */
import { parseCacheCounters } from '../../k6/lib/scenarios.js'

export type CacheCounters = Readonly<Record<string, number>>

const SCRAPE_TIMEOUT_MS = 2000

/** The counters now, or undefined when /metrics does not answer in time (a missing point, not a failed run). */
export async function scrapeCacheCounters(queryUrl: string): Promise<CacheCounters | undefined> {
  try {
    const res = await fetch(`${queryUrl}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) })
    return res.ok ? parseCacheCounters(await res.text()) : undefined
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'TypeError')) return undefined // slow or refused
    throw err
  }
}

/** after − before for each result (the standard five always present). */
export function cacheDelta(before: CacheCounters, after: CacheCounters): Record<string, number> {
  const out: Record<string, number> = { local: 0, hit: 0, miss: 0, shared: 0, bypass: 0 }
  for (const key of Object.keys(after)) out[key] = (after[key] ?? 0) - (before[key] ?? 0)
  return out
}
