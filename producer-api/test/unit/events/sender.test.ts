import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PipelineError } from '../../../../lib/src/errors.js'
import type { OutgoingRecord } from '../../../../lib/src/kafka/record-producer.js'
import type { SendConfig } from '../../../src/config.js'
import { createSender } from '../../../src/events/sender.js'

const config: SendConfig = { ackTimeoutMs: 200, lingerMs: 1, maxEvents: 100, maxBytes: 10_000, maxInFlight: 1, retryAfterSeconds: 2 }
const msg = (v: string): OutgoingRecord => ({ key: 'k', value: Buffer.from(v), headers: {} })

/** A stand-in for the record producer whose acks the test releases by hand. */
function fakeProducer() {
  const calls: { messages: readonly OutgoingRecord[]; ack: () => void; fail: (e: Error) => void }[] = []
  return {
    calls,
    producer: {
      send: (messages: readonly OutgoingRecord[]) => new Promise<void>((resolve, reject) => {
        calls.push({ messages, ack: () => resolve(), fail: reject })
      }),
    },
  }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms))

test('concurrent sends share one produce request; the next waits for the in-flight one', async () => {
  const { calls, producer } = fakeProducer()
  const sender = createSender({ producer, config })
  const a = sender.send([msg('a')], 1)
  const b = sender.send([msg('b'), msg('c')], 2)
  await tick()
  assert.equal(calls.length, 1)
  assert.deepEqual(calls[0]?.messages.map((m) => m.value.toString()), ['a', 'b', 'c'])
  const d = sender.send([msg('d')], 1)
  await tick()
  assert.equal(calls.length, 1, 'waits while one send is in flight')
  calls[0]?.ack()
  await Promise.all([a, b])
  await tick()
  assert.equal(calls.length, 2)
  calls[1]?.ack()
  await d
  await sender.close()
})

test('a full batch flushes at once, one request never split across sends', async () => {
  const { calls, producer } = fakeProducer()
  const sender = createSender({ producer, config: { ...config, maxEvents: 2, maxInFlight: 2 } })
  const sends = [sender.send([msg('a'), msg('b'), msg('c')], 3), sender.send([msg('d')], 1)]
  await tick(0)
  assert.deepEqual(calls.map((c) => c.messages.length), [3, 1])
  calls.forEach((c) => c.ack())
  await Promise.all(sends)
})

test('timeouts: queued events are dropped (UNAVAILABLE), sent ones are unknown (TIMEOUT)', async () => {
  const { calls, producer } = fakeProducer()
  const sender = createSender({ producer, config })
  const sent = sender.send([msg('a')], 1)
  await tick()
  const queued = sender.send([msg('b')], 1)
  await assert.rejects(sent, (e: unknown) => e instanceof PipelineError && e.code === 'PIPELINE_BROKER_UNCONFIRMED' && e.retryAfter === 2)
  await assert.rejects(queued, (e: unknown) => e instanceof PipelineError && e.code === 'PIPELINE_BROKER_UNAVAILABLE')
  assert.equal(sender.pendingEvents, 0)
  calls[0]?.ack()
  await tick()
  assert.equal(calls.length, 1, 'the dropped event is never sent')
})

test('a failed send rejects its callers with UNCONFIRMED (it may be written); close refuses new sends', async () => {
  const { calls, producer } = fakeProducer()
  const sender = createSender({ producer, config })
  const a = sender.send([msg('a')], 1)
  await tick()
  calls[0]?.fail(new Error('NOT_LEADER'))
  await assert.rejects(a, (e: unknown) => e instanceof PipelineError && e.code === 'PIPELINE_BROKER_UNCONFIRMED')
  await sender.close()
  await sender.close()
  await assert.rejects(sender.send([msg('b')], 1), (e: unknown) => e instanceof PipelineError && e.code === 'PIPELINE_SHUTTING_DOWN')
})

test('close flushes what is queued and waits for its acks', async () => {
  const { calls, producer } = fakeProducer()
  const sender = createSender({ producer, config: { ...config, lingerMs: 1000 } })
  const a = sender.send([msg('a')], 1)
  const closed = sender.close()
  await tick()
  assert.equal(calls.length, 1)
  let done = false
  void closed.then(() => { done = true })
  await tick()
  assert.equal(done, false)
  calls[0]?.ack()
  await a
  await closed
})
