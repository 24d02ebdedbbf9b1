/**
 * Who may write. In onRequest, before anything else of an ingestion request and before its
 * body is read: the `Authorization: Bearer <key>` must name a key of the set (401
 * PIPELINE_API_KEY_MISSING / PIPELINE_API_KEY_INVALID, with `WWW-Authenticate`), then the
 * key's rate limit is counted (429 PIPELINE_RATE_LIMITED with `Retry-After`; Redis away: the
 * request goes on, counted). Once the body is parsed, every event's `service` must be one the
 * key may write (403 PIPELINE_SERVICE_FORBIDDEN, the whole request, nothing written).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PipelineError, type FieldError } from '../../../lib/src/errors.js'
import type { ApiKeyMetrics, IngestMetrics } from '../../../lib/src/metrics.js'
import type { KeySet, Principal } from '../auth/key-set.js'
import type { RateLimiter } from '../auth/rate-limiter.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The key an ingestion request was authenticated with (null on other routes). */
    apiKey: Principal | null
  }
}

export interface ApiKeyOptions {
  readonly keys: Pick<KeySet, 'verify'>
  readonly limiter: RateLimiter
  readonly metrics: ApiKeyMetrics
  readonly ingest?: IngestMetrics
}

/** RFC 6750: how to authenticate, on every 401. */
export const WWW_AUTHENTICATE = 'Bearer realm="producer-api"'

/** Adds the hooks to `app` (a scope): they cover that scope's routes only. */
export function apiKeys(app: FastifyInstance, opts: ApiKeyOptions): void {
  app.decorateRequest('apiKey', null)
  app.addHook('onRequest', async (request, reply) => {
    const verified = opts.keys.verify(request.headers.authorization)
    if (!verified.ok) {
      opts.metrics.failures.inc({ reason: verified.code })
      void reply.header('www-authenticate', verified.code === 'PIPELINE_API_KEY_MISSING' ? WWW_AUTHENTICATE : `${WWW_AUTHENTICATE}, error="invalid_token"`)
      throw new PipelineError(verified.code, verified.code === 'PIPELINE_API_KEY_MISSING'
        ? 'send a producer API key: Authorization: Bearer <key>'
        : 'the API key is not known or has been revoked')
    }
    const { principal } = verified
    request.apiKey = principal
    const decision = await opts.limiter.take(principal.id, principal.rateLimit)
    if (decision.outcome !== 'limited') return
    opts.ingest?.throttled.inc({ status: '429', reason: 'PIPELINE_RATE_LIMITED' })
    throw new PipelineError('PIPELINE_RATE_LIMITED', `API key ${principal.id} is over its rate limit of ${principal.rateLimit} requests per second`, {
      retryAfter: decision.retryAfterSeconds,
      extra: { key_id: principal.id, limit: principal.rateLimit },
    })
  })
}

/** How many services a 403 names (a batch of 1,000 events could list as many). */
const MAX_LISTED = 10

/**
 * Throws 403 unless the request's key may write every event's service. `indexed`: the inputs
 * are a batch's events (errors carry their index). Events without a string service are left
 * to validation.
 */
export function authorizeServices(request: FastifyRequest, inputs: readonly unknown[], indexed: boolean, metrics?: ApiKeyMetrics): void {
  const key = request.apiKey
  if (key === null) throw new PipelineError('PIPELINE_INTERNAL', 'ingestion route reached without an authenticated key')
  const errors: FieldError[] = []
  const refused = new Set<string>()
  inputs.forEach((input, index) => {
    const service = input !== null && typeof input === 'object' && 'service' in input ? input.service : undefined
    if (typeof service !== 'string' || key.mayWrite(service)) return
    refused.add(service)
    if (errors.length < MAX_LISTED) {
      errors.push({ ...(indexed ? { index } : {}), path: '/service', message: `API key ${key.id} (${key.name}) may not write service "${service.slice(0, 128)}"` })
    }
  })
  if (refused.size === 0) return
  metrics?.failures.inc({ reason: 'PIPELINE_SERVICE_FORBIDDEN' })
  const names = [...refused].slice(0, MAX_LISTED).map((s) => `"${s.slice(0, 128)}"`).join(', ')
  throw new PipelineError('PIPELINE_SERVICE_FORBIDDEN', `API key ${key.id} may not write service ${names}${refused.size > MAX_LISTED ? ` and ${refused.size - MAX_LISTED} more` : ''}; nothing was written`, { errors })
}
