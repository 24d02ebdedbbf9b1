/**
 * A bound on open HTTP connections (HTTP_MAX_CONNECTIONS), set on the server before it
 * listens: beyond it, Node closes a new connection as soon as it is accepted (no request is
 * read, no descriptor kept), so that a client holding thousands of sockets cannot exhaust the
 * process' descriptors (EMFILE in everything else: broker sockets, /proc reads, logs).
 * Counted and gauged; never logged per connection.
 */
import type { Server } from 'node:http'
import type { ConnectionMetrics } from '../metrics.js'

export function limitConnections(server: Server, maxConnections: number, metrics?: ConnectionMetrics): void {
  server.maxConnections = maxConnections
  if (metrics === undefined) return
  metrics.max.set(maxConnections)
  let open = 0
  server.on('connection', (socket) => {
    open++
    metrics.open.set(open)
    socket.once('close', () => {
      open--
      metrics.open.set(open)
    })
  })
  server.on('drop', () => metrics.refused.inc())
}
