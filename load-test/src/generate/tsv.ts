/**
 * Generated users as the tab-separated bytes `LOAD DATA` reads (\N for NULL, one row a line):
 * one buffer for `user_recap_data`, one for `user_recap_categories`. This is the generator's
 * hot loop (10 M users, ~20 M rows): digits and dates are written straight into preallocated
 * buffers, with no string per row (building strings made the garbage collector the largest
 * cost, 14 µs per user; bytes take under 1 µs).
 */
import { CATEGORIES, generateUser, type GeneratedUser } from './users.js'

/** The columns of each text, in order (the LOAD DATA column lists). */
export const DATA_COLUMNS = ['user_id', 'trx_count', 'total_amount', 'refund_count', 'refunded_amount', 'first_trx_at', 'last_trx_at', 'top_category'] as const
export const CATEGORY_COLUMNS = ['user_id', 'category', 'trx_count', 'amount'] as const

const TAB = 9
const NL = 10
const NULL = Buffer.from('\\N')
const NAMES = new Map(CATEGORIES.map(([name]) => [name, Buffer.from(name)]))
const dayPrefixes = new Map<number, Buffer>()

/** A growable byte buffer with the few writes a TSV row needs. */
export class ByteWriter {
  private buf: Buffer
  private pos = 0

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity)
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  byte(b: number): this {
    this.room(1)
    this.buf[this.pos++] = b
    return this
  }

  bytes(b: Buffer): this {
    this.room(b.length)
    // A loop: Buffer#copy costs more than it moves for the few bytes of a name or a date.
    for (let i = 0; i < b.length; i++) this.buf[this.pos + i] = b[i] ?? 0
    this.pos += b.length
    return this
  }

  /** A safe integer in decimal. */
  int(n: number): this {
    this.room(17)
    if (n < 0) {
      this.buf[this.pos++] = 45 // '-'
      n = -n
    }
    let digits = 1
    for (let p = 10; p <= n; p *= 10) digits++
    let at = this.pos + digits
    this.pos = at
    do {
      const q = Math.floor(n / 10)
      this.buf[--at] = 48 + (n - q * 10)
      n = q
    } while (n > 0)
    return this
  }

  /** `n` in exactly `width` digits, zero-padded. */
  padded(n: number, width: number): this {
    this.room(width)
    for (let at = this.pos + width - 1; at >= this.pos; at--) {
      const q = Math.floor(n / 10)
      this.buf[at] = 48 + (n - q * 10)
      n = q
    }
    this.pos += width
    return this
  }

  /** MySQL DATETIME(6) text in UTC, `2026-11-24 15:08:02.123456`. */
  datetime(micros: number): this {
    const day = Math.floor(micros / 86_400_000_000)
    let prefix = dayPrefixes.get(day)
    if (prefix === undefined) {
      prefix = Buffer.from(`${new Date(day * 86_400_000).toISOString().slice(0, 10)} `)
      dayPrefixes.set(day, prefix)
    }
    const inDay = micros - day * 86_400_000_000
    const seconds = Math.floor(inDay / 1_000_000)
    return this.bytes(prefix).padded(Math.floor(seconds / 3600), 2).byte(58).padded(Math.floor(seconds / 60) % 60, 2).byte(58)
      .padded(seconds % 60, 2).byte(46).padded(inDay - seconds * 1_000_000, 6)
  }

  get length(): number {
    return this.pos
  }

  /** The bytes written (a view, not a copy). */
  bytesWritten(): Buffer {
    return this.buf.subarray(0, this.pos)
  }
}

function name(w: ByteWriter, category: string): ByteWriter {
  return w.bytes(NAMES.get(category) ?? Buffer.from(category))
}

/** One user's rows: its line of user_recap_data and its lines of user_recap_categories. */
export function writeUser(data: ByteWriter, categories: ByteWriter, u: GeneratedUser): void {
  data.int(u.userId).byte(TAB).int(u.trxCount).byte(TAB).int(u.totalAmount).byte(TAB).int(u.refundCount).byte(TAB).int(u.refundedAmount).byte(TAB)
  if (u.firstTrxAt === null) data.bytes(NULL)
  else data.datetime(u.firstTrxAt)
  data.byte(TAB)
  if (u.lastTrxAt === null) data.bytes(NULL)
  else data.datetime(u.lastTrxAt)
  data.byte(TAB)
  if (u.topCategory === null) data.bytes(NULL)
  else name(data, u.topCategory)
  data.byte(NL)
  for (const c of u.categories) name(categories.int(u.userId).byte(TAB), c.category).byte(TAB).int(c.trxCount).byte(TAB).int(c.amount).byte(NL)
}

export interface Chunk {
  readonly firstUser: number
  readonly lastUser: number
  readonly data: Buffer
  readonly categories: Buffer
  readonly users: number
  readonly categoryRows: number
}

/** The rows of users `firstUser..lastUser`, less those in `skip` (users the read model holds already). */
export function encodeChunk(seed: number, firstUser: number, lastUser: number, skip: ReadonlySet<number> = new Set()): Chunk {
  const span = lastUser - firstUser + 1
  const data = new ByteWriter(span * 96 + 64)
  const categories = new ByteWriter(span * 48 + 64)
  let users = 0
  let categoryRows = 0
  for (let id = firstUser; id <= lastUser; id++) {
    if (skip.has(id)) continue
    const u = generateUser(seed, id)
    writeUser(data, categories, u)
    users++
    categoryRows += u.categories.length
  }
  return { firstUser, lastUser, data: data.bytesWritten(), categories: categories.bytesWritten(), users, categoryRows }
}
