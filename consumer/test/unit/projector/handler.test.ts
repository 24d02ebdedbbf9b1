/**
 * user-recap-projector's write (createProjectorWrite) over an in-memory store: which trx events
 * are folded at which position, what is passed over, and which users' cache entries are dropped.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Redis } from 'ioredis'
import { createDecoder } from '../../../../lib/src/avro/codec.js'
import { createProjectorMetrics, createRegistry } from '../../../../lib/src/metrics.js'
import { userDataKey } from '../../../../lib/src/read-model.js'
import { quietLogger } from '../../../../lib/test/helpers/services.js'
import { createProjectorWrite } from '../../../src/projector/handler.js'
import type { Projection, TrxAt } from '../../../src/projector/store.js'
import { createMemoryStore } from '../../helpers/memory-store.js'
import { batchOf, catalog, encoded, message, ourHeaders } from '../../helpers/records.js'

const MARKS = Buffer.from('0123456789abcdef', 'hex')

/** Folds every event it is given; the touched users, once each, marked with MARKS. */
const readModel = () => createMemoryStore((events: readonly TrxAt[]) => {
  const result: Projection = { applied: events.length, duplicates: 0, users: [...new Set(events.map((e) => e.event.userId))].sort((a, b) => a - b), marks: MARKS }
  return { stored: events, result }
})

/** A Redis whose MULTI records the keys it deletes, or fails on exec. */
function fakeRedis({ fails = false } = {}) {
  const deleted: string[] = []
  const redis = {
    multi: () => {
      const keys: string[] = []
      const tx = {
        incr: () => tx,
        expire: () => tx,
        del: (key: string) => { keys.push(key); return tx },
        exec: async () => {
          if (fails) throw new Error('redis away')
          deleted.push(...keys)
          return []
        },
      }
      return tx
    },
  } as unknown as Pick<Redis, 'multi'> // the overloads of multi() are more than the projector calls
  return { redis, deleted }
}

function setUp(redisOptions = {}) {
  const store = readModel()
  const { redis, deleted } = fakeRedis(redisOptions)
  const metrics = createProjectorMetrics(createRegistry('test'))
  const settled: [readonly number[], string][] = []
  const outbox = { settle: async (users: readonly number[], token: Buffer) => { settled.push([users, token.toString('hex')]) } }
  const write = createProjectorWrite({ store, decoder: createDecoder(catalog), redis, outbox, logger: quietLogger, metrics })
  return { store, deleted, settled, metrics, write }
}

const trx = (type: 'trx.created' | 'trx.refunded', userId: number, amount: number) =>
  encoded(type, { user_id: userId, payload: { trx_id: 't', amount, currency: 'EUR', category: 'books', merchant: 'm' } })

async function outcomes(metrics: ReturnType<typeof createProjectorMetrics>): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.events.get()).values.map((v) => [String(v.labels.outcome), v.value]))
}

test('trx events are folded at their offsets with the batch position; other event types are passed over undecoded; the touched users are invalidated', async () => {
  const { store, deleted, settled, metrics, write } = setUp()
  const created = trx('trx.created', 7, 1250)
  const refunded = trx('trx.refunded', 9, 300)
  const noHeaders = trx('trx.created', 7, 50) // a foreign producer: decoded to find its type
  const generic = encoded('generic')
  const messages = [
    message(0, created.value, ourHeaders('trx.created', created.id)),
    message(1, Buffer.from('never decoded'), ourHeaders('generic', 'x')), // its header says generic: not even read
    message(2, generic.value), // no header: decoded, not a trx event
    message(3, refunded.value, ourHeaders('trx.refunded', refunded.id)),
    message(4, Buffer.from('garbage'), ourHeaders('trx.created', 'y')), // left to the sink's DLQ
    message(5, noHeaders.value),
  ]
  const outcome = await write(batchOf(messages))
  assert.equal(outcome.kind, 'written')
  assert.deepEqual(store.records.map((r) => [Number(r.offset), r.event.eventId, r.event.type, r.event.amount]), [
    [0, created.id, 'trx.created', 1250], [3, refunded.id, 'trx.refunded', 300], [5, noHeaders.id, 'trx.created', 50],
  ])
  assert.equal(store.position('events', 2), 6n)
  assert.deepEqual(deleted, [userDataKey(7), userDataKey(9)])
  assert.deepEqual(settled, [[[7, 9], '0123456789abcdef']], 'the marks of the batch are settled after the invalidation')
  assert.deepEqual(await outcomes(metrics), { applied: 3, duplicate: 0, skipped: 2, undecodable: 1 })
})

test('a failed cache invalidation after the commit keeps the batch committed and its marks (for the outbox drain), counted as failed', async () => {
  const { store, settled, metrics, write } = setUp({ fails: true })
  const created = trx('trx.created', 3, 10)
  const outcome = await write(batchOf([message(0, created.value)]))
  assert.equal(outcome.kind, 'written')
  assert.equal(store.records.length, 1)
  assert.equal(store.position('events', 2), 1n)
  assert.deepEqual((await metrics.invalidations.get()).values.map((v) => [v.labels.result, v.value]), [['failed', 1]])
  assert.deepEqual(settled, [], 'the marks stay')
})

test('the database behind the batch: nothing folded, no position moved, no cache entry dropped', async () => {
  const { store, deleted, write } = setUp()
  const created = trx('trx.created', 3, 10)
  assert.deepEqual(await write(batchOf([message(20, created.value)])), { kind: 'behind', storedNext: 0n })
  assert.deepEqual(store.records, [])
  assert.equal(store.position('events', 2), undefined)
  assert.deepEqual(deleted, [])
})

test('a failed store write reaches the loop (to retry): nothing folded, no cache entry dropped', async () => {
  const { store, deleted, write } = setUp()
  store.failWrites(Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' }))
  await assert.rejects(write(batchOf([message(0, trx('trx.created', 3, 10).value)])), /Deadlock/)
  assert.deepEqual(store.records, [])
  assert.equal(store.position('events', 2), undefined)
  assert.deepEqual(deleted, [])
})
