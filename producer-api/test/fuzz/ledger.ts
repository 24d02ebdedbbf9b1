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
  /** Rows of the run's services whose id was never acknowledged: at most `uncertainEvents`. */
  readonly unacknowledgedStored: number
  /** Events of requests whose answer was uncertain (IdLedger): each may be stored unacknowledged. */
  readonly uncertainEvents: number
}

/** What a live fuzz run leaves for a later check (scripts/fuzz.ts --ledger-file, read by the fault run). */
export interface FuzzLedgerFile {
  readonly nonce: string
  readonly servicePrefix: string
  readonly accepted: readonly string[]
  readonly rejected: readonly string[]
  readonly uncertainEvents: number
  readonly campaigns: readonly { readonly name: string; readonly runs: number; readonly failed: boolean; readonly text: string }[]
}

export const ledgerOf = (f: FuzzLedgerFile): IdLedger => ({ accepted: new Set(f.accepted), rejected: new Set(f.rejected), uncertainEvents: f.uncertainEvents })

/** Every acknowledged id once, no refused id, and no row unacknowledged but those an uncertain answer explains. */
export const ledgerHolds = (r: LedgerReport): boolean =>
  r.missing === 0 && r.duplicated === 0 && r.refusedStored === 0 && r.unacknowledgedStored <= r.uncertainEvents

export const formatLedger = (r: LedgerReport, servicePrefix: string): string =>
  `postgres: ${r.accepted} acknowledged ids, ${r.missing} missing, ${r.duplicated} stored twice; ${r.rejected} refused ids of this run, ${r.refusedStored} stored; `
  + `${r.unacknowledgedStored} rows of ${servicePrefix}* never acknowledged (${r.uncertainEvents} events had an uncertain answer)`


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
    uncertainEvents: ledger.uncertainEvents,
  }
}
