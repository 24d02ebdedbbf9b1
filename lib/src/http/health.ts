/** Liveness and readiness. Never throttled, never logged per request. */
import type { FastifyInstance } from 'fastify'

export interface ReadinessCheck {
  (): Promise<{ readonly ready: boolean; readonly checks: Readonly<Record<string, string>> }>
}

export async function healthRoutes(app: FastifyInstance, { ready }: { ready: ReadinessCheck }): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }))
  app.get('/health/ready', async (_request, reply) => {
    const result = await ready()
    return reply.code(result.ready ? 200 : 503).send({ status: result.ready ? 'ready' : 'not ready', checks: result.checks })
  })
}
