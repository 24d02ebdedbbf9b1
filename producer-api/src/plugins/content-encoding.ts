/**
 * Bodies are taken as sent, uncompressed: Fastify would otherwise parse a `gzip` or `br2`
 * body as if it were plain JSON (a compressed body then fails as malformed, and a plain one
 * under a coding we do not know is taken). So a request whose Content-Encoding is anything
 * but `identity`, or whose Transfer-Encoding has a coding besides `chunked` (the one Node
 * decodes), is refused in onRequest, before its body is read: 415 with
 * `Accept-Encoding: identity` (RFC 9110, 15.5.16).
 */
import type { FastifyInstance } from 'fastify'
import { PipelineError } from '../../../lib/src/errors.js'

/** Content codings the API decodes itself; `identity` means none. */
const CONTENT_CODINGS: ReadonlySet<string> = new Set(['identity'])
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
  if (content === undefined || content.some((c) => !CONTENT_CODINGS.has(c))) {
    return `Content-Encoding "${shorten(contentEncoding)}" is not supported: send the body uncompressed (identity)`
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

/** Adds the check to `app` (a scope): it covers that scope's routes only. */
export function contentEncoding(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const reason = unsupportedEncoding(request.headers['content-encoding'], request.headers['transfer-encoding'])
    if (reason === undefined) return
    void reply.header('accept-encoding', 'identity')
    throw new PipelineError('PIPELINE_UNSUPPORTED_ENCODING', reason)
  })
}
