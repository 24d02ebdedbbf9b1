/**
 * Background work on a timer: `task` runs `intervalMs` after the previous run ended (never two
 * at once), on an unref'd timer (it never keeps a process alive), until stopped. `task` handles
 * its own errors; one that escapes goes to `onError` and the next run comes as usual.
 */
export interface Repeating {
  /** Stops the timer and resolves once a run in flight has ended; idempotent. */
  stop(): Promise<void>
}

export function repeatEvery(intervalMs: number, task: () => Promise<unknown>, onError: (err: unknown) => void = () => {}): Repeating {
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<void> | undefined
  let stopped = false

  const schedule = (): void => {
    if (stopped) return
    timer = setTimeout(() => {
      inFlight = task().then(() => undefined, onError).finally(() => {
        inFlight = undefined
        schedule()
      })
    }, intervalMs)
    timer.unref()
  }
  schedule()

  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await inFlight
    },
  }
}
