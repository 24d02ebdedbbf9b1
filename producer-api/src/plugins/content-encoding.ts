/**
 * Request bodies in `identity` or `gzip` (Content-Encoding), nothing else: Fastify would
 * otherwise parse a `br` or `br2` body as if it were plain JSON (a compressed body then fails
 * as malformed, and a plain one under a coding we do not know is taken). So a request whose
 * Content-Encoding is anything else, or whose Transfer-Encoding has a coding besides `chunked`
 * (the one Node decodes), is refused in onRequest, before its body is read: 415 with
 * `Accept-Encoding: gzip, identity` (RFC 9110, 15.5.16). A gzip body is inflated as it is read
 * (preParsing), so the body limit (`bodyLimit`) counts inflated bytes: a decompression bomb is
 * stopped with 413 once it inflates past the limit, never inflated whole; a body that is not
 * valid gzip is 400 (zlib's codes, lib/src/http/problem.ts).
 */
import { pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { PipelineError } from '../../../lib/src/errors.js'

/** Content codings the API decodes itself; `identity` means none. */
const CONTENT_CODINGS: ReadonlySet<string> = new Set(['identity', 'gzip'])
const ACCEPT_ENCODING = 'gzip, identity'
/** Transfer codings Node's HTTP parser removes before the body reaches us. */
const TRANSFER_CODINGS: ReadonlySet<string> = new Set(['chunked', 'identity'])

type Header = string | string[] | undefined

/** The codings of a header, lower-cased; undefined when it is malformed (an empty item). */
export function codings(header: Header): readonly string[] | undefined {
  if (header === undefined) return []
  const text = Array.isArray(header) ? header.join(',') : header
  if (text.trim() === '') return []
  const items = text.split(',').map((item) => item.trim().toLowerCase())
  return items.every((item) => /^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(item)) ? items : undefined
}

/** Undefined when the request's body can be read as is; else why not. */
export function unsupportedEncoding(contentEncoding: Header, transferEncoding: Header): string | undefined {
  const content = codings(contentEncoding)
  if (content === undefined || content.some((c) => !CONTENT_CODINGS.has(c)) || content.filter((c) => c === 'gzip').length > 1) {
    return `Content-Encoding "${shorten(contentEncoding)}" is not supported: send the body as gzip or uncompressed (identity)`
  }
  const transfer = codings(transferEncoding)
  if (transfer === undefined || transfer.some((c) => !TRANSFER_CODINGS.has(c))) {
    return `Transfer-Encoding "${shorten(transferEncoding)}" is not supported: only chunked`
  }
  return undefined
}

function shorten(header: Header): string {
  const text = Array.isArray(header) ? header.join(', ') : String(header)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/** True when the body is gzip (the header passed the onRequest check). */
export const isGzip = (contentEncoding: Header): boolean => (codings(contentEncoding) ?? []).includes('gzip')

/** Adds the check and the inflation to `app` (a scope): they cover that scope's routes only. */
export function contentEncoding(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const reason = unsupportedEncoding(request.headers['content-encoding'], request.headers['transfer-encoding'])
    if (reason === undefined) return
    void reply.header('accept-encoding', ACCEPT_ENCODING)
    throw new PipelineError('PIPELINE_UNSUPPORTED_ENCODING', reason)
  })
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!isGzip(request.headers['content-encoding'])) return payload
    // Fastify checks the bytes on the wire against Content-Length, the inflated ones against
    // bodyLimit, as it reads them: past the limit it stops reading, and the inflation stops too.
    const body = Object.assign(createGunzip(), { receivedEncodedLength: 0 })
    payload.on('data', (chunk: Buffer) => { body.receivedEncodedLength += chunk.length })
    pipeline(payload, body, () => undefined) // an error reaches the parser through `body`
    // The parser stops listening once it has its answer (413 past the limit): a body cut short
    // then fails the inflation afterwards, with nobody to tell. That answer stands; without this
    // listener the late error would be uncaught and stop the process.
    body.on('error', () => undefined)
    return body
  })
}
