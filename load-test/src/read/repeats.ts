/**
 * How many of a run's requests were for a user the run had asked for already: the hit rate an
 * unbounded cache that starts the run empty would reach. It puts the measured hit rate in
 * proportion: a Zipf-like draw over 10 M users keeps meeting users never seen before, so even
 * a perfect cache misses those (first sight is always a miss). One bit per user id.
 */
export interface RepeatCounter {
  /** `userId` was asked for; counted in the totals if `counted` (after the warm-up). */
  see(userId: number, counted: boolean): void
  /** Repeats / counted requests; null before any counted request. */
  readonly rate: number | null
}

export function createRepeatCounter(firstUser: number, users: number): RepeatCounter {
  const seen = new Uint8Array(Math.ceil(users / 8))
  let counted = 0
  let repeats = 0
  return {
    see(userId, count) {
      const i = userId - firstUser
      if (i < 0 || i >= users) return
      const byte = i >>> 3
      const bit = 1 << (i & 7)
      const before = ((seen[byte] ?? 0) & bit) !== 0
      seen[byte] = (seen[byte] ?? 0) | bit
      if (!count) return
      counted++
      if (before) repeats++
    },
    get rate() { return counted === 0 ? null : repeats / counted },
  }
}
