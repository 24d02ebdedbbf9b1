/** GET /metrics (Prometheus text format), and the HTTP request metrics of every route. */
import type { FastifyInstance } from 'fastify'
import type { Counter, Histogram, Registry } from 'prom-client'
import type { HttpMetrics } from '../metrics.js'

/**
 * Counts and times every response of `app` (call it on the root instance). One pair of label
 * children per method, route and status, made on first use and kept (each of the three is
 * bounded: Node's parser knows a fixed set of methods, routes are the app's or `unmatched`):
 * prom-client hashes a labels object on every inc and observe otherwise.
 */
export function observeHttp(app: FastifyInstance, http: HttpMetrics): void {
  const children = new Map<string, { readonly requests: Counter.Internal; readonly duration: Histogram.Internal<string> }>()
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const key = `${request.method} ${route} ${reply.statusCode}`
    let child = children.get(key)
    if (child === undefined) {
      const labels = { method: request.method, route, status: String(reply.statusCode) }
      child = { requests: http.requests.labels(labels), duration: http.duration.labels(labels) }
      children.set(key, child)
    }
    child.requests.inc()
    child.duration.observe(reply.elapsedTime / 1000)
    done()
  })
}

/** `collect`: the text to serve (default: the registry's; in a cluster worker, lib/src/cluster.ts' metricsSource). */
export async function metricsRoutes(app: FastifyInstance, { registry, collect }: { registry: Registry; collect?: () => Promise<string> }): Promise<void> {
  const text = collect ?? (() => registry.metrics())
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await text()))
}
