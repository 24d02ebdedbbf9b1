/**
 * Generated users as the tab-separated bytes `LOAD DATA` reads (\N for NULL, one row a line):
 * one line of `user_recap_data` per user, its categories in the row's `fixture_categories`
 * (JSON, consumer/src/projector/fixture.ts), so that 10 M users are 10 M rows. This is the
 * generator's hot loop: digits and dates are written straight into a preallocated buffer, with
 * no string per row (building strings made the garbage collector the largest cost, 14 µs per
 * user; bytes take under 1 µs).
 */
import { CATEGORIES, generateUser, type GeneratedUser } from './users.js'

/** The columns of each line, in order (the LOAD DATA column list). */
export const DATA_COLUMNS = ['user_id', 'trx_count', 'total_amount', 'refund_count', 'refunded_amount', 'first_trx_at', 'last_trx_at', 'top_category', 'fixture_categories'] as const

const TAB = 9
const NL = 10
const OPEN = 91 // [
const CLOSE = 93 // ]
const COMMA = 44
const NULL = Buffer.from('\\N')
// The generator's names need no escaping, in TSV or in JSON: checked once, here.
for (const [name] of CATEGORIES) if (!/^[a-z][a-z &-]*$/.test(name)) throw new Error(`category "${name}" would need escaping`)
const NAMES = new Map(CATEGORIES.map(([name]) => [name, Buffer.from(name)]))
/** `["name",` of each category, the start of its JSON triple. */
const JSON_NAMES = new Map(CATEGORIES.map(([name]) => [name, Buffer.from(`[${JSON.stringify(name)},`)]))
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

function bytesOf(table: ReadonlyMap<string, Buffer>, category: string): Buffer {
  const bytes = table.get(category)
  if (bytes === undefined) throw new Error(`not a generated category: ${category}`)
  return bytes
}

/** One user's line of user_recap_data, with its categories as `fixture_categories`. */
export function writeUser(data: ByteWriter, u: GeneratedUser): void {
  data.int(u.userId).byte(TAB).int(u.trxCount).byte(TAB).int(u.totalAmount).byte(TAB).int(u.refundCount).byte(TAB).int(u.refundedAmount).byte(TAB)
  if (u.firstTrxAt === null) data.bytes(NULL)
  else data.datetime(u.firstTrxAt)
  data.byte(TAB)
  if (u.lastTrxAt === null) data.bytes(NULL)
  else data.datetime(u.lastTrxAt)
  data.byte(TAB)
  if (u.topCategory === null) data.bytes(NULL)
  else data.bytes(bytesOf(NAMES, u.topCategory))
  data.byte(TAB)
  if (u.categories.length === 0) data.bytes(NULL)
  else {
    data.byte(OPEN)
    u.categories.forEach((c, i) => {
      if (i > 0) data.byte(COMMA)
      data.bytes(bytesOf(JSON_NAMES, c.category)).int(c.trxCount).byte(COMMA).int(c.amount).byte(CLOSE)
    })
    data.byte(CLOSE)
  }
  data.byte(NL)
}

export interface Chunk {
  readonly firstUser: number
  readonly lastUser: number
  readonly data: Buffer
  readonly users: number
}

/** The rows of users `firstUser..lastUser`, less those in `skip` (users the read model holds already). */
export function encodeChunk(seed: number, firstUser: number, lastUser: number, skip: ReadonlySet<number> = new Set()): Chunk {
  const span = lastUser - firstUser + 1
  const data = new ByteWriter(span * 160 + 64)
  let users = 0
  for (let id = firstUser; id <= lastUser; id++) {
    if (skip.has(id)) continue
    writeUser(data, generateUser(seed, id))
    users++
  }
  return { firstUser, lastUser, data: data.bytesWritten(), users }
}
