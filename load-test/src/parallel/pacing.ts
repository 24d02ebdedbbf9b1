/**
 * Open-model pacing: request k is due at start + k × interval whatever happened to the ones
 * before it (no coordinated omission); latency is measured from the due time.
 */
export interface Schedule {
  readonly intervalMs: number
  readonly total: number
  dueAt(k: number): number
}

export function schedule(startMs: number, eventsPerMinute: number, batchSize: number, seconds: number): Schedule {
  const requestsPerSecond = eventsPerMinute / 60 / batchSize
  const intervalMs = 1000 / requestsPerSecond
  return { intervalMs, total: Math.floor(seconds * requestsPerSecond), dueAt: (k) => startMs + k * intervalMs }
}

/** The indexes due by `now`, from `next` on (at most `limit`). */
export function dueRange(s: Schedule, next: number, now: number, limit = Number.MAX_SAFE_INTEGER): { from: number; to: number } {
  let to = next
  while (to < s.total && to - next < limit && s.dueAt(to) <= now) to++
  return { from: next, to }
}
