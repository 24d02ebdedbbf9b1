/**
 * The Fastify (and Node server) options that bound what one client may hold: how long its
 * headers and its whole request may take, how long an idle or silent connection lives, how
 * large its request line and headers may be, how many requests one connection serves; and
 * problem+json for what Node's parser refuses. Shared by producer-api and query-api.
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
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

/**
 * A request answered before its body was read, on a connection that then closes, may never be
 * read by its client. Such answers: a refusal of the body (413 past BODY_LIMIT_BYTES, 415, a
 * body that does not parse), which Fastify sends with `Connection: close`; and any answer
 * before the body (401, 429, 503 of the hooks that run first) to a client that itself asked
 * for `Connection: close` (or spoke HTTP/1.0), where Node does not keep the connection either.
 * Node destroys the socket as soon as the answer is written, the kernel resets the connection
 * over the bytes still arriving, and the client may never read the answer: 2 of 30 clients
 * posting 4.8 MB got a reset instead of the 413, and under load a batch of over 1 MiB sent
 * with `Connection: close` got no answer at all (both found by the live fuzz). As nginx's
 * lingering_close does: after such an answer, what still arrives is read and dropped for at
 * most `ms` (the client is done sooner: then at once), and only then is the socket closed.
 */
export function lingerBeforeClose(app: FastifyInstance, ms: number): void {
  if (ms <= 0) return
  app.addHook('onSend', async (request, reply, payload) => {
    // The socket is null once the client has gone (nothing to linger for).
    const socket = request.raw.socket as Socket | null
    const closes = reply.getHeader('connection') === 'close' || !reply.raw.shouldKeepAlive
    if (socket !== null && !request.raw.complete && closes) lingerOnClose(socket, ms)
    return payload
  })
}

/** Node closes a response's socket with destroySoon(): end it instead, and destroy it once the client ends too, or after `ms`. */
function lingerOnClose(socket: Socket, ms: number): void {
  socket.destroySoon = function lingeringClose(this: Socket): void {
    if (this.writable) this.end()
    const timer = setTimeout(() => this.destroy(), ms)
    timer.unref()
    this.once('end', () => this.destroy())
    this.once('close', () => clearTimeout(timer))
  }
}
