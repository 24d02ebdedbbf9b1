/** Builds the query-api Fastify app from its dependencies; main.ts listens. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import { parseHttpServerConfig, type HttpServerConfig } from '../../lib/src/config.js'
import { healthRoutes, type ReadinessCheck } from '../../lib/src/http/health.js'
import { metricsRoutes, observeHttp } from '../../lib/src/http/metrics.js'
import { registerProblemHandlers } from '../../lib/src/http/problem.js'
import { ignoreUnknownExpectations, serverOptions } from '../../lib/src/http/server-options.js'
import type { Logger } from '../../lib/src/logger.js'
import type { HttpMetrics, QueryMetrics } from '../../lib/src/metrics.js'
import { userDataRoutes, type UserDataRouteOptions } from './routes/user-data.js'

export interface QueryAppDeps {
  readonly logger: Logger
  readonly ready: ReadinessCheck
  readonly userData: Omit<UserDataRouteOptions, 'metrics'>
  /** `collect`: what GET /metrics serves, when not the registry's own text (a cluster worker's: every worker's). */
  readonly metrics: { readonly registry: Registry; readonly http: HttpMetrics; readonly query: QueryMetrics; readonly collect?: () => Promise<string> }
  /** Timeouts and header size (HTTP_*); absent: their defaults. */
  readonly server?: HttpServerConfig
}

export async function buildQueryApp(deps: QueryAppDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.logger
  const app = Fastify({
    ...serverOptions(deps.server ?? parseHttpServerConfig({})),
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }), // lifecycle and faults only
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  })
  ignoreUnknownExpectations(app.server)
  registerProblemHandlers(app)
  observeHttp(app, deps.metrics.http)
  await app.register(metricsRoutes, { registry: deps.metrics.registry, ...(deps.metrics.collect !== undefined ? { collect: deps.metrics.collect } : {}) })
  await app.register(healthRoutes, { ready: deps.ready })
  await app.register(userDataRoutes, { ...deps.userData, metrics: deps.metrics.query })
  return app
}
