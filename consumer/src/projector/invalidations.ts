/**
 * The projector's invalidation outbox (migrations/mysql/0006_cache_invalidations.sql). A fold
 * commits in MySQL and then drops the touched users' cache entries in Redis: two systems, no
 * shared transaction. Without an outbox, a projector killed between the two (or a Redis that
 * does not answer then) leaves query-api serving the older row until the entry's TTL (an hour by
 * default). So the fold's transaction also marks its users (`mark`); the drop after the commit
 * removes those marks (`settle`); and `drainOnce`, at start and then on an unref'd timer, drops
 * the entries of whatever marks are left, then the marks. A mark drained twice (by the batch
 * that wrote it and by a drain, or by two projectors) only drops an entry twice: harmless.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type mysql from 'mysql2/promise'
import type { Logger } from '../../../lib/src/logger.js'
import { invalidateUsers } from '../../../lib/src/read-model.js'
import { repeatEvery, type Repeating } from '../../../lib/src/repeat.js'

const CHUNK = 1000

/** A batch's own token: its marks are the ones `settle` removes. */
export const newMarkToken = (): Buffer => randomBytes(8)

/** In the fold's transaction: `users` are to be invalidated once it commits. */
export async function mark(conn: Pick<mysql.Connection, 'query'>, users: readonly number[], token: Buffer): Promise<void> {
  if (users.length === 0) return
  await conn.query('INSERT INTO cache_invalidations (user_id, token) VALUES ? ON DUPLICATE KEY UPDATE token = VALUES(token)', [users.map((u) => [u, token])])
}

export interface InvalidationOutbox {
  /** After `users`' entries were dropped: their marks of `token` go (a newer batch's mark stays). */
  settle(users: readonly number[], token: Buffer): Promise<void>
  /** Drops the cache entries of every user still marked, then the marks; resolves with how many. */
  drainOnce(): Promise<number>
  /** Drains what earlier projectors left (a failure is logged), then again every `intervalMs`. */
  start(): Promise<void>
  /** Stops the timer and waits for a drain in flight; idempotent. */
  close(): Promise<void>
}

export interface InvalidationOutboxDeps {
  readonly pool: Pick<mysql.Pool, 'query'>
  readonly redis: Pick<Redis, 'multi'>
  readonly intervalMs: number
  readonly logger: Logger
  readonly onDrained?: (users: number) => void
}

export function createInvalidationOutbox(deps: InvalidationOutboxDeps): InvalidationOutbox {
  let repeating: Repeating | undefined
  let closed = false

  async function settle(users: readonly number[], token: Buffer): Promise<void> {
    for (let i = 0; i < users.length; i += CHUNK) {
      await deps.pool.query('DELETE FROM cache_invalidations WHERE token = ? AND user_id IN (?)', [token, users.slice(i, i + CHUNK)])
    }
  }

  async function drainOnce(): Promise<number> {
    let total = 0
    for (;;) {
      const [rows] = await deps.pool.query<mysql.RowDataPacket[]>('SELECT user_id, token FROM cache_invalidations LIMIT ?', [CHUNK])
      if (rows.length === 0) break
      await invalidateUsers(deps.redis, rows.map((r) => Number(r.user_id)))
      // Only the marks that were read: one a batch wrote meanwhile has another token, and stays.
      await deps.pool.query('DELETE FROM cache_invalidations WHERE (user_id, token) IN (?)', [rows.map((r) => [r.user_id, r.token])])
      total += rows.length
      if (rows.length < CHUNK || closed) break
    }
    if (total > 0) deps.onDrained?.(total)
    return total
  }

  return {
    settle,
    drainOnce,
    async start() {
      if (closed || repeating !== undefined) return
      const failed = (err: unknown) => deps.logger.warn({ err }, 'draining cache invalidations failed: retrying at the next interval')
      await drainOnce().catch(failed)
      if (!closed) repeating ??= repeatEvery(deps.intervalMs, drainOnce, failed)
    },
    async close() {
      closed = true
      await repeating?.stop()
    },
  }
}
