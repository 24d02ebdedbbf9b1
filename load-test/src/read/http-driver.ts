/**
 * Sends signed GET /api/user-data through an undici Pool with the lowest cost per request we
 * can get from Node: `dispatch` with a small handler object (no response stream, no promise),
 * the body ignored, and a callback with the status (0: no answer — refused, reset, timed out).
 */
import { Pool, type Dispatcher } from 'undici'
import type { Signer } from './signer.js'

/** Called with the status and the `sentAt` given to send (one shared function, no closure per request). */
export type Done = (status: number, sentAt: number) => void

/**
 * undici's callback handler. The older method names (onConnect, onHeaders, onData, onComplete,
 * onError) on purpose: undici 7 runs them as they are, while a handler with the newer names
 * (onRequestStart …) is wrapped per request in an adapter that also parses every response's
 * headers into an object, which a generator of 20,000 requests/s does not need.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private status = 0
  private settled = false
  /** `settle` is the driver's one shared bookkeeping function (no closure per request). */
  constructor(private readonly sentAt: number, private readonly done: Done, private readonly settle: () => void) {}
  onConnect(): void {}
  onHeaders(statusCode: number): boolean {
    this.status = statusCode
    return true
  }
  onData(): boolean {
    return true
  }
  onComplete(): void {
    this.finish(this.status)
  }
  onError(): void {
    this.finish(0)
  }
  private finish(status: number): void {
    if (this.settled) return
    this.settled = true
    this.settle()
    this.done(status, this.sentAt)
  }
}

export interface UserDataDriver {
  /** Requests sent and not answered yet. */
  readonly inFlight: number
  /** `sentAt`: the caller's time of the request (open model: its due time), handed back to `done`. */
  send(userId: number, sentAt: number, done: Done): void
  close(): Promise<void>
}

export function createUserDataDriver(o: { readonly queryUrl: string; readonly connections: number; readonly timeoutMs: number; readonly signer: Signer }): UserDataDriver {
  const url = new URL(o.queryUrl)
  const path = `${url.pathname.replace(/\/$/, '')}/api/user-data`
  const pool = new Pool(url.origin, { connections: o.connections, pipelining: 1, keepAliveTimeout: 60_000 })
  let inFlight = 0
  const settle = () => { inFlight-- }
  return {
    get inFlight() { return inFlight },
    send(userId, sentAt, done) {
      inFlight++
      const options: Dispatcher.DispatchOptions = {
        path, method: 'GET', headers: o.signer(userId, Date.now()), headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs,
      }
      pool.dispatch(options, new Exchange(sentAt, done, settle))
    },
    async close() {
      await pool.close()
    },
  }
}
