/**
 * The backpressure policy, pure: from a group's lag reading and the previous state, decide
 * whether to accept (ok), shed a share of requests with 429 (throttle), refuse all with 503
 * (reject), or refuse because lag cannot be read (unknown). Hysteresis: a state is left only
 * once lag is `hysteresis` (a fraction) below the threshold that entered it.
 */

export type PressureState = 'ok' | 'throttle' | 'reject' | 'unknown'

export interface Thresholds {
  readonly soft: number
  readonly hard: number
  /** 0–1: leave throttle below soft × (1 − h), leave reject below hard × (1 − h). */
  readonly hysteresis: number
  /** Shed at least this share while throttling, so that a state change is felt at once. */
  readonly minShedShare: number
  readonly maxRetryAfterSeconds: number
  readonly unknownRetryAfterSeconds: number
}

export interface GroupReading {
  readonly totalLag: number
  readonly members: number
  /** Records per second the group commits (smoothed). */
  readonly drainRate: number
  /** Lag is higher than a few seconds ago. */
  readonly growing: boolean
}

export interface Decision {
  readonly state: PressureState
  /** Share of requests to answer 429 (1 when rejecting). */
  readonly shedShare: number
  readonly retryAfterSeconds: number
  readonly reason: string
}

const SEVERITY: Readonly<Record<PressureState, number>> = { ok: 0, throttle: 1, unknown: 2, reject: 3 }

export function worst(decisions: readonly Decision[]): Decision {
  const [first, ...rest] = decisions
  if (first === undefined) return { state: 'ok', shedShare: 0, retryAfterSeconds: 0, reason: 'no group to watch' }
  return rest.reduce((a, b) => (SEVERITY[b.state] > SEVERITY[a.state] ? b : a), first)
}

/** Seconds until lag is back at `target` at the current drain rate, in [1, max]. */
export function retryAfter(lag: number, target: number, drainRate: number, max: number): number {
  if (drainRate <= 0) return max
  return Math.min(max, Math.max(1, Math.ceil((lag - target) / drainRate)))
}

export function decide(previous: PressureState, reading: GroupReading | undefined, t: Thresholds): Decision {
  if (reading === undefined) {
    return { state: 'unknown', shedShare: 1, retryAfterSeconds: t.unknownRetryAfterSeconds, reason: 'lag cannot be read' }
  }
  const { totalLag: lag, drainRate } = reading
  const softExit = t.soft * (1 - t.hysteresis)
  const hardExit = t.hard * (1 - t.hysteresis)
  if (reading.members === 0 && reading.growing && lag > 0) {
    return { state: 'reject', shedShare: 1, retryAfterSeconds: t.maxRetryAfterSeconds, reason: 'sink group has no live members and lag grows' }
  }
  const rejecting = previous === 'reject' ? lag >= hardExit : lag >= t.hard
  if (rejecting) {
    return { state: 'reject', shedShare: 1, retryAfterSeconds: retryAfter(lag, hardExit, drainRate, t.maxRetryAfterSeconds), reason: `lag ${lag} at or above hard threshold ${t.hard}` }
  }
  const throttling = previous === 'throttle' || previous === 'reject' ? lag >= softExit : lag >= t.soft
  if (throttling) {
    const share = Math.min(1, Math.max(t.minShedShare, (lag - t.soft) / (t.hard - t.soft)))
    return { state: 'throttle', shedShare: share, retryAfterSeconds: retryAfter(lag, softExit, drainRate, t.maxRetryAfterSeconds), reason: `lag ${lag} above soft threshold ${t.soft}` }
  }
  return { state: 'ok', shedShare: 0, retryAfterSeconds: 0, reason: `lag ${lag} below soft threshold ${t.soft}` }
}
