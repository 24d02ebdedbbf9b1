/**
 * Keeps user_recap_applied (the event ids already folded) from growing without end: ids older
 * than the retention are deleted in small chunks, on an unref'd timer. A retry of an event
 * older than the retention would be folded again, so the retention should cover how long
 * clients may retry; by default it matches the topic's retention (7 days), past which a
 * rebuild from the log cannot see the original either.
 */
import type mysql from 'mysql2/promise'
import type { Logger } from '../../../lib/src/logger.js'
import { repeatEvery, type Repeating } from '../../../lib/src/repeat.js'

const CHUNK = 10_000

export interface DedupePruner {
  /** Deletes what is older than the retention; resolves with how many ids were deleted. */
  pruneOnce(): Promise<number>
  start(): void
  /** Stops the timer and waits for a prune in flight; idempotent. */
  close(): Promise<void>
}

export interface DedupePrunerDeps {
  readonly pool: Pick<mysql.Pool, 'query'>
  readonly retentionSeconds: number
  readonly intervalMs: number
  readonly logger: Logger
  readonly onPruned?: (count: number) => void
}

export function createDedupePruner(deps: DedupePrunerDeps): DedupePruner {
  let repeating: Repeating | undefined
  let closed = false

  async function pruneOnce(): Promise<number> {
    let total = 0
    for (;;) {
      const [result] = await deps.pool.query<mysql.ResultSetHeader>(
        'DELETE FROM user_recap_applied WHERE applied_at < NOW(6) - INTERVAL ? SECOND LIMIT ?', [deps.retentionSeconds, CHUNK])
      total += result.affectedRows
      if (result.affectedRows < CHUNK || closed) break
    }
    if (total > 0) deps.onPruned?.(total)
    return total
  }

  return {
    pruneOnce,
    start() {
      if (closed || repeating !== undefined) return
      repeating = repeatEvery(deps.intervalMs, pruneOnce, (err) => deps.logger.warn({ err }, 'pruning folded event ids failed: retrying at the next interval'))
    },
    async close() {
      closed = true
      await repeating?.stop()
    },
  }
}
