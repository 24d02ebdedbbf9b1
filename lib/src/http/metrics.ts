/** GET /metrics (Prometheus text format), and the HTTP request metrics of every route. */
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { HttpMetrics } from '../metrics.js'

/** Counts and times every response of `app` (call it on the root instance). */
export function observeHttp(app: FastifyInstance, http: HttpMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }
    http.requests.inc(labels)
    http.duration.observe(labels, reply.elapsedTime / 1000)
    done()
  })
}

/** `collect`: the text to serve (default: the registry's; in a cluster worker, lib/src/cluster.ts' metricsSource). */
export async function metricsRoutes(app: FastifyInstance, { registry, collect }: { registry: Registry; collect?: () => Promise<string> }): Promise<void> {
  const text = collect ?? (() => registry.metrics())
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await text()))
}
