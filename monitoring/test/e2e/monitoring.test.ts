/**
 * Monitoring against the running system: a real Prometheus scrapes the real producer-api and
 * consumer under load; every ingestion panel's query returns data, and the lag alert fires
 * when the sink is paused and resolves when it resumes (with the rules' `for:` shortened).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { startLoad } from '../../../lib/test/helpers/load.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { startPrometheus } from '../../../lib/test/helpers/prometheus.js'
import { createTestTopic, waitFor } from '../../../lib/test/helpers/services.js'

const hostPort = (url: string) => new URL(url).host

test('under load every ingestion panel has data; the lag alert fires on a stalled sink and resolves', async (t) => {
  const topic = await createTestTopic(t)
  const env = { ...topic.env, LAG_SOFT: '3000', LAG_HARD: '1000000', LAG_POLL_MS: '250', SINK_SESSION_TIMEOUT_MS: '60000' }
  const consumer = await startService(t, 'consumer', env)
  const api = await startService(t, 'producer-api', env)
  const prometheus = await startPrometheus(t, { 'producer-api': hostPort(api.url), consumer: hostPort(consumer.url) }, { fastRules: true })
  const load = startLoad({ url: api.url, concurrency: 4, batchSize: 20 })
  t.after(async () => {
    load.stop()
    await load.done
  })

  const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'monitoring', 'grafana', 'dashboards', 'ingestion.json'), 'utf8')) as {
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
    .catch(() => assert.fail(`panels without data: ${missing.join('; ')}`))

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
