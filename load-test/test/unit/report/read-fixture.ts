/** Synthetic load-test:read summaries for the report's tests, written into a temp folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { ReadSummary, Scenario, TimelineSecond } from '../../../src/report/read-summary.js'

export type SummaryOverrides = Partial<Omit<ReadSummary, 'totals' | 'params'>> & {
  readonly totals?: Partial<ReadSummary['totals']>
  readonly params?: Partial<ReadSummary['params']>
}

function timeline(seconds: number, rps: number): TimelineSecond[] {
  return Array.from({ length: seconds }, (_, t) => ({
    t, requests: rps, errors: 0, p50: 2 + (t % 3) * 0.1, p95: 6, p99: 11, hitRate: t < 2 ? null : 0.97,
  }))
}

export function summary(scenario: Scenario, o: SummaryOverrides = {}): ReadSummary {
  const base: ReadSummary = {
    kind: 'load-test-read', version: 1, scenario, model: 'closed',
    startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:01:10.000Z',
    params: { users: 10_000_000, durationSeconds: 60, warmupSeconds: 10, vus: 50, legacySignatures: false, seed: 42, queryUrl: 'http://127.0.0.1:3002' },
    machine: { hostname: 'bench-1', cpuModel: 'AMD EPYC 7B13', cpus: 2, memoryGiB: 7.8, node: 'v20.19.4', os: 'Linux 6.1.0' },
    totals: {
      requests: 300_000, requestsPerSecond: 5000, statuses: { 200: 299_990, 404: 10 }, errors: 0, errorRate: 0,
      latencyMs: { p50: 2.1, p90: 5.2, p95: 6.3, p99: 11.4, max: 80, mean: 2.6 },
      cache: { hit: 291_000, miss: 9000, shared: 12, bypass: 0 }, hitRate: 0.97,
    },
    timeline: timeline(70, 5000),
    processes: [{ name: 'query-api', pid: 1234, cpuPercent: 87.5, cpuPercentMax: 99.1, rssMb: 120, rssMbMax: 140 }],
  }
  return { ...base, ...o, params: { ...base.params, ...o.params }, totals: { ...base.totals, ...o.totals } }
}

/** A temp results folder, removed after the test. */
export function resultsDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'read-report-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes `<dir>/<name>/summary.json` (`data` as JSON, or a string as it is). */
export function writeRun(dir: string, name: string, data: unknown): string {
  mkdirSync(join(dir, name), { recursive: true })
  const file = join(dir, name, 'summary.json')
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data))
  return file
}
