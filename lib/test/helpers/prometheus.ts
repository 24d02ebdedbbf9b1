/**
 * A real Prometheus (Debian's package, installed by scripts/stack.sh) of the test's own:
 * scrapes the given targets every second with the project's rules, in a temporary directory.
 * `fastRules` rewrites every alert's `for:` to a few seconds, so that a test can watch an
 * alert fire and resolve (promtool's unit tests cover the real durations).
 */
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { parse } from 'yaml'
import { PROJECT_ROOT } from '../../src/paths.js'
import { freePort } from './processes.js'
import { waitFor } from './services.js'

export const RULES_DIR = join(PROJECT_ROOT, 'monitoring', 'prometheus', 'rules')

export interface TestPrometheus {
  readonly url: string
  query(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }>
  firingAlerts(): Promise<{ labels: Record<string, string>; state: string }[]>
}

export async function startPrometheus(t: TestContext, targets: Record<string, string>, { fastRules = false } = {}): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'))
  cpSync(RULES_DIR, join(dir, 'rules'), { recursive: true })
  if (fastRules) {
    for (const file of readdirSync(join(dir, 'rules'))) {
      const path = join(dir, 'rules', file)
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 2s'))
    }
  }
  const jobs = Object.entries(targets).map(([job, hostPort]) =>
    `  - job_name: ${job}\n    static_configs:\n      - targets: ['${hostPort}']`).join('\n')
  writeFileSync(join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - rules/*.yml\nscrape_configs:\n${jobs}\n`)
  const port = await freePort()
  const proc = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: 'ignore' })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  t.after(async () => {
    proc.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor(() => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), { timeoutMs: 30_000, message: 'prometheus to be ready' })
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)
      return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } }
    },
    async firingAlerts() {
      const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } }
      return body.data.alerts.filter((a) => a.state === 'firing')
    },
  }
}

/** Every PromQL expression of the dashboards, recording and alert rules, and Grafana alerting. */
export function allExpressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = []
  const dashboards = join(PROJECT_ROOT, 'monitoring', 'grafana', 'dashboards')
  for (const file of readdirSync(dashboards)) {
    const dash = JSON.parse(readFileSync(join(dashboards, file), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] }
    for (const panel of dash.panels) for (const target of panel.targets ?? []) out.push({ where: `${file}: ${panel.title}`, expr: target.expr })
  }
  for (const file of readdirSync(RULES_DIR)) {
    const doc = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] }
    for (const group of doc.groups) for (const rule of group.rules) out.push({ where: `${file}: ${rule.record ?? rule.alert ?? '?'}`, expr: rule.expr })
  }
  const alerting = parse(readFileSync(join(PROJECT_ROOT, 'monitoring', 'grafana', 'provisioning', 'alerting', 'lag-alerts.yml'), 'utf8')) as {
    groups: { rules: { title: string; data: { datasourceUid: string; model: { expr?: string } }[] }[] }[]
  }
  for (const group of alerting.groups) {
    for (const rule of group.rules) {
      for (const d of rule.data) if (d.datasourceUid === 'prometheus' && d.model.expr) out.push({ where: `grafana alert: ${rule.title}`, expr: d.model.expr })
    }
  }
  return out
}
