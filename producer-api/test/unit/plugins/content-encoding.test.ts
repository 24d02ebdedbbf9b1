import assert from 'node:assert/strict'
import { test } from 'node:test'
import { codings, unsupportedEncoding } from '../../../src/plugins/content-encoding.js'

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
