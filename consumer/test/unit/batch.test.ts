/**
 * The batch loop with a fake kafkajs batch, writing through a fake write or an in-memory
 * PositionStore: retry, permanent error, seek back, missing position, shutdown during backoff.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EachBatchPayload } from '../../../lib/src/kafka/types.js'
import { quietLogger } from '../../../lib/test/helpers/services.js'
import { createBatchLoop, type BatchLoopDeps, type BatchWriter, type PartitionBatch } from '../../src/batch.js'
import { writeAtPosition, type AtOffset, type PositionOutcome } from '../../src/position.js'
import { createMemoryStore, type MemoryStore } from '../helpers/memory-store.js'
import { message } from '../helpers/records.js'

type WriteOutcome = PositionOutcome<unknown>

function payload(offsets: number[], overrides: Partial<Pick<EachBatchPayload, 'isRunning' | 'isStale' | 'commitOffsetsIfNecessary' | 'heartbeat'>> = {}) {
  const resolved: string[] = []
  let commits = 0
  const p = {
    batch: { topic: 't', partition: 0, messages: offsets.map((o) => message(o, null)) },
    resolveOffset: (o: string) => { resolved.push(o) },
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async () => { commits++ },
    isRunning: () => true,
    isStale: () => false,
    ...overrides,
  }
  return { p: p as unknown as EachBatchPayload, resolved, commits: () => commits }
}

test('a failed write is retried with backoff, then the batch is resolved and committed', async () => {
  const writes: PartitionBatch[] = []
  const sleeps: number[] = []
  let fail = 2
  const loop = createBatchLoop({
    write: async (b): Promise<WriteOutcome> => {
      writes.push(b)
      if (fail-- > 0) throw new Error('database down')
      return { kind: 'written' }
    },
    retry: { minMs: 100, maxMs: 150 }, logger: quietLogger, onFatal: () => assert.fail('not fatal'), seek: () => assert.fail('no seek'),
    sleep: async (ms) => { sleeps.push(ms) },
  })
  const { p, resolved, commits } = payload([5, 6, 7])
  await loop(p)
  assert.equal(writes.length, 3)
  assert.deepEqual(sleeps, [100, 150]) // doubling, capped
  assert.deepEqual([writes[0]?.firstOffset, writes[0]?.nextOffset, writes[0]?.allowGap], [5n, 8n, false])
  assert.deepEqual(resolved, ['7'])
  assert.equal(commits(), 1)
})

test('the database behind the batch: seek back to its position, resolve nothing; after the seek a later start is an accepted gap', async () => {
  const seeks: bigint[] = []
  const writes: PartitionBatch[] = []
  let behind = true
  const loop = createBatchLoop({
    write: async (b): Promise<WriteOutcome> => {
      writes.push(b)
      if (behind) {
        behind = false
        return { kind: 'behind', storedNext: 0n }
      }
      return { kind: 'written' }
    },
    retry: { minMs: 1, maxMs: 1 }, logger: quietLogger, onFatal: () => assert.fail('not fatal'), seek: (_t, _p, offset) => seeks.push(offset),
  })
  const first = payload([40, 41])
  await loop(first.p)
  assert.deepEqual(seeks, [0n])
  assert.deepEqual(first.resolved, [])
  const again = payload([40, 41]) // the log no longer has 0..39
  await loop(again.p)
  assert.equal(writes[1]?.allowGap, true)
  assert.deepEqual(again.resolved, ['41'])
})

test('shutdown during a backoff: the wait ends at once, the batch is neither written again nor resolved', async () => {
  const stopping = new AbortController()
  let writes = 0
  const loop = createBatchLoop({
    write: async () => {
      writes++
      throw new Error('database down')
    },
    retry: { minMs: 60_000, maxMs: 60_000 }, logger: quietLogger, onFatal: () => assert.fail('not fatal'), seek: () => undefined, signal: stopping.signal,
  })
  const { p, resolved } = payload([1])
  const started = performance.now()
  const run = loop(p)
  setTimeout(() => stopping.abort(), 50)
  await run
  assert.ok(performance.now() - started < 5_000, 'did not wait out the 60 s backoff')
  assert.equal(writes, 1)
  assert.deepEqual(resolved, [])
})

test('a permanent failure of the store (a missing table) stops the consumer at once: no retry, nothing resolved', async () => {
  const fatal: unknown[] = []
  const sleeps: number[] = []
  const missing = Object.assign(new Error('relation "events" does not exist'), { code: '42P01' })
  const loop = createBatchLoop({
    write: async () => { throw missing },
    retry: { minMs: 10, maxMs: 10 }, logger: quietLogger, seek: () => undefined, onFatal: (err) => fatal.push(err),
    sleep: async (ms) => { sleeps.push(ms) },
  })
  const { p, resolved } = payload([3])
  await loop(p)
  assert.deepEqual(fatal, [missing])
  assert.deepEqual(sleeps, [])
  assert.deepEqual(resolved, [])
})

/**
 * A store that keeps every record given to it, and a loop that writes each batch's records into
 * it through writeAtPosition (no backoff wait; neither fatal nor seeking unless `deps` says so).
 */
