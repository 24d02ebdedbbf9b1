/**
 * The guarantees under server failures: kill -9 of Postgres and of the broker while events
 * flow. Every acknowledged event ends in Postgres exactly once; transient errors are retried
 * (never dead-lettered); no process crashes or hangs.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startLoad } from '../../../lib/test/helpers/load.js'
import { startPipeline } from '../../../lib/test/helpers/pipeline.js'
import { killServer, stackUp } from '../../../lib/test/helpers/stack.js'
import { assertExactlyOnce, connectAdmin } from '../../../lib/test/helpers/services.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('kill -9 of Postgres under load: the sink retries, nothing is dead-lettered, every 202 arrives once', async (t) => {
  const { pool, api, consumer, topic } = await startPipeline(t)
  const load = startLoad({ url: api.url, concurrency: 8, batchSize: 20 })
  await sleep(1000)
  await killServer('postgres')
  await sleep(2000)
  await stackUp()
  await sleep(1000)
  load.stop()
  await load.done
  assert.ok(load.acked.size > 500, `only ${load.acked.size} acknowledged`)
  await assertExactlyOnce(pool, [...load.acked], 60_000)
  assert.equal(consumer.proc.exitCode, null, 'the consumer is still running')
  assert.match(consumer.log(), /batch write failed: retrying/)
  const admin = await connectAdmin(t)
  const [dlq] = await admin.fetchTopicOffsets(topic.dlqTopic)
  assert.equal(dlq?.high, '0', 'no dead letters for a transient failure')
})

test('kill -9 of the broker under load: requests fail fast with 503, then 202 again; every 202 arrives once', async (t) => {
  const { pool, api, consumer } = await startPipeline(t)
  const load = startLoad({ url: api.url, concurrency: 8, batchSize: 20 })
  await sleep(1000)
  await killServer('kafka')
  await sleep(3000)
  const ackedWhileDown = load.acked.size
  await stackUp()
  await sleep(8000)
  load.stop()
  await load.done
  assert.ok((load.statuses.get(503) ?? 0) > 0, `503s while the broker was down: ${JSON.stringify([...load.statuses])}`)
  assert.ok(load.acked.size > ackedWhileDown, `202 again after the broker came back: ${JSON.stringify([...load.statuses])}`)
  for (const status of load.statuses.keys()) assert.ok([202, 503].includes(status as number), `unexpected outcome ${status}`)
  const slowest = Math.max(...load.outcomes.map((o) => o.ms))
  assert.ok(slowest < 5000 + 2000, `no request hangs: the slowest took ${slowest} ms (SEND_ACK_TIMEOUT_MS is 5000)`)
  t.diagnostic(`slowest response while the broker was down: ${slowest} ms`)
  await assertExactlyOnce(pool, [...load.acked], 60_000)
  assert.equal(api.proc.exitCode, null, 'producer-api is still running')
  assert.equal(consumer.proc.exitCode, null, 'the consumer is still running')
})
