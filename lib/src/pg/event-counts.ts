/**
 * How many rows each event id has in `events`: what every exactly-once check reads (tests, the
 * fuzz ledger, the fault suite). Ids go in chunks, so that a run's hundreds of thousands stay
 * one modest query each.
 */
import type pg from 'pg'

const CHUNK = 10_000

/** Row count per id; ids with no row are absent from the map. */
export async function countByEventId(pool: pg.Pool, ids: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (let i = 0; i < ids.length; i += CHUNK) {
    const { rows } = await pool.query<{ event_id: string; n: number }>(
      'SELECT event_id::text, count(*)::int AS n FROM events WHERE event_id = ANY($1::uuid[]) GROUP BY event_id', [ids.slice(i, i + CHUNK)])
    for (const r of rows) counts.set(r.event_id, r.n)
  }
  return counts
}
