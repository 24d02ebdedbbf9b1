/** Cleanups run in reverse order of registration, as resources must be released (node:test runs t.after hooks first in, first out). */
import type { TestContext } from 'node:test'

export type Defer = (cleanup: () => unknown) => void

/** Call first: its one t.after hook runs every deferred cleanup, last registered first, and rethrows the first failure. */
export function lifo(t: TestContext): Defer {
  const stack: (() => unknown)[] = []
  t.after(async () => {
    let failure: unknown
    for (const cleanup of stack.reverse()) {
      try {
        await cleanup()
      } catch (err) {
        failure ??= err
      }
    }
    if (failure !== undefined) throw failure
  })
  return (cleanup) => { stack.push(cleanup) }
}
