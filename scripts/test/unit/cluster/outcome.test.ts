/** The cluster test's judgement of a failed send, on the client's own error classes. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MultipleErrors, NetworkError, ProtocolError, TimeoutError } from '@platformatic/kafka'
import { judgeSendError } from '../../cluster/outcome.js'

const connectFailed = () => new NetworkError('Connection to 127.0.0.1:19093 failed.')
const retried = (...errors: Error[]) => new MultipleErrors(`produce failed ${errors.length} times.`, errors)

test('rejected only when no attempt can have been appended: no connection, or NOT_ENOUGH_REPLICAS', () => {
  assert.deepEqual(judgeSendError(connectFailed()), { outcome: 'rejected', codes: ['network:connect'] })
  assert.deepEqual(judgeSendError(retried(new ProtocolError('NOT_ENOUGH_REPLICAS'), connectFailed(), new TimeoutError('Connection to 127.0.0.1:19093 timed out.'))),
    { outcome: 'rejected', codes: ['NOT_ENOUGH_REPLICAS', 'network:connect', 'timeout:connect'] })
})

test('unknown as soon as one attempt may have reached the log', () => {
  for (const maybe of [new TimeoutError('Request timed out'), new NetworkError('Connection closed'), new ProtocolError('REQUEST_TIMED_OUT'),
    new ProtocolError('NOT_LEADER_OR_FOLLOWER'), new ProtocolError('NOT_ENOUGH_REPLICAS_AFTER_APPEND'), new Error('anything else')]) {
    assert.equal(judgeSendError(retried(connectFailed(), maybe)).outcome, 'unknown', maybe.message)
  }
})
