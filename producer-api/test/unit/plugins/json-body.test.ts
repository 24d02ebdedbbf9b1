import assert from 'node:assert/strict'
import { test } from 'node:test'
import Fastify from 'fastify'
import { registerProblemHandlers } from '../../../../lib/src/http/problem.js'
import { utf8JsonBody } from '../../../src/plugins/json-body.js'

test('found by fuzzing: a JSON body that is not UTF-8 is 400 PIPELINE_BODY_MALFORMED (its bytes became U+FFFD and the event was taken, changed); UTF-8 is parsed as before', async (t) => {
  const app = Fastify()
  registerProblemHandlers(app)
  utf8JsonBody(app)
  app.post('/', async (request) => ({ got: request.body }))
  t.after(() => app.close())
  const post = (payload: Buffer) => app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json; charset=utf-8' }, payload })
  const json = (before: string, bytes: number[], after: string) => Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)])
  for (const bytes of [[0x80], [0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
    const res = await post(json('{"a":"', bytes, '"}'))
    assert.equal(res.statusCode, 400, `bytes ${bytes.join(' ')}`)
    assert.equal(res.json().code, 'PIPELINE_BODY_MALFORMED')
  }
  assert.deepEqual((await post(Buffer.from('{"a":"é😀 ü"}'))).json(), { got: { a: 'é😀 ü' } })
  assert.deepEqual((await post(Buffer.from('\ufeff{"a":1}'))).json(), { got: { a: 1 } }, 'a byte-order mark is allowed')
  assert.equal((await post(Buffer.from('{"__proto__":{"x":1}}'))).json().code, 'PIPELINE_BODY_MALFORMED', 'prototype poisoning still refused')
  assert.equal((await post(Buffer.from(''))).json().code, 'PIPELINE_BODY_MALFORMED')
})
