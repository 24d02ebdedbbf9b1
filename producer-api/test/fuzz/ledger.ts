/**
 * After a live run: what the fuzzer's events became in Postgres. Every id the API acknowledged
 * is stored exactly once (the sink is waited for), no id the fuzzer gave an event that was
 * refused is stored, and no row of the run's services has an id the API did not acknowledge.
 */
import type pg from 'pg'
import { countByEventId } from '../../../lib/src/pg/event-counts.js'
import type { IdLedger } from './events.js'
import { UUID } from './oracle.js'

export interface LedgerReport {
  readonly accepted: number
  readonly rejected: number
  /** Acknowledged ids not in Postgres after the wait. */
  readonly missing: number
  /** Acknowledged ids stored more than once. */
  readonly duplicated: number
  /** Refused ids (of this run's nonce) that are stored: must be 0. */
  readonly refusedStored: number
  /** Rows of the run's services whose id was never acknowledged: must be 0. */
  readonly unacknowledgedStored: number
}


export async function checkLedger(pool: pg.Pool, ledger: IdLedger, o: { readonly nonce: string; readonly servicePrefix: string; readonly waitMs: number }): Promise<LedgerReport> {
  const accepted = [...ledger.accepted]
  // Only ids this run made (a refused request may carry an id a client, or an earlier run, had
  // written), and only those that are UUIDs at all: a mutated one ("…-4,000-…") cannot be stored.
  const rejected = [...ledger.rejected].filter((id) => id.startsWith(`${o.nonce}-`) && UUID.test(id) && !ledger.accepted.has(id))
  const deadline = Date.now() + o.waitMs
  let stored = await countByEventId(pool, accepted)
  while (stored.size < accepted.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    stored = await countByEventId(pool, accepted)
  }
  const refused = await countByEventId(pool, rejected)
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE service LIKE $1 || '%' AND NOT (event_id = ANY($2::uuid[]))", [o.servicePrefix, accepted])
  return {
    accepted: accepted.length,
    rejected: rejected.length,
    missing: accepted.length - stored.size,
    duplicated: [...stored.values()].filter((n) => n > 1).length,
    refusedStored: refused.size,
    unacknowledgedStored: rows[0]?.n ?? 0,
  }
}
