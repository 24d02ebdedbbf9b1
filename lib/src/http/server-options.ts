/**
 * The Fastify (and Node server) options that bound what one client may hold: how long its
 * headers and its whole request may take, how long an idle or silent connection lives, how
 * large its request line and headers may be, how many requests one connection serves; and
 * problem+json for what Node's parser refuses. Shared by producer-api and query-api.
 */
import type { Server } from 'node:http'
import type { FastifyServerOptions } from 'fastify'
import type { HttpServerConfig } from '../config.js'
import { problemClientErrorHandler } from './problem.js'

export type ServerOptions = Pick<
  FastifyServerOptions,
  'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout' | 'maxRequestsPerSocket' | 'clientErrorHandler'
> & { readonly http: { readonly headersTimeout: number; readonly maxHeaderSize: number; readonly connectionsCheckingInterval: number } }

export function serverOptions(config: HttpServerConfig): ServerOptions {
  return {
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    maxRequestsPerSocket: config.maxRequestsPerSocket,
    clientErrorHandler: problemClientErrorHandler,
    http: {
      headersTimeout: config.headersTimeoutMs,
      maxHeaderSize: config.maxHeaderBytes,
      connectionsCheckingInterval: config.timeoutCheckIntervalMs,
    },
  }
}

/**
 * Node answers a request whose Expect is not `100-continue` with a bare 417 of its own, before
 * any route (no problem+json). RFC 9110 (10.1.1) lets a server ignore an expectation it does
 * not know instead: such a request is handled as any other.
 */
export function ignoreUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (request, response) => server.emit('request', request, response))
}
