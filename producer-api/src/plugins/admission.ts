/**
 * Admission control, independent of lag: bounds the requests and the bytes waiting for broker
 * acks, so that a burst or a stalled broker gets fast 503s instead of growing memory and
 * hanging sockets. Checked in onRequest, before the body is read. A request is counted until
 * its response closes (finished or aborted). One whose client has already gone (it left while
 * an earlier hook, the API key's rate limit, waited on Redis) is not counted: its 'close' has
 * fired, and counting it would hold its share forever (found by the live fuzz: a few hundred
 * aborted requests left producer-api answering 503 to everything).
 */
import type { FastifyInstance } from 'fastify'
import { isGzip } from './content-encoding.js'
import { PipelineError } from '../../../lib/src/errors.js'
import type { IngestMetrics } from '../../../lib/src/metrics.js'

export interface AdmissionOptions {
  readonly maxRequests: number
  readonly maxBytes: number
  /** Counted for a request without content-length (chunked). */
  readonly bodyLimit: number
  readonly retryAfterSeconds: number
  readonly metrics?: IngestMetrics
}

/** Adds the admission hook to `app` (a scope): it covers that scope's routes only. */
export function admission(app: FastifyInstance, opts: AdmissionOptions): void {
  let requests = 0
  let bytes = 0
  app.addHook('onRequest', async (request, reply) => {
    // A gzip body may inflate up to the limit whatever its length on the wire.
    const length = isGzip(request.headers['content-encoding']) ? opts.bodyLimit : Number(request.headers['content-length'] ?? opts.bodyLimit)
    const size = Number.isFinite(length) && length >= 0 ? Math.min(length, opts.bodyLimit) : opts.bodyLimit
    if (requests + 1 > opts.maxRequests || bytes + size > opts.maxBytes) {
      opts.metrics?.throttled.inc({ status: '503', reason: 'PIPELINE_OVERLOADED' })
      throw new PipelineError('PIPELINE_OVERLOADED',
        `too much in flight (${requests} requests, ${bytes} bytes; limits ${opts.maxRequests}, ${opts.maxBytes})`,
        { retryAfter: opts.retryAfterSeconds })
    }
    if (reply.raw.closed) return
    requests++
    bytes += size
    reply.raw.once('close', () => {
      requests--
      bytes -= size
    })
  })
}
