/**
 * acceptEvents, the one path of POST /events and /events/batch, with the real validator and a
 * fake sender: what reaches the broker (keys, headers, values that decode to the event), what
 * each event's outcome is, and what the caller gets when the broker does not take them.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadCatalog } from '../../../../lib/src/avro/catalog.js'
import { createDecoder } from '../../../../lib/src/avro/codec.js'
import { PipelineError } from '../../../../lib/src/errors.js'
import type { OutgoingRecord } from '../../../../lib/src/kafka/record-producer.js'
import { createIngestMetrics, createRegistry } from '../../../../lib/src/metrics.js'
import { acceptEvents, CONTENT_TYPE, type AcceptDeps } from '../../../src/events/accept.js'
import { createEventValidator } from '../../../src/events/validate.js'

const catalog = loadCatalog()
const NOW = 1_795_533_568_239_000
const ID = '01a20e24-213f-71aa-9e50-377fc0faab61'
const trx = { trx_id: 't1', amount: 1250, currency: 'EUR', category: 'food', merchant: 'Bob' }

function setUp(send: (records: readonly OutgoingRecord[], bytes: number) => Promise<void> = async () => undefined) {
  const sent: { records: readonly OutgoingRecord[]; bytes: number }[] = []
  const metrics = createIngestMetrics(createRegistry('test'))
  const deps: AcceptDeps = {
    validate: createEventValidator(catalog),
    clock: () => NOW,
    metrics,
    sender: {
      async send(records, bytes) {
        await send(records, bytes)
        sent.push({ records, bytes })
      },
    },
  }
  return { deps, sent, metrics }
}

async function rejectedByReason(metrics: ReturnType<typeof createIngestMetrics>): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.rejected.get()).values.map((v) => [String(v.labels.reason), v.value]))
}

test('valid events go to the broker in one send: keyed by user (or service), our four headers, Avro that decodes to the event', async () => {
  const { deps, sent, metrics } = setUp()
  const result = await acceptEvents(deps, [
    { event_id: ID, service: 'cards', event_type: 'trx.created', user_id: 42, payload: trx },
    { service: 'web', event_type: 'generic', payload: { a: 1 } },
  ])
  assert.equal(result.accepted, 2)
  assert.equal(result.rejected, 0)
  const [first, second] = result.outcomes
  assert.deepEqual(first, { index: 0, status: 'accepted', event_id: ID })
  assert.ok(second?.status === 'accepted')
  assert.equal(sent.length, 1)
  const records = sent[0]?.records ?? []
  assert.deepEqual(records.map((r) => r.key), ['42', 'web'])
  assert.deepEqual(records[0]?.headers, { 'event-type': 'trx.created', 'schema-version': '1', 'event-id': ID, 'content-type': CONTENT_TYPE })
  assert.equal(records[1]?.headers['event-id'], second.event_id)
  assert.equal(sent[0]?.bytes, records.reduce((n, r) => n + r.value.length, 0))
  const decoder = createDecoder(catalog)
  const decoded = records.map((r) => decoder.decode(r.value).value)
  assert.deepEqual(decoded.map((v) => [v.event_id, v.event_type, v.user_id, v.received_at, v.occurred_at]),
    [[ID, 'trx.created', 42, NOW, NOW], [second.event_id, 'generic', null, NOW, NOW]])
  assert.equal((await metrics.accepted.get()).values[0]?.value, 2)
})

test('each event is judged on its own: only the valid ones are sent, the others are rejected by index with their errors', async () => {
  const { deps, sent, metrics } = setUp()
  let deep: unknown = {}
  for (let i = 0; i < 100; i++) deep = { d: deep }
  const result = await acceptEvents(deps, [
    { service: 'a b', event_type: 'generic', payload: {} },
    { service: 'ok', event_type: 'generic', payload: {} },
    { service: 'ok', event_type: 'generic', payload: deep },
  ])
  assert.deepEqual([result.accepted, result.rejected], [1, 2])
  assert.deepEqual(result.outcomes.map((o) => [o.index, o.status, o.status === 'rejected' ? o.code : '']),
    [[0, 'rejected', 'PIPELINE_EVENT_INVALID'], [1, 'accepted', ''], [2, 'rejected', 'PIPELINE_PAYLOAD_TOO_DEEP']])
  const invalid = result.outcomes[0]
  assert.ok(invalid?.status === 'rejected' && invalid.errors.some((e) => e.path === '/service'))
  assert.equal(sent.length, 1)
  assert.equal(sent[0]?.records.length, 1)
  assert.deepEqual(await rejectedByReason(metrics), { PIPELINE_EVENT_INVALID: 1, PIPELINE_PAYLOAD_TOO_DEEP: 1 })
})

test('no valid event: nothing is sent, every outcome is a rejection', async () => {
  const { deps, sent } = setUp()
  const result = await acceptEvents(deps, [{ event_type: 'generic', payload: {} }, 'not an object'])
  assert.deepEqual([result.accepted, result.rejected], [0, 2])
  assert.ok(result.outcomes.every((o) => o.status === 'rejected'))
  assert.deepEqual(sent, [])
})

test('the broker does not take them: the caller gets the same coded error, with Retry-After and the ids to resend', async () => {
  const down = new PipelineError('PIPELINE_BROKER_UNAVAILABLE', 'broker unavailable', { retryAfter: 2, cause: new Error('ECONNREFUSED') })
  const { deps, metrics } = setUp(async () => { throw down })
  const err = await acceptEvents(deps, [
    { event_id: ID, service: 'ok', event_type: 'generic', payload: {} },
    { service: 'a b', event_type: 'generic', payload: {} },
  ]).then(() => assert.fail('must reject'), (e: unknown) => e)
  assert.ok(err instanceof PipelineError)
  assert.equal(err.code, 'PIPELINE_BROKER_UNAVAILABLE')
  assert.equal(err.retryAfter, 2)
  assert.equal(err.cause, down.cause)
  assert.deepEqual(err.extra, { event_ids: [ID] }, 'only the valid events: the invalid one was never sent')
  assert.deepEqual(await rejectedByReason(metrics), { PIPELINE_EVENT_INVALID: 1, PIPELINE_BROKER_UNAVAILABLE: 1 })
  assert.deepEqual((await metrics.accepted.get()).values.map((v) => v.value), [0])
})

test('an error that is not ours (a bug in the sender) reaches the caller as it is', async () => {
  const bug = new TypeError('boom')
  const { deps } = setUp(async () => { throw bug })
  await assert.rejects(acceptEvents(deps, [{ service: 'ok', event_type: 'generic', payload: {} }]), (e) => e === bug)
})
