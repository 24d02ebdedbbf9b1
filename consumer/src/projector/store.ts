/**
 * Applies one partition's trx events to the MySQL read model in one transaction, together
 * with the partition's next offset. The offset row is locked first (two owners of a partition
 * during a rebalance write one after the other, and the second skips what the first wrote);
 * events whose id was already folded (a client's retry put them in the log twice) are skipped.
 */
import type mysql from 'mysql2/promise'
import { toMysqlDatetime } from '../../../lib/src/time.js'
import { takeFixtureCategories } from './fixture.js'
import { foldTrx, type TrxEvent, type UserDelta } from './fold.js'

export interface ProjectionBatch {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly firstOffset: bigint
  readonly nextOffset: bigint
  readonly allowGap: boolean
  /** The batch's trx events (other records only move the position). */
  readonly events: readonly { readonly offset: bigint; readonly event: TrxEvent }[]
}

export type ProjectionResult =
  | { readonly kind: 'written'; readonly applied: number; readonly duplicates: number; readonly users: readonly number[] }
  | { readonly kind: 'behind'; readonly storedNext: bigint }

/** An event id as the 32 hex digits of its BINARY(16) column. */
const hexId = (eventId: string): string => eventId.replace(/-/g, '')
const datetime = (micros: number | null): string | null => (micros === null ? null : toMysqlDatetime(micros))

/** The ids of `hexIds` already in user_recap_applied. */
async function alreadyApplied(conn: mysql.PoolConnection, hexIds: readonly string[]): Promise<Set<string>> {
  if (hexIds.length === 0) return new Set()
  const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT event_id FROM user_recap_applied WHERE event_id IN (?)',
    [hexIds.map((id) => Buffer.from(id, 'hex'))])
  return new Set(rows.map((r) => (r.event_id as Buffer).toString('hex')))
}

/**
 * Adds per-user deltas to user_recap_data and user_recap_categories and recomputes the users'
 * top_category, in the caller's transaction. Every column is a sum, a minimum or a maximum, so
 * deltas commute: the projector's batches and generate:test-data's fixture add up in any order
 * (a generated user's per-category base joins user_recap_categories on its first fold, ./fixture.ts).
 * Returns the touched user ids.
 */
export async function addDeltas(conn: mysql.PoolConnection | mysql.Connection, deltas: Iterable<UserDelta>): Promise<number[]> {
  const users = [...deltas].sort((a, b) => a.userId - b.userId) // one lock order for every writer
  if (users.length === 0) return []
  await conn.query(
    `INSERT INTO user_recap_data (user_id, trx_count, total_amount, refund_count, refunded_amount, first_trx_at, last_trx_at) VALUES ?
     ON DUPLICATE KEY UPDATE
       trx_count = trx_count + VALUES(trx_count),
       total_amount = total_amount + VALUES(total_amount),
       refund_count = refund_count + VALUES(refund_count),
       refunded_amount = refunded_amount + VALUES(refunded_amount),
       first_trx_at = COALESCE(LEAST(first_trx_at, VALUES(first_trx_at)), first_trx_at, VALUES(first_trx_at)),
       last_trx_at = COALESCE(GREATEST(last_trx_at, VALUES(last_trx_at)), last_trx_at, VALUES(last_trx_at))`,
    [users.map((u) => [u.userId, u.trxCount, u.totalAmount, u.refundCount, u.refundedAmount, datetime(u.firstTrxAt), datetime(u.lastTrxAt)])])
  // A generated user's first fold adds its fixture base too (the same key twice in one INSERT adds up).
  const categories = [
    ...await takeFixtureCategories(conn, users.map((u) => u.userId)),
    ...users.flatMap((u) => [...u.categories].map(([category, c]) => [u.userId, category, c.trxCount, c.amount])),
  ]
  if (categories.length > 0) {
    await conn.query(
      `INSERT INTO user_recap_categories (user_id, category, trx_count, amount) VALUES ?
       ON DUPLICATE KEY UPDATE trx_count = trx_count + VALUES(trx_count), amount = amount + VALUES(amount)`, [categories])
  }
  const ids = users.map((u) => u.userId)
  await conn.query(
    `UPDATE user_recap_data d SET top_category = (
       SELECT c.category FROM user_recap_categories c WHERE c.user_id = d.user_id
       ORDER BY c.trx_count DESC, c.amount DESC, c.category ASC LIMIT 1)
     WHERE d.user_id IN (?)`, [ids])
  return ids
}

async function apply(conn: mysql.PoolConnection, events: readonly TrxEvent[]): Promise<number[]> {
  await conn.query('INSERT INTO user_recap_applied (event_id, user_id) VALUES ?', [events.map((e) => [Buffer.from(hexId(e.eventId), 'hex'), e.userId])])
  return addDeltas(conn, foldTrx(events).values())
}

export async function projectBatch(conn: mysql.PoolConnection, batch: ProjectionBatch): Promise<ProjectionResult> {
  const key = [batch.group, batch.topic, batch.partition]
  await conn.beginTransaction()
  try {
    // No row: start at the log's start, whatever Kafka's committed offset says (see sink/copy.ts).
    await conn.query('INSERT IGNORE INTO projector_offsets (consumer_group, topic, partition_id, next_offset) VALUES (?, ?, ?, 0)', key)
    const [locked] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT next_offset FROM projector_offsets WHERE consumer_group = ? AND topic = ? AND partition_id = ? FOR UPDATE', key)
    const stored = BigInt(String(locked[0]?.next_offset ?? 0))
    if (stored < batch.firstOffset && !batch.allowGap) {
      await conn.rollback()
      return { kind: 'behind', storedNext: stored }
    }
    const fresh = new Map<string, TrxEvent>() // by hex id: one event twice in a batch is folded once
    let considered = 0
    for (const { offset, event } of batch.events) {
      if (offset < stored) continue
      considered++
      fresh.set(hexId(event.eventId), event)
    }
    const seen = await alreadyApplied(conn, [...fresh.keys()])
    const events = [...fresh].flatMap(([id, event]) => (seen.has(id) ? [] : [event]))
    const users = events.length > 0 ? await apply(conn, events) : []
    if (batch.nextOffset > stored) {
      await conn.query('UPDATE projector_offsets SET next_offset = ? WHERE consumer_group = ? AND topic = ? AND partition_id = ?',
        [String(batch.nextOffset), ...key])
    }
    await conn.commit()
    return { kind: 'written', applied: events.length, duplicates: considered - events.length, users }
  } catch (err) {
    await conn.rollback().catch(() => undefined) // the connection may be gone; the caller discards it
    throw err
  }
}
