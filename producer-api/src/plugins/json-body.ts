/**
 * JSON bodies must be UTF-8 (RFC 8259, 8.1). Fastify's parser decodes whatever bytes come as
 * UTF-8, so bytes that are not (a stray 0x80, an overlong form, an encoded surrogate) became
 * U+FFFD and the event was taken, changed. Here the body is checked first: not UTF-8 is 400
 * PIPELINE_BODY_MALFORMED; the rest is Fastify's own parser (prototype poisoning refused).
 */
import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { PipelineError } from '../../../lib/src/errors.js'

export function utf8JsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (!isUtf8(body)) {
      done(new PipelineError('PIPELINE_BODY_MALFORMED', 'the body is not UTF-8 text'), undefined)
      return
    }
    parse(request, body.toString('utf8'), done)
  })
}
