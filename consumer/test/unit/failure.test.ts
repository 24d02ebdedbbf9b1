import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PipelineError } from '../../../lib/src/errors.js'
import { classifyFailure } from '../../src/failure.js'

const withCode = (code: string) => Object.assign(new Error(code), { code })

test('away or busy is transient; unusable or a bug is permanent', () => {
  const transient = [withCode('ECONNREFUSED'), withCode('ECONNRESET'), withCode('PROTOCOL_CONNECTION_LOST'), withCode('ER_LOCK_DEADLOCK'),
    withCode('57P01'), withCode('08006'), withCode('40001'), withCode('53300'), new PipelineError('PIPELINE_SCHEMA_REGISTRY_UNAVAILABLE', 'down'),
    Object.assign(new Error('kafka'), { retriable: true }), Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false }),
    new Error('something else')]
  const permanent = [withCode('42P01'), withCode('42703'), withCode('42501'), withCode('3D000'), withCode('28P01'), withCode('ER_NO_SUCH_TABLE'),
    withCode('ER_BAD_FIELD_ERROR'), withCode('ER_ACCESS_DENIED_ERROR'), new TypeError('x is not a function'),
    new PipelineError('PIPELINE_CATALOG_INVALID', 'bad')]
  for (const err of transient) assert.equal(classifyFailure(err), 'transient', err.message)
  for (const err of permanent) assert.equal(classifyFailure(err), 'permanent', err.message)
})
