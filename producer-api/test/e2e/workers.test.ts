/**
 * PRODUCER_WORKERS=2 on the real broker and Postgres: one port served by two worker processes,
 * each with its own producer; GET /metrics sums the counters of both and does not sum what
 * both read from the same source (a group's members); a worker killed with -9 under load is
 * replaced, and every acknowledged event is in Postgres exactly once; SIGTERM to the primary
 * drains every worker and exits 0.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { bearerHeader } from '../../../lib/src/api-keys/key.js'
import { createTestKey } from '../../../lib/test/helpers/keys.js'
import { genericEvent, startLoad } from '../../../lib/test/helpers/load.js'
import { alive, childPids as children, startService } from '../../../lib/test/helpers/processes.js'
import { assertExactlyOnce, createTestTopic, testPool, waitFor } from '../../../lib/test/helpers/services.js'

/** POST /events on a connection of its own (no keep-alive): the primary hands each new connection to the next worker. */
function postOnNewConnection(url: string, body: unknown, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/events`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...bearerHeader(key) } }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
    })
    req.once('error', reject)
    req.end(JSON.stringify(body))
  })
}

/** The value of every series of `name` whose labels contain `labels`, summed. */
async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text())
  const series = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm')
  return [...text.matchAll(series)].filter((m) => (m[1] ?? '').includes(labels)).reduce((sum, m) => sum + Number(m[2]), 0)
}

test('PRODUCER_WORKERS=2: two workers on one port, metrics of both, a worker killed under load loses nothing, SIGTERM drains them all', async (t) => {
  const topic = await createTestTopic(t)
  const pool = testPool(t)
  await startService(t, 'consumer', topic.env)
  const { key } = await createTestKey(t)
  const api = await startService(t, 'producer-api', { ...topic.env, PRODUCER_WORKERS: '2', LAG_POLL_MS: '250' })
  const primary = api.proc.pid ?? 0
  await waitFor(async () => children(primary).length === 2, { timeoutMs: 30_000, message: 'two workers' })
  const workers = children(primary)
  await waitFor(() => (api.log().match(/"producer-api listening"/g) ?? []).length === 2, { timeoutMs: 30_000, message: 'both workers listening' })

  const first = Array.from({ length: 20 }, () => genericEvent('workers'))
  assert.deepEqual([...new Set(await Promise.all(first.map((e) => postOnNewConnection(api.url, e, key))))], [202])
  assert.equal(await metric(api.url, 'pipeline_events_accepted_total'), 20, 'the events of both workers, whichever answered /metrics')
  await waitFor(async () => await metric(api.url, 'pipeline_consumer_group_members', `group="${topic.group}"`) === 1, {
    timeoutMs: 10_000, message: 'one member of the sink group, as each worker reads it (not one per worker)',
  })

  const load = startLoad({ url: api.url, apiKey: key, concurrency: 8, batchSize: 1, service: 'workers' })
  await waitFor(() => load.acked.size >= 200, { timeoutMs: 30_000, message: 'load acknowledged' })
  process.kill(workers[0] ?? 0, 'SIGKILL')
  await waitFor(async () => {
    const now = children(primary)
    return now.length === 2 && !now.includes(workers[0] ?? 0)
  }, { timeoutMs: 30_000, message: 'a new worker in place of the killed one' })
  await waitFor(() => (api.log().match(/"producer-api listening"/g) ?? []).length === 3, { timeoutMs: 30_000, message: 'the new worker listening' })
  const atReplace = load.acked.size
  await waitFor(() => load.acked.size >= atReplace + 200, { timeoutMs: 30_000, message: 'acknowledged after the replacement' })
  load.stop()
  await load.done
  assert.match(api.log(), /a worker exited: starting another/)
  for (const status of load.statuses.keys()) assert.ok([202, 503, 'connection-error'].includes(status), `unexpected ${String(status)}`)
  await assertExactlyOnce(pool, [...first.map((e) => e.event_id), ...load.acked], 60_000)
  t.diagnostic(`statuses under load with a worker killed: ${JSON.stringify([...load.statuses])}`)

  const replaced = children(primary)
  api.kill('SIGTERM')
  assert.equal(await api.exited, 0)
  for (const pid of replaced) assert.equal(alive(pid), false, `worker ${pid} stopped with its primary`)
  assert.equal((api.log().match(/"shut down cleanly"/g) ?? []).length, 2, 'each worker drained and closed')
})
