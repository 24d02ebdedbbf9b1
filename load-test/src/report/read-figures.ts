/**
 * The graded figures of a run, each with its label, its value as written and its grade:
 * what the results table, the verdict and the stdout summary all print.
 */
import { int, ms, pct } from './format.js'
import { FIGURE_KEYS, GRADING_RULES, gradeRun, peakVus, type FigureKey, type Grade, type Graded } from './grading.js'
import type { ReadSummary } from './read-summary.js'

export interface Figure extends Graded {
  readonly key: FigureKey
  readonly label: string
  readonly value: string
  /** What passes, e.g. "< 100 ms". */
  readonly target: string
}

export const MARK: Readonly<Record<Grade, string>> = { pass: '✅', warn: '⚠️', fail: '❌', 'n/a': '➖' }

const LABELS: Readonly<Record<FigureKey, string>> = {
  p50: 'p50', p95: 'p95', p99: 'p99', throughput: 'throughput', errorRate: 'error rate', hitRate: 'hit rate',
}

function value(s: ReadSummary, key: FigureKey): string {
  const t = s.totals
  switch (key) {
    case 'p50': return `${ms(t.latencyMs.p50)} ms`
    case 'p95': return `${ms(t.latencyMs.p95)} ms`
    case 'p99': return `${ms(t.latencyMs.p99)} ms`
    case 'throughput': return `${int(t.requestsPerSecond)} req/s`
    case 'errorRate': return pct(t.errorRate)
    case 'hitRate': return t.hitRate === null ? 'n/a' : pct(t.hitRate)
    default: {
      const never: never = key
      throw new Error(`unknown figure ${String(never)}`)
    }
  }
}

export function figures(s: ReadSummary): readonly Figure[] {
  const grades = gradeRun(s)
  return FIGURE_KEYS.map((key) => ({ key, label: LABELS[key], value: value(s, key), target: GRADING_RULES[key].pass, ...grades[key] }))
}

export function overall(s: ReadSummary): Grade {
  return gradeRun(s).overall
}

/** "10 VUs", "ramping to 200 VUs", "15,000 req/s offered". */
export function load(s: ReadSummary): string {
  if (s.model === 'open') return s.params.rate === undefined ? 'open model' : `${int(s.params.rate)} req/s offered`
  const vus = peakVus(s)
  if (vus === undefined) return 'closed loop'
  return (s.params.stages ?? []).length > 0 ? `ramping to ${int(vus)} VUs` : `${int(vus)} VUs`
}
