/**
 * The closed model, as k6 runs VUs: each VU sends a request, waits for the answer and sends the
 * next. The number of VUs follows the stages (checked every 100 ms); a VU above the target
 * stops after its current request, as k6's graceful ramp-down does. Resolves once the duration
 * is over (or `signal` aborted) and every VU has finished its last request.
 */
import type { Stage } from '../../k6/lib/scenarios.js'
import { targetAt } from './stages.js'

const CONTROL_MS = 100

export function runClosedLoop(o: {
  /** Constant VUs, or the stages' targets when `stages` is set. */
  readonly vus: number
  readonly stages?: readonly Stage[]
  readonly startAt: number
  readonly durationMs: number
  readonly clock: () => number
  /** One iteration of a VU: call `done` when its request is answered. */
  readonly iterate: (done: () => void) => void
  /** Ends the run early, as the end of the duration would. */
  readonly signal?: AbortSignal
}): Promise<void> {
  const { startAt, clock, iterate } = o
  const endAt = startAt + o.durationMs
  const over = () => clock() >= endAt || o.signal?.aborted === true
  const target = () => (o.stages === undefined ? o.vus : Math.round(targetAt(o.stages, (clock() - startAt) / 1000)))
  return new Promise((resolve) => {
    const running: boolean[] = []
    let active = 0
    let wanted = 0
    let timer: NodeJS.Timeout | undefined
    const finishIfDone = () => { if (active === 0 && timer === undefined) resolve() }
    const loop = (vu: number): void => {
      if (vu >= wanted || over()) {
        running[vu] = false
        active--
        return finishIfDone()
      }
      iterate(() => loop(vu))
    }
    const control = (): void => {
      if (over()) {
        timer = undefined
        wanted = 0
        return finishIfDone()
      }
      wanted = target()
      for (let vu = 0; vu < wanted; vu++) {
        if (running[vu] === true) continue
        running[vu] = true
        active++
        iterate(() => loop(vu))
      }
      timer = setTimeout(control, CONTROL_MS)
    }
    timer = setTimeout(control, Math.max(0, startAt - clock()))
  })
}
