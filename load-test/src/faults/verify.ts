/**
 * After a fault run, once the consumers have caught up: each event of the ledger against
 * Postgres (acknowledged: exactly once; rejected: absent; unknown: at most once) and each of the
 * run's users against the read model (trx_count = its trx.created events that are in Postgres,
 * so every stored event was folded exactly once).
 */
import type { Pool as MysqlPool, RowDataPacket } from 'mysql2/promise'
import type pg from 'pg'
import { countByEventId } from '../../../lib/src/pg/event-counts.js'
import type { LedgerEntry } from './load.js'

export interface Verification {
  readonly acknowledged: number
  readonly rejected: number
  readonly unknown: number
  /** Acknowledged, not in Postgres. */
  readonly lost: number
  /** In Postgres more than once (whatever their outcome). */
  readonly duplicated: number
  /** Rejected, yet in Postgres. */
  readonly rejectedPresent: number
  /** Unknown and stored (once). */
  readonly unknownPresent: number
  readonly users: number
  /** Users whose trx_count is not the number of their stored trx.created events. */
  readonly readModelMismatches: number
  readonly examples: readonly string[]
}

const CHUNK = 10_000

/** Polls until every acknowledged event is in Postgres (or `timeoutMs`); resolves with the counts. */
export async function waitForAcknowledged(pool: pg.Pool, ledger: ReadonlyMap<string, LedgerEntry>, timeoutMs: number, onWait: (missing: number) => void): Promise<Map<string, number>> {
  const acked = [...ledger].filter(([, e]) => e.outcome === 'acknowledged').map(([id]) => id)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = await countByEventId(pool, acked)
    const missing = acked.length - counts.size
    if (missing === 0 || Date.now() > deadline) return countByEventId(pool, [...ledger.keys()])
    onWait(missing)
    await new Promise((r) => setTimeout(r, 1000))
  }
}

export async function trxCounts(mysql: MysqlPool, users: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  for (let i = 0; i < users.length; i += CHUNK) {
    const [rows] = await mysql.query<RowDataPacket[]>('SELECT user_id, trx_count FROM user_recap_data WHERE user_id IN (?)', [users.slice(i, i + CHUNK)])
    for (const r of rows) out.set(Number(r.user_id), Number(r.trx_count))
  }
  return out
}

/** Each user's trx.created events that are in Postgres: what its read-model row must have folded. */
export function expectedTrxCounts(ledger: ReadonlyMap<string, LedgerEntry>, stored: ReadonlyMap<string, number>): Map<number, number> {
  const expected = new Map<number, number>()
  for (const [id, e] of ledger) {
    if (e.userId === undefined) continue
    expected.set(e.userId, (expected.get(e.userId) ?? 0) + (stored.has(id) ? 1 : 0))
  }
  return expected
}

export function verifyLedger(ledger: ReadonlyMap<string, LedgerEntry>, stored: ReadonlyMap<string, number>, folded: ReadonlyMap<number, number>): Verification {
  const v = { acknowledged: 0, rejected: 0, unknown: 0, lost: 0, duplicated: 0, rejectedPresent: 0, unknownPresent: 0 }
  const examples: string[] = []
  const note = (what: string) => { if (examples.length < 10) examples.push(what) }
  for (const [id, e] of ledger) {
    const n = stored.get(id) ?? 0
    v[e.outcome]++
    if (n > 1) { v.duplicated++; note(`${id} (${e.outcome}) stored ${n} times`) }
    if (e.outcome === 'acknowledged' && n === 0) { v.lost++; note(`${id} acknowledged, not stored`) }
    if (e.outcome === 'rejected' && n > 0) { v.rejectedPresent++; note(`${id} rejected, yet stored`) }
    if (e.outcome === 'unknown' && n > 0) v.unknownPresent++
  }
  const expected = expectedTrxCounts(ledger, stored)
  let readModelMismatches = 0
  for (const [user, count] of expected) {
    const got = folded.get(user) ?? 0
    if (got !== count) { readModelMismatches++; note(`user ${user}: trx_count ${got}, ${count} stored trx.created`) }
  }
  return { ...v, users: expected.size, readModelMismatches, examples }
}
