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

test('kill -9 of Postgres under load: the sink retries, nothing is dead-lettered, every 202 arrives once; producer-api serves from its last key set', async (t) => {
  // Keys read every 200 ms: several reads fail while Postgres is down.
  const { pool, api, apiKey, consumer, topic } = await startPipeline(t, { env: { API_KEYS_REFRESH_MS: '200' } })
  const load = startLoad({ url: api.url, apiKey, concurrency: 8, batchSize: 20 })
  await sleep(1000)
  await killServer('postgres')
  const ackedAtKill = load.acked.size
  await sleep(2000)
  const ackedWhileDown = load.acked.size - ackedAtKill
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
  // The write path does not read Postgres: the key set read before the outage kept serving.
  assert.ok(ackedWhileDown > 0, `202s while Postgres was down: ${ackedWhileDown}`)
  assert.ok(!load.statuses.has(401), `no key refused: ${JSON.stringify([...load.statuses])}`)
  assert.match(api.log(), /api keys cannot be read: serving with the last set read/)
})

test('kill -9 of the broker under load: requests fail fast with 503, then 202 again; every 202 arrives once', async (t) => {
  const { pool, api, apiKey, consumer } = await startPipeline(t)
  const load = startLoad({ url: api.url, apiKey, concurrency: 8, batchSize: 20 })
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
