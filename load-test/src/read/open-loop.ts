/**
 * The open model: request k is fired at its due time whatever happened to the ones before, so
 * a slow answer cannot hold the load back; `fire` gets the due time, from which the caller
 * measures latency (no coordinated omission). A timer wakes the loop about every millisecond
 * and fires every request that has come due since; if the event loop was held up, the late
 * requests go out at once, still measured from when they were due.
 */
import type { ArrivalSchedule } from './stages.js'

export function runOpenLoop(o: {
  readonly schedule: ArrivalSchedule
  /** performance.now() at which request 0 is due. */
  readonly startAt: number
  readonly clock: () => number
  readonly fire: (dueAt: number) => void
}): Promise<void> {
  const { schedule, startAt, clock, fire } = o
  return new Promise((resolve) => {
    let next = 0
    const tick = (): void => {
      const now = clock()
      for (let due = startAt + schedule.dueAt(next); next < schedule.total && due <= now; due = startAt + schedule.dueAt(next)) {
        fire(due)
        next++
      }
      if (next >= schedule.total) return resolve()
      setTimeout(tick, Math.max(1, Math.min(100, startAt + schedule.dueAt(next) - now)))
    }
    setTimeout(tick, Math.max(0, startAt - clock()))
  })
}
