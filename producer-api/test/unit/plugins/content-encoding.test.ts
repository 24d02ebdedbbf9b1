import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { contentEncoding, codings, unsupportedEncoding } from '../../../src/plugins/content-encoding.js'

test('codings of a header: lower-cased and trimmed; malformed lists are undefined', () => {
  assert.deepEqual(codings(undefined), [])
  assert.deepEqual(codings('  '), [])
  assert.deepEqual(codings('Identity , GZIP'), ['identity', 'gzip'])
  assert.deepEqual(codings(['gzip', 'br']), ['gzip', 'br'])
  assert.equal(codings('gzip,'), undefined)
  assert.equal(codings('gzip;q=1'), undefined)
  assert.equal(codings('g zip'), undefined)
})

test('only identity or gzip (once) content and chunked transfer are read', () => {
  assert.equal(unsupportedEncoding(undefined, undefined), undefined)
  assert.equal(unsupportedEncoding('identity', 'chunked'), undefined)
  assert.equal(unsupportedEncoding('gzip', undefined), undefined)
  assert.equal(unsupportedEncoding('identity, GZIP', 'chunked'), undefined)
  assert.match(unsupportedEncoding('gzip, gzip', undefined) ?? '', /Content-Encoding "gzip, gzip" is not supported/)
  assert.match(unsupportedEncoding('deflate', undefined) ?? '', /send the body as gzip or uncompressed/)
  assert.match(unsupportedEncoding('br2', undefined) ?? '', /Content-Encoding "br2" is not supported/)
  assert.match(unsupportedEncoding('identity, br', undefined) ?? '', /Content-Encoding/)
  assert.match(unsupportedEncoding(undefined, 'gzip, chunked') ?? '', /Transfer-Encoding "gzip, chunked"/)
  assert.ok((unsupportedEncoding('a'.repeat(10_000), undefined) ?? '').length < 150)
})

test('a gzip body cut short after it inflated past the limit (413), or none at all, fails its inflation unheard: not an uncaught exception (it stopped the process)', async (t) => {
  const app = Fastify({ bodyLimit: 1024 })
  contentEncoding(app)
  app.post('/', async () => 'ok')
  t.after(() => app.close())
  const uncaught: unknown[] = []
  const onUncaught = (err: unknown) => { uncaught.push(err) }
  process.prependListener('uncaughtException', onUncaught)
  t.after(() => process.off('uncaughtException', onUncaught))
  const zipped = gzipSync(Buffer.concat([Buffer.from('{"a":'), Buffer.alloc(8192, ' '), Buffer.from('1}')]))
  const res = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: zipped.subarray(0, zipped.length - 4) })
  assert.equal(res.statusCode, 413)
  // No body at all (Content-Length: 0): Fastify never reads it, and the inflation of nothing fails.
  const empty = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '0' } })
  assert.equal(empty.statusCode, 400) // an empty JSON body
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(uncaught, [])
})
