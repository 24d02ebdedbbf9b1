/**
 * 503 PIPELINE_OVERLOADED for ingestion while the event loop lags more than
 * ADMISSION_MAX_EVENT_LOOP_DELAY_MS, checked in onRequest from a value sampled in the
 * background. Modelled on @fastify/under-pressure, which this replaces: its sampler also calls
 * process.memoryUsage(), which reads /proc and threw EMFILE out of its timer when descriptors
 * ran out (nothing caught it: the process died), and a throw there would stop its timer for
 * good. This one reads only the event-loop-delay histogram (no descriptor), on an unref'd
 * timer re-armed whatever happens; a failed sample goes to `onError` (the process error
 * policy: counted, logged) and the last value stands.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { PipelineError } from '../../../lib/src/errors.js'
import type { IngestMetrics } from '../../../lib/src/metrics.js'

export interface EventLoopPressureOptions {
  readonly maxDelayMs: number
  readonly retryAfterSeconds: number
  readonly sampleIntervalMs?: number
  readonly metrics?: IngestMetrics
  readonly onError?: (err: unknown) => void
  /** For tests: what one sample reads (ms of delay). */
  readonly sample?: () => number
}

const RESOLUTION_MS = 10

/** Adds the check to `app` (a scope): it covers that scope's routes only. */
export function eventLoopPressure(app: FastifyInstance, opts: EventLoopPressureOptions): void {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  const read = opts.sample ?? ((): number => {
    // No sample at all in an interval means the loop was blocked for all of it.
    const mean = histogram.mean / 1e6 - RESOLUTION_MS
    histogram.reset()
    return Number.isNaN(mean) ? Infinity : Math.max(0, mean)
  })
  let delayMs = 0
  const timer = setTimeout(() => {
    try {
      delayMs = read()
    } catch (err) {
      opts.onError?.(err)
    } finally {
      timer.refresh()
    }
  }, opts.sampleIntervalMs ?? 1000)
  timer.unref()

  app.addHook('onRequest', async () => {
    if (delayMs <= opts.maxDelayMs) return
    opts.metrics?.throttled.inc({ status: '503', reason: 'PIPELINE_OVERLOADED' })
    throw new PipelineError('PIPELINE_OVERLOADED', `under pressure: event loop delay ${Math.round(delayMs)} ms`, { retryAfter: opts.retryAfterSeconds })
  })
  app.addHook('onClose', async () => {
    clearTimeout(timer)
    histogram.disable()
  })
}
