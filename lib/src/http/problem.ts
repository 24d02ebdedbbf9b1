/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable code. Fastify's own
 * client errors (bad JSON, wrong media type, too large, schema) are mapped to our codes; only
 * a fault of ours is a 500, and it is logged.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CODES, PipelineError, type ErrorCode, type FieldError } from '../errors.js'

export interface ProblemBody {
  readonly type: string
  readonly code: ErrorCode
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly instance: string
  readonly errors?: readonly FieldError[]
  readonly [extra: string]: unknown
}

export function problemType(code: ErrorCode): string {
  return `urn:pipeline:problem:${code}`
}

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PIPELINE_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'PIPELINE_BODY_MALFORMED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PIPELINE_BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PIPELINE_BODY_MALFORMED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'PIPELINE_BODY_MALFORMED',
  FST_ERR_VALIDATION: 'PIPELINE_BODY_INVALID',
  // zlib, inflating a gzip request body (producer-api/src/plugins/content-encoding.ts): not gzip, or cut short.
  Z_DATA_ERROR: 'PIPELINE_BODY_MALFORMED',
  Z_BUF_ERROR: 'PIPELINE_BODY_MALFORMED',
}

/** Turns anything thrown in a request into a PipelineError (a client's mistake stays a 4xx). */
export function toPipelineError(err: FastifyError | PipelineError | Error): PipelineError {
  if (err instanceof PipelineError) return err
  const fe = err as FastifyError
  if (fe.validation) {
    const errors = fe.validation.map((v) => ({ path: v.instancePath === '' ? '/' : v.instancePath, message: v.message ?? 'is invalid' }))
    return new PipelineError('PIPELINE_BODY_INVALID', 'request body does not match the schema', { errors, cause: err })
  }
  const mapped = fe.code === undefined ? undefined : FASTIFY_CODES[fe.code]
  if (mapped) return new PipelineError(mapped, err.message, { cause: err })
  if (err instanceof SyntaxError || (fe.statusCode === 400)) return new PipelineError('PIPELINE_BODY_MALFORMED', err.message, { cause: err })
  if (fe.statusCode === 405) return new PipelineError('PIPELINE_METHOD_NOT_ALLOWED', err.message, { cause: err })
  if (fe.statusCode === 503) return new PipelineError('PIPELINE_SHUTTING_DOWN', err.message, { cause: err, retryAfter: 1 })
  return new PipelineError('PIPELINE_INTERNAL', 'internal error', { cause: err })
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: PipelineError): FastifyReply {
  const { status, title } = CODES[error.code]
  if (error.retryAfter !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfter))))
  const body: ProblemBody = {
    ...error.extra,
    type: problemType(error.code),
    code: error.code,
    title,
    status,
    detail: error.message,
    instance: request.url,
    ...(error.errors ? { errors: error.errors } : {}),
  }
  return reply.code(status).type('application/problem+json').send(body)
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | PipelineError, request, reply) => {
    const error = toPipelineError(err)
    if (error.status >= 500 && error.code === 'PIPELINE_INTERNAL') request.log.error({ err }, 'request failed')
    return sendProblem(reply, request, error)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new PipelineError('PIPELINE_NOT_FOUND', `no route ${request.method} ${request.url}`)),
  )
}

/** What Node's HTTP parser refuses, by its error code: a timeout, too large, else malformed. */
export function clientErrorCode(err: { readonly code?: string }): ErrorCode {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'PIPELINE_REQUEST_TIMEOUT'
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'PIPELINE_HEADERS_TOO_LARGE'
  return 'PIPELINE_REQUEST_MALFORMED'
}

/**
 * Fastify's clientErrorHandler: a request Node's parser refused (bad bytes, headers too large,
 * headers or body too slow) gets the same problem+json as everything else, instead of Fastify's
 * own JSON, and its connection is closed. No route runs, so there is no request to log.
 */
export function problemClientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const code = clientErrorCode(err)
  const { status, title } = CODES[code]
  if (socket.writable) {
    const body = JSON.stringify({ type: problemType(code), code, title, status, detail: err.message })
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(err)
}
