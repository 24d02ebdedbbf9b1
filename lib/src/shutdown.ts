/**
 * SIGTERM/SIGINT → close everything in order under a deadline, then exit. A second signal,
 * or the deadline, exits at once. Used by every main.ts (the process is passed in).
 */
import type { Logger } from './logger.js'

export interface ShutdownOptions {
  readonly process: NodeJS.Process
  readonly logger: Logger
  readonly timeoutMs: number
  /** Closes every resource, in reverse order of start. Must be idempotent. */
  readonly close: () => Promise<void>
}

export function handleShutdown({ process, logger, timeoutMs, close }: ShutdownOptions): void {
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal, timeoutMs }, 'shutting down')
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown deadline passed: exiting')
      process.exit(1)
    }, timeoutMs)
    deadline.unref()
    close().then(
      () => {
        logger.info('shut down cleanly')
        process.exit(0)
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

/** Wraps a close function so that it runs once; later calls get the same promise. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => (done ??= close())
}
