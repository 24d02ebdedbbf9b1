/**
 * Monitoring against the running system: a real Prometheus scrapes the real services under
 * load; every panel's query of both dashboards returns data, and the lag alert fires when the
 * sink is paused and resolves when it resumes (with the rules' `for:` shortened).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createEventsClient } from '../../../lib/src/client/events-client.js'
import { createUserDataClient } from '../../../lib/src/client/user-data-client.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { createTestKey } from '../../../lib/test/helpers/keys.js'
import { startLoad } from '../../../lib/test/helpers/load.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { startPrometheus, type TestPrometheus } from '../../../lib/test/helpers/prometheus.js'
import { createTestTopic, uniqueName, uniqueUserId, waitFor } from '../../../lib/test/helpers/services.js'

const hostPort = (url: string) => new URL(url).host

/** Waits until every panel of the dashboard has at least one series, or fails naming the empty ones. */
async function assertEveryPanelHasData(prometheus: TestPrometheus, file: string): Promise<void> {
  const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'monitoring', 'grafana', 'dashboards', file), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[]
  }
  const empty = async () => {
    const out: string[] = []
    for (const panel of dashboard.panels) {
      const results = await Promise.all(panel.targets.map((x) => prometheus.query(x.expr)))
      if (!results.some((r) => (r.data?.result.length ?? 0) > 0)) out.push(panel.title)
    }
    return out
  }
  let missing: string[] = []
  await waitFor(async () => (missing = await empty()).length === 0, { timeoutMs: 30_000, intervalMs: 1000, message: 'data in every panel' })
    .catch(() => assert.fail(`${file}: panels without data: ${missing.join('; ')}`))
}

test('under load every ingestion panel has data; the lag alert fires on a stalled sink and resolves', async (t) => {
  const topic = await createTestTopic(t)
  const env = { ...topic.env, LAG_SOFT: '3000', LAG_HARD: '1000000', LAG_POLL_MS: '250', SINK_SESSION_TIMEOUT_MS: '60000' }
  const consumer = await startService(t, 'consumer', env)
  const { key } = await createTestKey(t)
  const api = await startService(t, 'producer-api', env)
  const prometheus = await startPrometheus(t, { 'producer-api': hostPort(api.url), consumer: hostPort(consumer.url) }, { fastRules: true })
  const load = startLoad({ url: api.url, apiKey: key, concurrency: 4, batchSize: 20 })
  t.after(async () => {
    load.stop()
    await load.done
  })

  await assertEveryPanelHasData(prometheus, 'ingestion.json')

  const stalledAt = Date.now()
  consumer.kill('SIGSTOP')
  const lagHigh = async () => (await prometheus.firingAlerts()).some((a) => a.labels.alertname === 'PipelineSinkLagHigh' && a.labels.group === topic.group)
  await waitFor(lagHigh, { timeoutMs: 60_000, intervalMs: 250, message: 'PipelineSinkLagHigh to fire' })
  const firedAfter = Date.now() - stalledAt
  const resumedAt = Date.now()
  consumer.kill('SIGCONT')
  await waitFor(async () => !(await lagHigh()), { timeoutMs: 60_000, intervalMs: 250, message: 'PipelineSinkLagHigh to resolve' })
  t.diagnostic(`sink stall → PipelineSinkLagHigh firing: ${firedAfter} ms (for: shortened to 2s; scrape and evaluation every 1 s); resume → resolved: ${Date.now() - resumedAt} ms`)

  for (const [name, url] of [['producer-api', api.url], ['consumer', consumer.url]] as const) {
    const started = performance.now()
    const res = await fetch(`${url}/metrics`)
    const text = await res.text()
    t.diagnostic(`${name} /metrics: ${(performance.now() - started).toFixed(1)} ms, ${text.length} bytes`)
    assert.match(text, /process_resident_memory_bytes/)
  }
})

test('under read load every read-path panel has data', async (t) => {
  const topic = await createTestTopic(t)
  const group = uniqueName('test-projector')
  const secret = 'monitoring-e2e-signing-secret'
  const env = { ...topic.env, PROJECTOR_GROUP_ID: group, LAG_OBSERVED_GROUPS: group, LAG_POLL_MS: '250', QUERY_SIGNING_SECRET: secret }
  const consumer = await startService(t, 'consumer', env)
  const projector = await startService(t, 'projector', env)
  const { key } = await createTestKey(t, { services: ['monitoring-e2e'] })
  const api = await startService(t, 'producer-api', env)
  const query = await startService(t, 'query-api', env)
  const prometheus = await startPrometheus(t, {
    'producer-api': hostPort(api.url), consumer: hostPort(consumer.url), projector: hostPort(projector.url), 'query-api': hostPort(query.url),
  })
  const events = createEventsClient({ url: api.url, apiKey: key, connections: 4 })
  const reads = createUserDataClient({ url: query.url, secret })
  let running = true
  const users = Array.from({ length: 20 }, uniqueUserId)
  const traffic = (async () => {
    for (let round = 0; running; round++) {
      await events.sendBatch(users.map((u) => ({
        service: 'monitoring-e2e', event_type: 'trx.created', user_id: u,
        payload: { trx_id: `${round}-${u}`, amount: 100, currency: 'EUR', category: 'books', merchant: 'm' },
      })))
      for (const u of users) await reads.get(u) // misses right after each fold, then hits
      await reads.get(1) // unknown user: 404
      await reads.get(users[0] ?? 1, { timestamp: String(Date.now()), user_id: '1', sign: 'forged' }) // 401
      await new Promise((r) => setTimeout(r, 200))
    }
  })()
  try {
    await assertEveryPanelHasData(prometheus, 'read-path.json')
  } finally { // before the services stop (t.after hooks run first-registered first)
    running = false
    await traffic
    await events.close()
    await reads.close()
  }
})
