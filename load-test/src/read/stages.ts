/**
 * The time shape of a scenario: how many VUs should run at a time (closed model), and when the
 * k-th request is due (open model). Both follow k6: a stage moves linearly from the previous
 * stage's target (0 before the first) to its own.
 */
import type { Stage } from '../../k6/lib/scenarios.js'

/** The stage value at `seconds` after the start: linear within each stage, 0 after the last. */
export function targetAt(stages: readonly Stage[], seconds: number): number {
  let from = 0
  let start = 0
  for (const st of stages) {
    if (seconds < start + st.durationSeconds) return from + ((st.target - from) * (seconds - start)) / st.durationSeconds
    start += st.durationSeconds
    from = st.target
  }
  return from
}

export interface ArrivalSchedule {
  /** Requests in the whole run. */
  readonly total: number
  /** Milliseconds after the start at which request k (0-based) is due. */
  dueAt(k: number): number
}

/** `rate` requests/s for `seconds`: request k is due at k / rate, whatever came before. */
export function constantArrivals(rate: number, seconds: number): ArrivalSchedule {
  const intervalMs = 1000 / rate
  return { total: Math.floor(rate * seconds), dueAt: (k) => k * intervalMs }
}

interface Segment {
  readonly startMs: number
  readonly durationMs: number
  /** Requests due before the segment. */
  readonly before: number
  readonly fromRate: number
  readonly toRate: number
}

/**
 * A rate that ramps through `stages` (requests/s targets, k6 ramping-arrival-rate from 0):
 * request k is due when the integral of the rate reaches k, found by solving the quadratic
 * of its segment, so each request has an exact due time.
 */
export function rampingArrivals(stages: readonly Stage[]): ArrivalSchedule {
  const segments: Segment[] = []
  let startMs = 0
  let before = 0
  let fromRate = 0
  for (const st of stages) {
    const durationMs = st.durationSeconds * 1000
    segments.push({ startMs, durationMs, before, fromRate, toRate: st.target })
    before += ((fromRate + st.target) / 2) * st.durationSeconds
    startMs += durationMs
    fromRate = st.target
  }
  const total = Math.floor(before + 1e-9)
  let hint = 0 // dueAt is called with growing k: the segment search resumes where it left off
  return {
    total,
    dueAt(k) {
      while (hint < segments.length - 1 && k >= (segments[hint + 1]?.before ?? Infinity)) hint++
      while (hint > 0 && k < (segments[hint]?.before ?? 0)) hint--
      const s = segments[hint]
      if (s === undefined) return 0
      // k - before = from·τ + (to - from)·τ² / (2·d), τ in seconds into the segment.
      const d = s.durationMs / 1000
      const a = (s.toRate - s.fromRate) / (2 * d)
      const b = s.fromRate
      const c = k - s.before
      const tau = Math.abs(a) < 1e-12 ? (b > 0 ? c / b : 0) : (-b + Math.sqrt(Math.max(0, b * b + 4 * a * c))) / (2 * a)
      return s.startMs + Math.min(s.durationMs, tau * 1000)
    },
  }
}
