/**
 * A fix for kafkajs 2.2.4's idle timer loop (https://github.com/tulios/kafkajs/issues/1556,
 * #1604, #1704; the fixes, PRs #1667 and #1768, were never released): every broker
 * connection's RequestQueue re-arms a timer after each check of its pending requests, and with
 * nothing pending and no throttle its delay is negative, so Node runs it every millisecond,
 * for as long as the connection lives. Each kafkajs process here woke its event loop about
 * 1,700 times a second while idle.
 *
 * The check is only needed while requests are pending (a push that cannot be sent at once
 * schedules it, and a fulfilled request runs it) or while the broker throttles us: otherwise
 * this schedules nothing, as the rejected PR's reviewers proposed. Imported for its effect by
 * ./client.ts, before any client exists; kafkajs is pinned, and the unit test fails if the
 * patched method moves.
 */
import { createRequire } from 'node:module'

interface RequestQueue {
  pending: unknown[]
  throttledUntil: number
  scheduleCheckPendingRequests(): void
}

const require = createRequire(import.meta.url)
const { prototype } = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueue }
const schedule = prototype.scheduleCheckPendingRequests

export const PATCHED = typeof schedule === 'function'
if (PATCHED) {
  prototype.scheduleCheckPendingRequests = function (this: RequestQueue): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return
    schedule.call(this)
  }
}
