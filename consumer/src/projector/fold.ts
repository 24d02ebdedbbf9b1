/**
 * Folds trx.* events into per-user deltas of the read model. Pure: no I/O. Every part of a
 * delta is a sum, a minimum or a maximum, so deltas combine in any order: a batch's deltas
 * are added to the stored row, and replaying the log from the start rebuilds the same rows.
 */
import type { EventRecord } from '../../../lib/src/avro/codec.js'

export const TRX_CREATED = 'trx.created'
export const TRX_REFUNDED = 'trx.refunded'

export function isTrxType(eventType: string): eventType is typeof TRX_CREATED | typeof TRX_REFUNDED {
  return eventType === TRX_CREATED || eventType === TRX_REFUNDED
}

export interface CategoryDelta {
  trxCount: number
  amount: number
}

export interface UserDelta {
  readonly userId: number
  trxCount: number
  totalAmount: number
  refundCount: number
  refundedAmount: number
  /** Microseconds since the epoch, of trx.created events; null when the batch has none. */
  firstTrxAt: number | null
  lastTrxAt: number | null
  readonly categories: Map<string, CategoryDelta>
}

/** A trx.* event, reduced to what the read model folds. */
export interface TrxEvent {
  readonly eventId: string
  readonly userId: number
  readonly type: typeof TRX_CREATED | typeof TRX_REFUNDED
  /** Microseconds since the epoch. */
  readonly occurredAt: number
  readonly amount: number
  readonly category: string
}

/** The trx event in `record`, or undefined when it is not one the read model can fold. */
export function toTrxEvent(record: EventRecord): TrxEvent | undefined {
  const type = record.event_type
  if (!isTrxType(type) || record.user_id === null) return undefined
  const p = record.payload as { amount?: unknown; category?: unknown } | null
  if (p === null || typeof p !== 'object' || typeof p.amount !== 'number' || typeof p.category !== 'string') return undefined
  return { eventId: record.event_id, userId: record.user_id, type, occurredAt: record.occurred_at, amount: p.amount, category: p.category }
}

/** Deltas by user. */
export function foldTrx(events: Iterable<TrxEvent>): Map<number, UserDelta> {
  const users = new Map<number, UserDelta>()
  for (const e of events) {
    let u = users.get(e.userId)
    if (u === undefined) {
      u = { userId: e.userId, trxCount: 0, totalAmount: 0, refundCount: 0, refundedAmount: 0, firstTrxAt: null, lastTrxAt: null, categories: new Map() }
      users.set(e.userId, u)
    }
    let c = u.categories.get(e.category)
    if (c === undefined) {
      c = { trxCount: 0, amount: 0 }
      u.categories.set(e.category, c)
    }
    if (e.type === TRX_CREATED) {
      u.trxCount++
      u.totalAmount += e.amount
      u.firstTrxAt = u.firstTrxAt === null ? e.occurredAt : Math.min(u.firstTrxAt, e.occurredAt)
      u.lastTrxAt = u.lastTrxAt === null ? e.occurredAt : Math.max(u.lastTrxAt, e.occurredAt)
      c.trxCount++
      c.amount += e.amount
    } else {
      u.refundCount++
      u.refundedAmount += e.amount
      c.amount -= e.amount
    }
  }
  return users
}
