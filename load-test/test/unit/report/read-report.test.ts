import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readCharts } from '../../../src/report/read-charts.js'
import { renderReadReport, verdict } from '../../../src/report/read-report.js'
import type { RunScan } from '../../../src/report/read-runs.js'
import { SCENARIOS, type ReadSummary } from '../../../src/report/read-summary.js'
import { summary } from './read-fixture.js'

function scanOf(runs: readonly ReadSummary[]): RunScan {
  const latest = runs.map((s) => ({ file: `/results/load-test-read-x-${s.scenario}/summary.json`, summary: s }))
  return { latest, missing: SCENARIOS.filter((s) => !runs.some((r) => r.scenario === s)), superseded: 0, foreign: 0, warnings: [] }
}

const render = (scan: RunScan) => renderReadReport({ scan, charts: readCharts(scan.latest), generatedAt: new Date('2026-03-02T00:00:00Z') })
const allGood = SCENARIOS.map((s) => summary(s))

test('one row per scenario, a mark per figure, the old targets on top', () => {
  const md = render(scanOf(allGood))
  assert.ok(md.includes('| **old target** | | < 30 ms | < 100 ms | < 200 ms | > 1,000 req/s | < 0.1 % | > 90 % (> 80 % acceptable) | |'))
  assert.ok(md.includes('| baseline | 50 VUs | ✅ 2.1 ms | ✅ 6.3 ms | ✅ 11.4 ms | ✅ 5,000 req/s | ✅ 0 % | ✅ 97 % | ✅ pass |'), md)
  assert.ok(md.includes('Scenarios not run: none, all five have a run.'))
  assert.match(md, /\*\*Verdict\.\*\* All five scenarios meet every old target\. The highest throughput was 5,000 req\/s \(baseline, 50 VUs\), 2\.5× the 2,000 req\/s/)
  assert.ok(md.includes('| p95 latency | < 100 ms | < 100 ms | 100 ms to < 150 ms | ≥ 150 ms |'), 'the grading rules are printed')
  assert.ok(md.includes('All the runs were made on one machine:'))
  assert.ok(md.includes('| bench-1 | AMD EPYC 7B13 | 2 | 7.8 GiB | v20.19.4 | Linux 6.1.0 | baseline, normal, high, stress, realistic |'))
  assert.ok(md.includes('| query-api | 1234 | 87.5 % | 99.1 % | 120 | 140 |'), 'CPU and RSS per process')
})

test('warn, fail and n/a cells, their notes, and the verdict naming them', () => {
  const scan = scanOf([
    summary('baseline', { params: { vus: 10 }, totals: { requestsPerSecond: 800, latencyMs: { p50: 12, p90: 13, p95: 14, p99: 20, max: 30, mean: 12.5 }, hitRate: null } }),
    summary('stress', { params: { vus: undefined, stages: [{ durationSeconds: 30, target: 200 }] }, totals: { errorRate: 0.002, latencyMs: { p50: 9, p90: 50, p95: 120, p99: 180, max: 900, mean: 15 } } }),
  ])
  const md = render(scan)
  assert.ok(md.includes('| baseline | 10 VUs | ✅ 12 ms | ✅ 14 ms | ✅ 20 ms | ➖ 800 req/s | ✅ 0 % | ➖ n/a | ✅ pass |'), md)
  assert.ok(md.includes('| stress | ramping to 200 VUs | ✅ 9 ms | ⚠️ 120 ms | ✅ 180 ms | ✅ 5,000 req/s | ❌ 0.2 % | ✅ 97 % | ❌ fail |'))
  assert.ok(md.includes('- baseline throughput: VU-bound: 10 VUs, at most 800 req/s at 12.5 ms mean.'))
  assert.ok(md.includes('- baseline hit rate: no cache lookups counted.'))
  assert.ok(md.includes('| stages | 0 → 200 VUs in 30 s |'))
  assert.equal(verdict(scan), '1 of the 2 scenarios run meets every old target; stress fails on error rate (0.2 %, target < 0.1 %) and warns on p95 (120 ms, target < 100 ms). ' +
    'The highest throughput was 5,000 req/s (stress, ramping to 200 VUs), 2.5× the 2,000 req/s the old system was expected to reach at most. Not run yet: normal, high and realistic.')
  assert.ok(md.includes('Scenarios not run: normal, high, realistic (run `npm run load-test:read -- --scenario normal`, `npm run load-test:read -- --scenario high`, `npm run load-test:read -- --scenario realistic`).'))
})

test('the realistic scenario is summed up in the verdict; different machines are called out', () => {
  const realistic = summary('realistic', { model: 'open', params: { vus: undefined, rate: 15_000, zipfS: 1.1 }, totals: { requestsPerSecond: 14_990 }, machine: { ...summary('baseline').machine, hostname: 'bench-2' } })
  const scan = scanOf([summary('baseline'), realistic])
  assert.match(verdict(scan), /The realistic scenario \(15,000 req\/s offered, Zipf s = 1\.1 over 10,000,000 users\) did 14,990 req\/s and held p95 6\.3 ms, p99 11\.4 ms, with 0 % errors and a cache hit rate of 97 %\./)
  assert.match(verdict(scan), /not all made on the same machine/)
  const md = render(scan)
  assert.ok(md.includes('The runs were made on 2 different machines: compare their figures with care.'))
  assert.ok(md.includes('- offered 15,000 req/s, answered 14,990 req/s (99.93 %)'))
})

test('every plot is linked with a relative path; a pipe in outside text does not break a table', () => {
  const odd = summary('high', { processes: [{ name: 'query|api', pid: 1, cpuPercent: 1, cpuPercentMax: 2, rssMb: 3, rssMbMax: 4 }] })
  const scan = scanOf([summary('baseline'), odd])
  const md = render(scan)
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1])
  assert.deepEqual(links, ['comparison.svg', 'baseline.svg', 'high.svg'])
  assert.ok(md.includes('| query\\|api | 1 |'))
})
