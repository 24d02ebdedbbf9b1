/**
 * Latency and status bookkeeping of one read run, in two views: each second of the run (the
 * timeline, answers that arrived in that second) and the totals (requests sent, or due, after
 * the warm-up). Latencies are kept in microseconds in HDR histograms (3 significant digits).
 */
import * as hdr from 'hdr-histogram-js'

/** Status of a request that got no answer (refused, reset, timed out). */
export const NO_ANSWER = 0
/** Status of a request the open model did not send: too many were already in flight. */
export const DROPPED = -1

const MAX_US = 120_000_000 // 2 minutes: far above any request timeout

/** Percentiles are null in a second without any answer to time. */
export interface SecondFigures {
  readonly requests: number
  readonly errors: number
  readonly p50: number | null
  readonly p95: number | null
  readonly p99: number | null
}

export interface LatencyFigures {
  readonly p50: number
  readonly p90: number
  readonly p95: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

export interface TotalFigures {
  /** Sent or due after the warm-up, dropped ones included. */
  readonly requests: number
  /** Of those, the ones that got an HTTP answer (any status). */
  readonly answered: number
  readonly statuses: Readonly<Record<string, number>>
  readonly errors: number
  readonly latencyMs: LatencyFigures
}

export interface Recorder {
  /** A request sent (open model: due) at `sentAt` ended with `status` at `now`; both performance.now() ms. */
  record(sentAt: number, now: number, status: number): void
  /** The second just ended, and a fresh one begins. */
  closeSecond(): SecondFigures
  totals(): TotalFigures
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, numberOfSignificantValueDigits: 3 })
const ms = (us: number) => Math.round(us) / 1000
const statusLabel = (status: number) => (status === NO_ANSWER ? 'error' : status === DROPPED ? 'dropped' : String(status))

/** `countFrom`: requests sent before it (the warm-up) are left out of the totals. */
export function createRecorder(countFrom: number): Recorder {
  const total = histogram()
  const second = histogram()
  const statuses = new Map<number, number>()
  let secondRequests = 0
  let secondErrors = 0
  return {
    record(sentAt, now, status) {
      secondRequests++
      if (status !== 200) secondErrors++
      const us = status === DROPPED ? 0 : Math.min(MAX_US, Math.max(1, Math.round((now - sentAt) * 1000)))
      if (us > 0) second.recordValue(us)
      if (sentAt < countFrom) return
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      if (us > 0) total.recordValue(us)
    },
    closeSecond() {
      const at = (p: number) => (second.totalCount === 0 ? null : ms(second.getValueAtPercentile(p)))
      const figures = { requests: secondRequests, errors: secondErrors, p50: at(50), p95: at(95), p99: at(99) }
      second.reset()
      secondRequests = 0
      secondErrors = 0
      return figures
    },
    totals() {
      let requests = 0
      let answered = 0
      let errors = 0
      const byStatus: Record<string, number> = {}
      for (const [status, n] of [...statuses].sort((a, b) => a[0] - b[0])) {
        requests += n
        if (status > 0) answered += n
        if (status !== 200) errors += n
        byStatus[statusLabel(status)] = n
      }
      const at = (p: number) => ms(total.getValueAtPercentile(p))
      const latencyMs = { p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: ms(total.maxValue), mean: ms(total.mean) }
      return { requests, answered, statuses: byStatus, errors, latencyMs }
    },
  }
}