function memory(): { store: MemoryStore<AtOffset, object>; loop: (deps?: Partial<BatchLoopDeps>) => ReturnType<typeof createBatchLoop> } {
  const store = createMemoryStore((records: readonly AtOffset[]) => ({ stored: records, result: {} }))
  const write: BatchWriter = (b) => writeAtPosition(store, b, b.messages.map((m) => ({ offset: BigInt(m.offset) })))
  return {
    store,
    loop: (deps = {}) => createBatchLoop({
      write, retry: { minMs: 1, maxMs: 1 }, logger: quietLogger, sleep: async () => undefined,
      onFatal: () => assert.fail('not fatal'), seek: () => assert.fail('no seek'), ...deps,
    }),
  }
}

const offsetsOf = (store: MemoryStore<AtOffset, object>) => store.records.map((r) => Number(r.offset))

/** What a run left: the offsets stored, the partition's stored position, the Kafka offsets resolved. */
const left = (store: MemoryStore<AtOffset, object>, resolved: readonly string[]) => ({ stored: offsetsOf(store), position: store.position('t', 0), resolved })

test('no position row in the database while Kafka is ahead: seek to the log start, then every record from 0 is stored once', async () => {
  const { store, loop: makeLoop } = memory()
  const seeks: bigint[] = []
  const loop = makeLoop({ seek: (_t, _p, offset) => seeks.push(offset) })
  const fetched = payload([40, 41]) // Kafka's committed offset is 40
  await loop(fetched.p)
  assert.deepEqual(seeks, [0n])
  assert.deepEqual(fetched.resolved, [])
  assert.deepEqual(offsetsOf(store), [])
  const fromStart = payload(Array.from({ length: 42 }, (_, i) => i))
  await loop(fromStart.p)
  assert.deepEqual(offsetsOf(store), Array.from({ length: 42 }, (_, i) => i))
  assert.equal(store.position('t', 0), 42n)
  assert.deepEqual(fromStart.resolved, ['41'])
})

test('a transient store failure rolls back and is retried: the batch is stored once, with its position, then resolved', async () => {
  const { store, loop: makeLoop } = memory()
  store.failWrites(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 2)
  let retries = 0
  const loop = makeLoop({ onRetry: () => retries++ })
  const { p, resolved, commits } = payload([0, 1, 2])
  await loop(p)
  assert.equal(retries, 2)
  assert.deepEqual(left(store, resolved), { stored: [0, 1, 2], position: 3n, resolved: ['2'] })
  assert.deepEqual(store.stats, { open: 0, discarded: 2, commits: 1 })
  assert.equal(commits(), 1)
})

test('a permanent store failure (a missing table) stores nothing, moves no position, resolves nothing, and stops the consumer', async () => {
  const { store, loop: makeLoop } = memory()
  const missing = Object.assign(new Error("Table 'forecap_db.user_recap_data' doesn't exist"), { code: 'ER_NO_SUCH_TABLE' })
  store.failWrites(missing)
  const fatal: unknown[] = []
  const loop = makeLoop({ onFatal: (err) => fatal.push(err) })
  const { p, resolved } = payload([0, 1])
  await loop(p)
  assert.deepEqual(fatal, [missing])
  assert.deepEqual(left(store, resolved), { stored: [], position: undefined, resolved: [] })
})

test('a batch the database already has (a replay after a rebalance): nothing stored again, the position stays, the batch is resolved', async () => {
  const { store, loop: makeLoop } = memory()
  store.setPosition('t', 0, 10n)
  const loop = makeLoop()
  const { p, resolved } = payload([6, 7, 8, 9, 10, 11])
  await loop(p)
  assert.deepEqual(left(store, resolved), { stored: [10, 11], position: 12n, resolved: ['11'] })
})

test('a failed Kafka commit after the write: the database has the batch and its position, the loop does not throw', async () => {
  const { store, loop: makeLoop } = memory()
  const loop = makeLoop()
  const { p, resolved } = payload([0, 1], { commitOffsetsIfNecessary: async () => { throw new Error('coordinator not available') } })
  await loop(p)
  assert.deepEqual(left(store, resolved), { stored: [0, 1], position: 2n, resolved: ['1'] })
})

test('a batch of a partition this consumer no longer owns (stale, or stopping) is not written', async () => {
  const { store, loop: makeLoop } = memory()
  const loop = makeLoop()
  const stale = payload([0], { isStale: () => true })
  await loop(stale.p)
  const stopped = payload([0], { isRunning: () => false })
  await loop(stopped.p)
  assert.deepEqual(offsetsOf(store), [])
  assert.deepEqual([...stale.resolved, ...stopped.resolved], [])
})

test('a heartbeat that fails while retrying (the partition was reassigned) leaves the batch to its next owner: written by nobody here', async () => {
  const { store, loop: makeLoop } = memory()
  store.failWrites(new Error('database down'))
  const loop = makeLoop()
  const { p, resolved } = payload([0], { heartbeat: async () => { throw new Error('rebalance in progress') } })
  await loop(p)
  assert.deepEqual(offsetsOf(store), [])
  assert.deepEqual(resolved, [])
})
