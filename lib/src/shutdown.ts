/**
 * SIGTERM/SIGINT → close everything in order under a deadline, then exit. A second signal,
 * or the deadline, exits at once. Used by every main.ts (the process is passed in); the
 * process error policy (process-errors.ts) stops through the same path, with a non-zero code.
 */
import type { Logger } from './logger.js'

export interface ShutdownOptions {
  readonly process: NodeJS.Process
  readonly logger: Logger
  readonly timeoutMs: number
  /** Closes every resource, in reverse order of start. Must be idempotent. */
  readonly close: () => Promise<void>
  /** The signals that stop the process; default SIGTERM and SIGINT (a cluster worker: SIGTERM only, lib/src/cluster.ts). */
  readonly signals?: readonly NodeJS.Signals[]
}

export interface Shutdown {
  /**
   * Closes under the deadline, then exits with `exitCode` (0 by default; 1 when close fails
   * or the deadline passes). A second call while stopping exits at once with 1.
   */
  stop(reason: string, exitCode?: number): void
}

export function handleShutdown({ process, logger, timeoutMs, close, signals = ['SIGTERM', 'SIGINT'] }: ShutdownOptions): Shutdown {
  let stopping = false
  const stop = (reason: string, exitCode = 0): void => {
    if (stopping) {
      logger.warn({ signal: reason }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal: reason, exitCode, timeoutMs }, 'shutting down')
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown deadline passed: exiting')
      process.exit(1)
    }, timeoutMs)
    deadline.unref()
    close().then(
      () => {
        logger.info({ exitCode }, 'shut down cleanly')
        process.exit(exitCode)
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  for (const signal of signals) process.once(signal, () => stop(signal))
  // A signal left out is still caught: its default action would kill the process mid-request.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) if (!signals.includes(signal)) process.on(signal, () => undefined)
  return { stop }
}

/** Wraps a close function so that it runs once; later calls get the same promise. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => (done ??= close())
}
