/** Builds the producer-api Fastify app from its dependencies; main.ts listens. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from '../../lib/src/logger.js'
import type { AcceptDeps } from './events/accept.js'
import { registerProblemHandlers } from './plugins/problem.js'
import { eventRoutes } from './routes/events.js'
import { healthRoutes, type ReadinessCheck } from './routes/health.js'

export interface AppDeps {
  readonly logger: Logger
  readonly accept: AcceptDeps
  readonly ready: ReadinessCheck
  readonly bodyLimit: number
  readonly maxBatchEvents: number
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.logger
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }), // lifecycle and faults only
    bodyLimit: deps.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Fastify's defaults drop unknown fields and coerce types silently: refuse them instead.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true } },
  })
  // JSON only: Fastify would otherwise parse text/plain bodies too.
  app.removeContentTypeParser('text/plain')
  registerProblemHandlers(app)
  await app.register(healthRoutes, { ready: deps.ready })
  await app.register(eventRoutes, { accept: deps.accept, maxBatchEvents: deps.maxBatchEvents })
  return app
}
