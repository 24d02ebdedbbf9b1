/**
 * Lag backpressure on the request path: reads the monitor's cached decision (no I/O) and
 * answers 429 for the shed share while throttling, 503 while rejecting or while lag is
 * unknown, each with a Retry-After derived from lag and drain rate.
 */
import type { FastifyInstance } from 'fastify'
import { PipelineError, type ErrorCode } from '../../../lib/src/errors.js'
import type { IngestMetrics } from '../../../lib/src/metrics.js'
import type { Decision } from '../lag/policy.js'

export interface BackpressureOptions {
  readonly decision: () => Decision
  readonly random?: () => number
  readonly metrics?: IngestMetrics
}

export function refusal(decision: Decision, roll: number): ErrorCode | undefined {
  switch (decision.state) {
    case 'ok':
      return undefined
    case 'throttle':
      return roll < decision.shedShare ? 'PIPELINE_THROTTLED' : undefined
    case 'reject':
      return 'PIPELINE_LAG_CRITICAL'
    case 'unknown':
      return 'PIPELINE_LAG_UNKNOWN'
    default: {
      const never: never = decision.state
      throw new Error(`unknown state ${String(never)}`)
    }
  }
}

/** Adds the backpressure hook to `app` (a scope): it covers that scope's routes only. */
export function backpressure(app: FastifyInstance, opts: BackpressureOptions): void {
  const random = opts.random ?? Math.random
  app.addHook('onRequest', async () => {
    const decision = opts.decision()
    const code = refusal(decision, random())
    if (code === undefined) return
    const error = new PipelineError(code, decision.reason, { retryAfter: decision.retryAfterSeconds })
    opts.metrics?.throttled.inc({ status: String(error.status), reason: code })
    throw error
  })
}
