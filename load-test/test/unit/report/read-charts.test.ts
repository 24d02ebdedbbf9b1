import assert from 'node:assert/strict'
import { test } from 'node:test'
import { comparisonChart, readCharts, scenarioChart } from '../../../src/report/read-charts.js'
import { summary } from './read-fixture.js'
import { assertWellFormedSvg } from './svg-check.js'

test('a scenario chart: latency, throughput and hit rate panels, warm-up shaded, targets dashed', () => {
  const chart = scenarioChart(summary('normal', { totals: { latencyMs: { p50: 20, p90: 40, p95: 60, p99: 120, max: 300, mean: 25 } }, timeline: [
    { t: 0, requests: 900, errors: 0, p50: 20, p95: 60, p99: 120, hitRate: null },
    { t: 1, requests: 1100, errors: 2, p50: 22, p95: 70, p99: 150, hitRate: 0.5 },
    { t: 2, requests: 0, errors: 0, p50: null, p95: null, p99: null, hitRate: null },
    { t: 3, requests: 1200, errors: 0, p50: 21, p95: 65, p99: 140, hitRate: 0.92 },
  ] }))
  assert.equal(chart.file, 'normal.svg')
  assertWellFormedSvg(chart.svg)
  for (const title of ['Latency (ms)', 'Throughput (req/s)', 'Cache hit rate (%)']) assert.ok(chart.svg.includes(`>${title}<`), title)
  assert.match(chart.svg, />p95 target 100 ms</)
  assert.match(chart.svg, />target 1000 req\/s</)
  assert.match(chart.svg, />warm-up</)
  assert.equal(chart.svg.match(/<circle/g)?.length, 5, 'p50/p95/p99 at t=3 and hit rate at t=1 and t=3 stand alone between gaps')
})

test('the comparison chart has one line per scenario; one run alone gets no comparison', () => {
  const runs = (['baseline', 'stress'] as const).map((s) => ({ file: `/r/${s}/summary.json`, summary: summary(s) }))
  const chart = comparisonChart(runs)
  assertWellFormedSvg(chart.svg)
  assert.match(chart.svg, />baseline</)
  assert.match(chart.svg, />stress</)
  assert.deepEqual(readCharts(runs).map((c) => c.file), ['baseline.svg', 'stress.svg', 'comparison.svg'])
  assert.deepEqual(readCharts(runs.slice(0, 1)).map((c) => c.file), ['baseline.svg'])
})
