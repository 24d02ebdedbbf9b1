/**
 * user-recap-projector's PositionStore (../position.ts): a transaction on a MySQL connection,
 * the partition's position in `projector_offsets`, the trx events folded into the read model.
 * Events whose id was already folded (a client's retry put them in the log twice) are skipped.
 * The touched users are marked for invalidation in the same transaction (./invalidations.ts).
 */
import type mysql from 'mysql2/promise'
import { toMysqlDatetime } from '../../../lib/src/time.js'
import { writeAtPosition, type BatchPosition, type PositionOutcome, type PositionStore, type PositionStoreDeps, type PositionTransaction } from '../position.js'
import { takeFixtureCategories } from './fixture.js'
import { foldTrx, type TrxEvent, type UserDelta } from './fold.js'
import { mark, newMarkToken } from './invalidations.js'

/** A trx event of the batch, at its offset (the batch's other records only move the position). */
export interface TrxAt {
  readonly offset: bigint
  readonly event: TrxEvent
}

export interface Projection {
  readonly applied: number
  /** Events whose id was folded already (by an earlier batch, or twice in this one). */
  readonly duplicates: number
  /** The users whose rows changed. */
  readonly users: readonly number[]
  /** The token their invalidation marks carry (./invalidations.ts); undefined when no row changed. */
  readonly marks?: Buffer
}

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

/** Folds `records` (each event id once, ever) in the connection's open transaction. */
async function project(conn: mysql.PoolConnection, records: readonly TrxAt[]): Promise<Projection> {
  const fresh = new Map<string, TrxEvent>() // by hex id: one event twice in a batch is folded once
  for (const { event } of records) fresh.set(hexId(event.eventId), event)
  const seen = await alreadyApplied(conn, [...fresh.keys()])
  const events = [...fresh].flatMap(([id, event]) => (seen.has(id) ? [] : [event]))
  const users = events.length > 0 ? await apply(conn, events) : []
  if (users.length === 0) return { applied: events.length, duplicates: records.length - events.length, users }
  // Their cache entries are to be dropped once this commits, even if this process is not there then.
  const marks = newMarkToken()
  await mark(conn, users, marks)
  return { applied: events.length, duplicates: records.length - events.length, users, marks }
}

/** A transaction of `group`'s positions on `conn`, begun; `end` hands the connection back (or discards it after a failure). */
async function beginOn(conn: mysql.PoolConnection, group: string, end: (failure?: unknown) => void): Promise<PositionTransaction<TrxAt, Projection>> {
  await conn.beginTransaction()
  return {
    async lockPosition(topic, partition) {
      const key = [group, topic, partition]
      await conn.query('INSERT IGNORE INTO projector_offsets (consumer_group, topic, partition_id, next_offset) VALUES (?, ?, ?, 0)', key)
      const [locked] = await conn.query<mysql.RowDataPacket[]>(
        'SELECT next_offset FROM projector_offsets WHERE consumer_group = ? AND topic = ? AND partition_id = ? FOR UPDATE', key)
      return BigInt(String(locked[0]?.next_offset ?? 0))
    },
    write: (records) => project(conn, records),
    async storePosition(topic, partition, nextOffset) {
      await conn.query('UPDATE projector_offsets SET next_offset = ? WHERE consumer_group = ? AND topic = ? AND partition_id = ?',
        [String(nextOffset), group, topic, partition])
    },
    async commit() {
      await conn.commit()
      end()
    },
    async rollback(failure) {
      if (failure === undefined) {
        await conn.rollback()
        end()
        return
      }
      await conn.rollback().catch(() => undefined) // the connection may be gone: it is discarded
      end(failure)
    },
  }
}

export function createProjectorStore({ pool, group }: PositionStoreDeps<mysql.Pool>): PositionStore<TrxAt, Projection> {
  return {
    async begin() {
      const conn = await pool.getConnection()
      // After a failure its state is unknown: never hand it back to the pool.
      const end = (failure?: unknown) => (failure === undefined ? conn.release() : conn.destroy())
      try {
        return await beginOn(conn, group, end)
      } catch (err) {
        end(err)
        throw err
      }
    },
  }
}

/** One batch of `group` on a connection the caller holds and releases (scripts and tests that fold by hand). */
export type ProjectionBatch = BatchPosition & { readonly group: string; readonly events: readonly TrxAt[] }

export function projectBatch(conn: mysql.PoolConnection, batch: ProjectionBatch): Promise<PositionOutcome<Projection>> {
  return writeAtPosition({ begin: () => beginOn(conn, batch.group, () => undefined) }, batch, batch.events)
}
