/**
 * The policy for errors nobody caught: an exception thrown from a timer or callback (ours or
 * a library's), a promise rejected with nobody awaiting it, or a failure a background sampler
 * reports. Node's default is to die at once, without draining, with a trace outside our logs.
 * Here each one is logged with its code and counted (pipeline_process_errors_total{kind,code}),
 * then:
 * - transient (EMFILE, ENFILE: out of file descriptors for a moment; the HTTP connection
 *   bound keeps that rare): the process keeps serving, unless more than
 *   PROCESS_TRANSIENT_ERRORS_PER_MINUTE of them arrive within a minute;
 * - anything else: the process' state is unknown, so it stops on purpose, through the normal
 *   shutdown (drain under the deadline), with exit code 1, for its supervisor to restart.
 * Every deployable's main.ts installs it first thing, and attaches its shutdown once it has one.
 */
import { constants } from 'node:os'
import { CODES } from './errors.js'
import type { Logger } from './logger.js'
import type { ProcessMetrics } from './metrics.js'
import type { Shutdown } from './shutdown.js'

export type ProcessErrorKind = 'uncaught_exception' | 'unhandled_rejection' | 'background'
export type ProcessErrorAction = 'continue' | 'exit'

/** Codes after which the process carries on: nothing of its state is lost, it only lacked a descriptor. */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE'])
export const FATAL_EXIT_CODE = 1
const WINDOW_MS = 60_000

/** What the policy needs of the process (the real one, or a fake in tests). */
export interface ProcessLike {
  on(event: 'uncaughtException', listener: (err: Error, origin: NodeJS.UncaughtExceptionOrigin) => void): unknown
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown
  exit(code: number): void
}

export interface ProcessErrorsOptions {
  readonly process: ProcessLike
  readonly logger: Logger
  readonly metrics: ProcessMetrics
  /** Transient errors tolerated within a minute; one more is fatal (PROCESS_TRANSIENT_ERRORS_PER_MINUTE). */
  readonly maxTransientPerMinute: number
  readonly clock?: () => number
}

export interface ProcessErrors {
  /** Logs, counts and acts on one error (for background work that catches its own). */
  report(kind: ProcessErrorKind, err: unknown): ProcessErrorAction
  /** From now on a fatal error stops through `shutdown` (before: exits at once, there is nothing to drain). */
  attach(shutdown: Pick<Shutdown, 'stop'>): void
}

const ERRNO_NAMES: ReadonlySet<string> = new Set(Object.keys(constants.errno))

/** A bounded label for an error's code: an errno name, one of our codes, `other`, or `none`. */
export function errorCode(err: unknown): string {
  const code = err !== null && typeof err === 'object' && 'code' in err ? err.code : undefined
  if (typeof code !== 'string') return 'none'
  return ERRNO_NAMES.has(code) || Object.hasOwn(CODES, code) ? code : 'other'
}

export function handleProcessErrors(o: ProcessErrorsOptions): ProcessErrors {
  const clock = o.clock ?? Date.now
  let shutdown: Pick<Shutdown, 'stop'> | undefined
  let stopping = false
  let recent: number[] = []

  const report = (kind: ProcessErrorKind, err: unknown): ProcessErrorAction => {
    const code = errorCode(err)
    o.metrics.errors.inc({ kind, code })
    let action: ProcessErrorAction = 'exit'
    if (TRANSIENT_CODES.has(code)) {
      const now = clock()
      recent = recent.filter((at) => now - at < WINDOW_MS)
      recent.push(now)
      if (recent.length <= o.maxTransientPerMinute) action = 'continue'
    }
    if (action === 'continue') {
      o.logger.error({ err, kind, code, action, lastMinute: recent.length }, `${kind} (${code}): transient, still serving`)
      return action
    }
    o.logger.fatal({ err, kind, code, action, stopping }, `${kind} (${code}): stopping with exit code ${FATAL_EXIT_CODE}`)
    if (stopping) return action // already on its way out, under the shutdown deadline
    stopping = true
    if (shutdown === undefined) o.process.exit(FATAL_EXIT_CODE)
    else shutdown.stop(`${kind} ${code}`, FATAL_EXIT_CODE)
    return action
  }

  // The survivable series exist from the start, so that an alert on their increase sees the first one.
  for (const kind of ['uncaught_exception', 'unhandled_rejection', 'background'] as const) {
    for (const code of TRANSIENT_CODES) o.metrics.errors.inc({ kind, code }, 0)
  }
  o.process.on('uncaughtException', (err, origin) => {
    report(origin === 'unhandledRejection' ? 'unhandled_rejection' : 'uncaught_exception', err)
  })
  o.process.on('unhandledRejection', (reason) => {
    report('unhandled_rejection', reason)
  })
  return {
    report,
    attach: (s) => {
      shutdown = s
    },
  }
}
