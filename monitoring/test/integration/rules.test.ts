/**
 * Monitoring as code, checked: promtool validates the configs and rules and runs the alert
 * unit tests; every PromQL expression (dashboards, recording and alert rules, Grafana alert
 * rules) parses on a real Prometheus; the dashboards are well-formed.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { allExpressions, startPrometheus } from '../../../lib/test/helpers/prometheus.js'

const run = promisify(execFile)
const PROM = join(PROJECT_ROOT, 'monitoring', 'prometheus')

test('promtool: configs and rules are valid, and the alert unit tests pass', async () => {
  for (const config of ['prometheus.local.yml', 'prometheus.compose.yml']) {
    const { stdout } = await run('promtool', ['check', 'config', config], { cwd: PROM })
    assert.match(stdout, /SUCCESS/)
  }
  await run('promtool', ['check', 'rules', ...readdirSync(join(PROM, 'rules')).map((f) => `rules/${f}`)], { cwd: PROM })
  const { stdout } = await run('promtool', ['test', 'rules', 'tests/alerts.test.yml'], { cwd: PROM })
  assert.match(stdout, /SUCCESS/)
})

test('every alert has a summary, a description, a severity and a runbook section', () => {
  const rules = readFileSync(join(PROM, 'rules', 'alerts.yml'), 'utf8')
  const runbook = readFileSync(join(PROJECT_ROOT, 'monitoring', 'README.md'), 'utf8')
  const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1] ?? '')
  assert.ok(alerts.length >= 8)
  for (const name of alerts) {
    const block = rules.slice(rules.indexOf(`- alert: ${name}`)).split(/\n\s+- alert: /)[0] ?? ''
    for (const field of ['severity:', 'summary:', 'description:', `runbook_url: 'monitoring/README.md#${name.toLowerCase()}'`]) {
      assert.ok(block.includes(field), `${name} lacks ${field}`)
    }
    assert.match(runbook, new RegExp(`^### ${name}$`, 'm'), `monitoring/README.md has no runbook section for ${name}`)
  }
})

test('dashboards: valid JSON, unique panel ids, every panel queries the Prometheus data source', () => {
  const dir = join(PROJECT_ROOT, 'monitoring', 'grafana', 'dashboards')
  for (const file of readdirSync(dir)) {
    const dash = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { uid: string; panels: { id: number; title: string; datasource: { uid: string }; targets: { expr: string }[] }[] }
    assert.ok(dash.uid)
    assert.equal(new Set(dash.panels.map((p) => p.id)).size, dash.panels.length)
    for (const panel of dash.panels) {
      assert.equal(panel.datasource.uid, 'prometheus', panel.title)
      assert.ok(panel.targets.length > 0 && panel.targets.every((x) => x.expr.length > 0), panel.title)
    }
  }
})

test('every PromQL expression parses on a real Prometheus', async (t) => {
  const prometheus = await startPrometheus(t, {})
  const expressions = allExpressions()
  assert.ok(expressions.length >= 30, `found ${expressions.length} expressions`)
  for (const { where, expr } of expressions) {
    const res = await prometheus.query(expr)
    assert.equal(res.status, 'success', `${where}: ${expr}\n${res.error ?? ''}`)
  }
})
