/**
 * The generated users of `npm run generate:test-data`: the old system's 10 M-user fixture,
 * made deterministic. Each user is a pure function of (seed, user id), so any range of users
 * can be made on its own (a resumed or extended load makes exactly the rows a full one would),
 * and the rows are what the projector would have folded from the user's transactions:
 * per-category counts and net amounts add up to the user's totals, and `top_category` is
 * picked by the projector's own order (most transactions, then larger net amount, then name).
 */

/** The old verification SQL's buckets of trx_count, and the share of users in each. */
export const BUCKETS = [
  { label: '0', min: 0, max: 0, share: 0.15 },
  { label: '1-10', min: 1, max: 10, share: 0.45 },
  { label: '11-50', min: 11, max: 50, share: 0.25 },
  { label: '51-200', min: 51, max: 200, share: 0.12 },
  { label: '201+', min: 201, max: 20_000, share: 0.03 },
] as const

/** Categories and the mean amount of one transaction in each (minor units). */
export const CATEGORIES: readonly (readonly [string, number])[] = [
  ['books', 1_800], ['electronics', 15_000], ['entertainment', 2_500], ['fashion', 6_000],
  ['groceries', 4_500], ['health', 4_000], ['home', 7_000], ['restaurants', 3_500],
  ['sports', 5_000], ['transport', 1_500], ['travel', 25_000], ['utilities', 9_000],
]

/** Transactions fall within the two years before this instant (fixed: same seed, same rows). */
export const WINDOW_END_MICROS = Date.UTC(2026, 10, 30) * 1000
const WINDOW_MICROS = 730 * 86_400 * 1_000_000

export interface GeneratedCategory {
  readonly category: string
  readonly trxCount: number
  /** Net: created amounts minus refunds, as the projector keeps it. */
  readonly amount: number
}

export interface GeneratedUser {
  readonly userId: number
  readonly trxCount: number
  readonly totalAmount: number
  readonly refundCount: number
  readonly refundedAmount: number
  /** Microseconds since the epoch; null without transactions. */
  readonly firstTrxAt: number | null
  readonly lastTrxAt: number | null
  readonly topCategory: string | null
  readonly categories: readonly GeneratedCategory[]
}

/** A 32-bit mix of two integers (murmur3's finaliser over a combined word). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** mulberry32: small, fast and good enough to shape test data. Returns [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function trxCountOf(random: () => number): number {
  let u = random()
  for (const b of BUCKETS) {
    if (u < b.share || b.label === '201+') {
      if (b.max === b.min) return b.min
      if (b.min > 200) return Math.min(b.max, Math.floor(b.min / Math.pow(1 - random(), 1 / 1.5))) // Pareto tail
      const r = random()
      return b.min + Math.floor((b.max - b.min + 1) * r * r) // skewed towards the bucket's low end
    }
    u -= b.share
  }
  return 0
}

/** How many distinct categories a user with `n` transactions shops in. */
const categoryCountOf = (n: number): number => (n === 0 ? 0 : n <= 2 ? 1 : n <= 10 ? 2 : n <= 50 ? 3 : 4)

/** The projector's order for top_category: most transactions, then larger net amount, then name. */
function topOf(categories: readonly GeneratedCategory[]): string | null {
  let top: GeneratedCategory | undefined
  for (const c of categories) {
    if (top === undefined || c.trxCount > top.trxCount || (c.trxCount === top.trxCount &&
      (c.amount > top.amount || (c.amount === top.amount && c.category < top.category)))) top = c
  }
  return top?.category ?? null
}

export function generateUser(seed: number, userId: number): GeneratedUser {
  // Two words of the id: ids beyond 2^32 stay distinct.
  const random = rng(mix(mix(seed, userId >>> 0), Math.floor(userId / 4_294_967_296)))
  const n = trxCountOf(random)
  const k = categoryCountOf(n)
  if (n === 0) {
    return { userId, trxCount: 0, totalAmount: 0, refundCount: 0, refundedAmount: 0, firstTrxAt: null, lastTrxAt: null, topCategory: null, categories: [] }
  }
  const spend = 0.5 + 1.5 * random() // this user's spending factor
  const first = Math.floor(random() * CATEGORIES.length)
  const stride = 1 + Math.floor(random() * (CATEGORIES.length - 1))
  // Counts: at least one each, the rest shared geometrically (the first category gets the most).
  let rest = n
  const counts: number[] = []
  for (let i = k - 1; i > 0; i--) {
    counts[i] = 1 + Math.floor((n - k) * 0.5 ** (i + 1))
    rest -= counts[i] ?? 0
  }
  counts[0] = rest
  const refundCount = Math.floor(n * 0.04 * random())
  let totalAmount = 0
  let refundedAmount = 0
  const categories: GeneratedCategory[] = []
  let used = 0 // a bit per category index
  for (let i = 0; i < k; i++) {
    let index = (first + i * stride) % CATEGORIES.length
    while ((used & (1 << index)) !== 0) index = (index + 1) % CATEGORIES.length
    used |= 1 << index
    const [category, mean] = CATEGORIES[index] ?? ['other', 1_000]
    const trxCount = counts[i] ?? 1
    const gross = Math.round(trxCount * mean * spend * (0.8 + 0.4 * random()))
    // Refunds are of the most used category's transactions, at its mean amount.
    const refunded = i === 0 ? Math.min(gross, Math.round(refundCount * mean * spend)) : 0
    totalAmount += gross
    refundedAmount += refunded
    categories.push({ category, trxCount, amount: gross - refunded })
  }
  const firstTrxAt = WINDOW_END_MICROS - Math.floor(random() * WINDOW_MICROS)
  const lastTrxAt = n === 1 ? firstTrxAt : firstTrxAt + Math.floor((WINDOW_END_MICROS - firstTrxAt) * Math.sqrt(random()))
  return { userId, trxCount: n, totalAmount, refundCount, refundedAmount, firstTrxAt, lastTrxAt, topCategory: topOf(categories), categories }
}

/** The bucket label of a trx_count, as the old verification SQL grouped them. */
export function bucketOf(trxCount: number): string {
  return BUCKETS.find((b) => trxCount >= b.min && trxCount <= b.max)?.label ?? '201+'
}
