/** The batch loop with a fake store and a fake kafkajs batch: retry, seek back, shutdown during backoff. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EachBatchPayload } from '../../../lib/src/kafka/types.js'
import { quietLogger } from '../../../lib/test/helpers/services.js'
import { createBatchLoop, type PartitionBatch } from '../../src/batch.js'
import type { PositionOutcome } from '../../src/position.js'

type WriteOutcome = PositionOutcome<unknown>

function payload(offsets: number[]) {
  const resolved: string[] = []
  let commits = 0
  const p = {
    batch: { topic: 't', partition: 0, messages: offsets.map((o) => ({ offset: String(o), key: null, value: null, timestamp: '0', attributes: 0, headers: {} })) },
    resolveOffset: (o: string) => { resolved.push(o) },
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async () => { commits++ },
    isRunning: () => true,
    isStale: () => false,
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
