/** Builds the producer-api Fastify app from its dependencies; main.ts listens. */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import { parseHttpServerConfig, type HttpServerConfig } from '../../lib/src/config.js'
import { ignoreUnknownExpectations, lingerBeforeClose, serverOptions } from '../../lib/src/http/server-options.js'
import type { Logger } from '../../lib/src/logger.js'
import type { ApiKeyMetrics, HttpMetrics, IngestMetrics } from '../../lib/src/metrics.js'
import type { KeySet } from './auth/key-set.js'
import type { RateLimiter } from './auth/rate-limiter.js'
import type { AdmissionConfig } from './config.js'
import type { AcceptDeps } from './events/accept.js'
import type { LagSnapshot } from './lag/monitor.js'
import type { Thresholds } from './lag/policy.js'
import { admission } from './plugins/admission.js'
import { apiKeys } from './plugins/api-keys.js'
import { backpressure } from './plugins/backpressure.js'
import { contentEncoding } from './plugins/content-encoding.js'
import { eventLoopPressure } from './plugins/event-loop.js'
import { utf8JsonBody } from './plugins/json-body.js'
import { registerProblemHandlers } from '../../lib/src/http/problem.js'
import { eventRoutes } from './routes/events.js'
import { healthRoutes, type ReadinessCheck } from '../../lib/src/http/health.js'
import { lagRoutes } from './routes/lag.js'
import { securitySchemes } from './routes/security.js'
import { metricsRoutes, observeHttp } from '../../lib/src/http/metrics.js'

export interface AppDeps {
  readonly logger: Logger
  readonly accept: AcceptDeps
  readonly ready: ReadinessCheck
  readonly bodyLimit: number
  readonly maxBatchEvents: number
  readonly lag: { readonly snapshot: () => LagSnapshot; readonly thresholds: Thresholds }
  readonly admission: AdmissionConfig
  /** Who may write: the key set (in memory, refreshed from Postgres) and the per-key rate limit (Redis). */
  readonly auth: { readonly keys: Pick<KeySet, 'verify'>; readonly limiter: RateLimiter }
  /** `collect`: what GET /metrics serves, when not the registry's own text (a cluster worker's: every worker's). */
  readonly metrics: {
    readonly registry: Registry; readonly http: HttpMetrics; readonly ingest: IngestMetrics; readonly apiKeys: ApiKeyMetrics; readonly collect?: () => Promise<string>
  }
  readonly random?: () => number
  /** Errors of background work (the event-loop sampler): the process error policy's report. */
  readonly onBackgroundError?: (err: unknown) => void
  /** Timeouts and header size (HTTP_*); absent: their defaults. */
  readonly server?: HttpServerConfig
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.logger
  const server = deps.server ?? parseHttpServerConfig({})
  const app = Fastify({
    ...serverOptions(server),
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }), // lifecycle and faults only
    bodyLimit: deps.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Fastify's defaults drop unknown fields and coerce types silently: refuse them instead.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true } },
  })
  // JSON only: Fastify would otherwise parse text/plain bodies too.
  ignoreUnknownExpectations(app.server)
  lingerBeforeClose(app, server.lingerMs)
  app.removeContentTypeParser('text/plain')
  utf8JsonBody(app)
  registerProblemHandlers(app)
  observeHttp(app, deps.metrics.http)
  const { ingest } = deps.metrics
  // OpenAPI, generated from the route schemas: /docs (UI) and /docs/json.
  await app.register(swagger, {
    openapi: {
      info: { title: 'producer-api', version: '1', description: 'Event ingestion: validated against Avro schemas, acknowledged after acks=all.' },
      components: { securitySchemes },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(metricsRoutes, { registry: deps.metrics.registry, ...(deps.metrics.collect !== undefined ? { collect: deps.metrics.collect } : {}) })
  await app.register(healthRoutes, { ready: deps.ready })
  await app.register(lagRoutes, deps.lag)
  // Ingestion in its own scope: the API key and its rate limit, encoding, event-loop pressure,
  // admission, then backpressure, run before any body is read (hooks added straight to the
  // scope, so that they cover its routes and nothing else; health, lag and metrics always answer).
  await app.register(async (scope) => {
    apiKeys(scope, { keys: deps.auth.keys, limiter: deps.auth.limiter, metrics: deps.metrics.apiKeys, ingest })
    contentEncoding(scope)
    if (deps.admission.maxEventLoopDelayMs > 0) {
      eventLoopPressure(scope, {
        maxDelayMs: deps.admission.maxEventLoopDelayMs,
        retryAfterSeconds: deps.admission.retryAfterSeconds,
        metrics: ingest,
        onError: deps.onBackgroundError,
      })
    }
    admission(scope, { ...deps.admission, bodyLimit: deps.bodyLimit, metrics: ingest })
    backpressure(scope, { decision: () => deps.lag.snapshot().decision, random: deps.random, metrics: ingest })
    await scope.register(eventRoutes, { accept: deps.accept, maxBatchEvents: deps.maxBatchEvents, apiKeyMetrics: deps.metrics.apiKeys })
  })
  return app
}
