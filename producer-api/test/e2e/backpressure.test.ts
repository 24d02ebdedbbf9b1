/**
 * Backpressure from real consumer lag, and admission control, on the real broker and
 * Postgres. Thresholds are small so that the tests are quick; figures go to the test's
 * diagnostics (the time from a sink stall to the first 429 and 503, and back to 202).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { createTestKey } from '../../../lib/test/helpers/keys.js'
import { genericEvent, post, startLoad, type Outcome } from '../../../lib/test/helpers/load.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { assertExactlyOnce, createTestTopic, testPool, waitFor } from '../../../lib/test/helpers/services.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const LAG_ENV = { LAG_SOFT: '5000', LAG_HARD: '40000', LAG_POLL_MS: '250', LAG_MAX_RETRY_AFTER_SECONDS: '30' }

interface LagBody {
  state: string
  thresholds: { soft: number; hard: number }
  groups: { group: string; members: number; lag: number }[]
}
const getLag = async (url: string) => (await (await fetch(`${url}/health/lag`)).json()) as LagBody

function firstAfter(outcomes: readonly Outcome[], at: number, status: number): Outcome | undefined {
  return outcomes.find((o) => o.at >= at && o.status === status)
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

test('sink stalled (SIGSTOP): 202 → 429 → 503 with a Retry-After from lag; resumed: 202 again, no restart', async (t) => {
  const topic = await createTestTopic(t)
  const pool = testPool(t)
  const env = { ...topic.env, ...LAG_ENV, SINK_SESSION_TIMEOUT_MS: '60000' }
  const consumer = await startService(t, 'consumer', env)
  const { key } = await createTestKey(t)
  const api = await startService(t, 'producer-api', env)
  const load = startLoad({ url: api.url, apiKey: key, concurrency: 6, batchSize: 50 })
  await sleep(1500)
  assert.equal(load.statuses.get(429) ?? 0, 0, 'no throttling while the sink keeps up')

  const stalledAt = Date.now()
  consumer.kill('SIGSTOP')
  await waitFor(() => firstAfter(load.outcomes, stalledAt, 503) !== undefined, { timeoutMs: 30_000, message: 'a 503 after the stall' })
  await sleep(1000)
  const resumedAt = Date.now()
  consumer.kill('SIGCONT')
  await waitFor(() => load.outcomes.filter((o) => o.at >= resumedAt && o.status === 202).length >= 20, { timeoutMs: 60_000, message: '202 again after resume' })
  load.stop()
  await load.done

  const first429 = firstAfter(load.outcomes, stalledAt, 429)
  const first503 = firstAfter(load.outcomes, stalledAt, 503)
  const back202 = firstAfter(load.outcomes, resumedAt, 202)
  assert.ok(first429 && first503 && back202)
  assert.ok(first429.at <= first503.at, '429 comes before 503')
  const throttled = load.outcomes.filter((o) => o.status === 429 || o.status === 503)
  for (const o of throttled) assert.ok(o.retryAfter !== undefined && o.retryAfter >= 1 && o.retryAfter <= 30, `Retry-After ${o.retryAfter}`)
  assert.ok(new Set(throttled.map((o) => o.retryAfter)).size > 1, 'Retry-After follows lag, not a constant')
  for (const status of load.statuses.keys()) assert.ok([202, 429, 503].includes(status as number), `unexpected ${status}`)
  t.diagnostic(`stall → first 429: ${first429.at - stalledAt} ms; stall → first 503: ${first503.at - stalledAt} ms; resume → 202: ${back202.at - resumedAt} ms`)
  t.diagnostic(`statuses: ${JSON.stringify([...load.statuses])}`)
  await assertExactlyOnce(pool, [...load.acked], 60_000)
  const lag = await getLag(api.url)
  assert.equal(lag.thresholds.soft, 5000)
  assert.equal(lag.groups[0]?.group, topic.group)
  assert.deepEqual(((await (await fetch(`${api.url}/health/buffer`)).json()) as LagBody).thresholds, lag.thresholds)
})

test('no live member in the sink group while events arrive: 503 within seconds', async (t) => {
  const topic = await createTestTopic(t)
  const { key } = await createTestKey(t)
  const api = await startService(t, 'producer-api', { ...topic.env, ...LAG_ENV })
  assert.equal((await getLag(api.url)).state, 'ok', 'an idle group without members is not an alarm')
  const started = Date.now()
  let refused: Awaited<ReturnType<typeof post>> | undefined
  await waitFor(async () => {
    const res = await post(`${api.url}/events`, genericEvent('no-members'), key)
    if (res.status === 503) refused = res
    return refused !== undefined
  }, { timeoutMs: 10_000, intervalMs: 100, message: 'a 503 without sink members' })
  assert.equal(refused?.body.code, 'PIPELINE_LAG_CRITICAL')
  assert.match(String(refused?.body.detail), /no live members/)
  t.diagnostic(`first event → 503: ${Date.now() - started} ms`)
})

test('a burst past the in-flight bound: fast 503s, bounded memory, every 202 stored once', async (t) => {
  const topic = await createTestTopic(t)
  const pool = testPool(t)
  await startService(t, 'consumer', topic.env)
  const { key } = await createTestKey(t)
  const api = await startService(t, 'producer-api', { ...topic.env, ADMISSION_MAX_REQUESTS: '100' })
  const rssBefore = rssMb(api.proc.pid)
  const burst = Array.from({ length: 2000 }, () => genericEvent('burst', { payload: { pad: 'x'.repeat(2000) } }))
  let rssPeak = rssBefore
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMb(api.proc.pid)) }, 20)
  const results = await Promise.all(burst.map(async (event) => {
    const started = Date.now()
    const res = await post(`${api.url}/events`, event, key).catch(() => ({ status: 0, body: { code: 'connection-error' } }))
    return { id: event.event_id, status: res.status, code: res.body.code, ms: Date.now() - started }
  }))
  clearInterval(sampler)
  const accepted = results.filter((r) => r.status === 202)
  const refused = results.filter((r) => r.status === 503)
  assert.equal(accepted.length + refused.length, results.length, `only 202 and 503: ${JSON.stringify(results.find((r) => r.status !== 202 && r.status !== 503))}`)
  assert.ok(refused.length > 0, 'the bound refused some')
  assert.ok(refused.every((r) => r.code === 'PIPELINE_OVERLOADED'))
  const slowestRefusal = Math.max(...refused.map((r) => r.ms))
  t.diagnostic(`burst of ${results.length}: ${accepted.length} × 202, ${refused.length} × 503 (slowest 503 ${slowestRefusal} ms); RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} MB`)
  assert.ok(rssPeak - rssBefore < 200, `memory stays bounded: +${(rssPeak - rssBefore).toFixed(0)} MB`)
  await assertExactlyOnce(pool, accepted.map((r) => r.id))
})
