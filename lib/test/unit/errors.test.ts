import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { CODES, PipelineError, type ErrorCode } from '../../src/errors.js'
import { PROJECT_ROOT } from '../../src/paths.js'

test('every code is documented in docs/errors.md with its status', () => {
  const doc = readFileSync(join(PROJECT_ROOT, 'docs', 'errors.md'), 'utf8')
  for (const [code, { status }] of Object.entries(CODES)) {
    const line = doc.split('\n').find((l) => l.includes(`\`${code}\``))
    assert.ok(line, `${code} is not documented`)
    assert.match(line, new RegExp(`\\b${status}\\b`), `${code}: status ${status} not on its line`)
  }
})

test('errors carry code, status, retriable and cause', () => {
  const cause = new Error('boom')
  const err = new PipelineError('PIPELINE_BROKER_UNAVAILABLE', 'down', { cause, retryAfter: 2 })
  assert.equal(err.code, 'PIPELINE_BROKER_UNAVAILABLE')
  assert.equal(err.status, 503)
  assert.equal(err.retriable, true)
  assert.equal(err.cause, cause)
  assert.equal(err.retryAfter, 2)
  for (const code of Object.keys(CODES) as ErrorCode[]) assert.ok(code.startsWith('PIPELINE_'))
})
