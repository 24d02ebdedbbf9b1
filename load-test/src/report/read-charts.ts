/**
 * The read report's plots, as SVG text: one timeline per scenario (latency percentiles,
 * throughput, hit rate; the warm-up shaded, the old targets dashed) and one comparing them.
 */
import { TARGETS } from './grading.js'
import type { FoundRun } from './read-runs.js'
import type { ReadSummary, Scenario } from './read-summary.js'
import { renderChart, type Panel, type Series } from './svg.js'

export interface Chart {
  /** File name beside report.md. */
  readonly file: string
  readonly title: string
  readonly svg: string
}

const COLOR = { p50: '#2ca02c', p95: '#ff7f0e', p99: '#d62728', requests: '#1f77b4', errors: '#d62728', hit: '#9467bd', target: '#888' }
const SCENARIO_COLOR: Readonly<Record<Scenario, string>> = {
  baseline: '#1f77b4', normal: '#2ca02c', high: '#ff7f0e', stress: '#d62728', realistic: '#9467bd',
}

const percent = (v: number | null) => (v === null ? null : v * 100)

function warmup(s: ReadSummary): Panel['shade'] {
  return { from: 0, to: s.params.warmupSeconds, label: 'warm-up' }
}

function latencyPanel(s: ReadSummary): Panel {
  return {
    title: 'Latency', unit: 'ms', shade: warmup(s),
    series: (['p50', 'p95', 'p99'] as const).map((k) => ({ name: k, color: COLOR[k], points: s.timeline.map((p) => [p.t, p[k]]) })),
    guides: [
      { value: TARGETS.p50Ms, label: `p50 target ${TARGETS.p50Ms} ms`, color: COLOR.p50 },
      { value: TARGETS.p95Ms, label: `p95 target ${TARGETS.p95Ms} ms`, color: COLOR.p95 },
      { value: TARGETS.p99Ms, label: `p99 target ${TARGETS.p99Ms} ms`, color: COLOR.p99 },
    ],
  }
}

function throughputPanel(s: ReadSummary): Panel {
  return {
    title: 'Throughput', unit: 'req/s', shade: warmup(s),
    series: [
      { name: 'requests', color: COLOR.requests, points: s.timeline.map((p) => [p.t, p.requests]) },
      { name: 'errors', color: COLOR.errors, points: s.timeline.map((p) => [p.t, p.errors]) },
    ],
    guides: [{ value: TARGETS.requestsPerSecond, label: `target ${TARGETS.requestsPerSecond} req/s`, color: COLOR.target }],
  }
}

function hitRatePanel(s: ReadSummary): Panel {
  return {
    title: 'Cache hit rate', unit: '%', yMax: 100, shade: warmup(s),
    series: [{ name: 'hit rate', color: COLOR.hit, points: s.timeline.map((p) => [p.t, percent(p.hitRate)]) }],
    guides: [
      { value: TARGETS.hitRate * 100, label: `target ${TARGETS.hitRate * 100} %`, color: COLOR.target },
      { value: TARGETS.hitRateAcceptable * 100, label: `acceptable ${TARGETS.hitRateAcceptable * 100} %`, color: COLOR.target },
    ],
  }
}

export function scenarioChart(s: ReadSummary): Chart {
  const title = `load-test:read ${s.scenario}, ${s.startedAt}`
  return { file: `${s.scenario}.svg`, title, svg: renderChart(title, [latencyPanel(s), throughputPanel(s), hitRatePanel(s)]) }
}

function perScenario(runs: readonly FoundRun[], y: (p: ReadSummary['timeline'][number]) => number | null): Series[] {
  return runs.map(({ summary: s }) => ({ name: s.scenario, color: SCENARIO_COLOR[s.scenario], points: s.timeline.map((p) => [p.t, y(p)]) }))
}

export function comparisonChart(runs: readonly FoundRun[]): Chart {
  const title = 'load-test:read, the scenarios compared (seconds since each run started)'
  return {
    file: 'comparison.svg',
    title,
    svg: renderChart(title, [
      { title: 'p95 latency', unit: 'ms', series: perScenario(runs, (p) => p.p95), guides: [{ value: TARGETS.p95Ms, label: `target ${TARGETS.p95Ms} ms`, color: COLOR.target }] },
      { title: 'Throughput', unit: 'req/s', series: perScenario(runs, (p) => p.requests), guides: [{ value: TARGETS.requestsPerSecond, label: `target ${TARGETS.requestsPerSecond} req/s`, color: COLOR.target }] },
      { title: 'Cache hit rate', unit: '%', yMax: 100, series: perScenario(runs, (p) => percent(p.hitRate)) },
    ]),
  }
}

/** Every chart of the report: one per run, then the comparison when there are two runs or more. */
export function readCharts(runs: readonly FoundRun[]): readonly Chart[] {
  const charts = runs.map((r) => scenarioChart(r.summary))
  return runs.length > 1 ? [...charts, comparisonChart(runs)] : charts
}
