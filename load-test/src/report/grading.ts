/**
 * The old read system's targets and how a run is graded against them: pass, warn, fail, or
 * n/a where a figure cannot be judged. The rules are data (GRADING_RULES) so the report
 * prints exactly what the code applies.
 */
import { TARGETS } from '../../k6/lib/scenarios.js'
import { int, ms, pct } from './format.js'
import type { ReadSummary } from './read-summary.js'

export type Grade = 'pass' | 'warn' | 'fail' | 'n/a'

export interface Graded {
  readonly grade: Grade
  /** Why a figure is n/a, or what bounds it. */
  readonly note?: string
}

// The old targets, as the runners and the k6 thresholds use them.
export { TARGETS }

/** Latency and throughput within this factor of their target, on the wrong side, warn instead of failing. */
export const WARN_FACTOR = 1.5

/** What the old guide expected the old system to do at most. */
export const OLD_SYSTEM_RPS = Object.freeze({ from: 1500, to: 2000 })

/**
 * A closed loop of N VUs at a mean latency of L ms does at most N × 1000 / L req/s (Little's
 * law). Reaching the throughput target at the p50 target latency takes this many VUs.
 */
export const MIN_VUS_FOR_THROUGHPUT = (TARGETS.requestsPerSecond * TARGETS.p50Ms) / 1000

/** Lower is better: below the target passes, below the warn limit warns, anything else fails. */
export function gradeBelow(value: number, target: number, warnLimit?: number): Grade {
  if (value < target) return 'pass'
  return warnLimit !== undefined && value < warnLimit ? 'warn' : 'fail'
}

/** Higher is better: above the target passes, above the warn limit warns, anything else fails. */
export function gradeAbove(value: number, target: number, warnLimit?: number): Grade {
  if (value > target) return 'pass'
  return warnLimit !== undefined && value > warnLimit ? 'warn' : 'fail'
}

const SEVERITY: Readonly<Record<Grade, number>> = { 'n/a': 0, pass: 1, warn: 2, fail: 3 }

/** The worst of the grades; n/a only when nothing was gradable. */
export function worst(grades: readonly Grade[]): Grade {
  return grades.reduce<Grade>((w, g) => (SEVERITY[g] > SEVERITY[w] ? g : w), 'n/a')
}

/** The graded figures, in the order the report prints them. */
export const FIGURE_KEYS = ['p50', 'p95', 'p99', 'throughput', 'errorRate', 'hitRate'] as const
export type FigureKey = (typeof FIGURE_KEYS)[number]

export type RunGrades = Readonly<Record<FigureKey, Graded>> & { readonly overall: Grade }

/** The VUs of a closed-loop run (the peak of its stages when it ramps); undefined for an open model. */
export function peakVus(s: ReadSummary): number | undefined {
  if (s.model !== 'closed') return undefined
  const stages = s.params.stages ?? []
  return stages.length > 0 ? Math.max(s.params.vus ?? 0, ...stages.map((st) => st.target)) : s.params.vus
}

function latency(value: number, target: number, requests: number): Graded {
  return requests === 0 ? { grade: 'n/a', note: 'no requests' } : { grade: gradeBelow(value, target, target * WARN_FACTOR) }
}

function throughput(s: ReadSummary): Graded {
  const rps = s.totals.requestsPerSecond
  const target = TARGETS.requestsPerSecond
  const grade = gradeAbove(rps, target, target / WARN_FACTOR)
  if (grade === 'pass') return { grade }
  const vus = peakVus(s)
  if (vus !== undefined && vus < MIN_VUS_FOR_THROUGHPUT) {
    const bound = s.totals.latencyMs.mean > 0 ? `, at most ${int((vus * 1000) / s.totals.latencyMs.mean)} req/s at ${ms(s.totals.latencyMs.mean)} ms mean` : ''
    return { grade: 'n/a', note: `VU-bound: ${vus} VUs${bound}` }
  }
  const rate = s.params.rate
  if (s.model === 'open' && rate !== undefined && rate <= target) return { grade: 'n/a', note: `offered only ${int(rate)} req/s` }
  return { grade }
}

export function gradeRun(s: ReadSummary): RunGrades {
  const { totals } = s
  const grades: Record<FigureKey, Graded> = {
    p50: latency(totals.latencyMs.p50, TARGETS.p50Ms, totals.requests),
    p95: latency(totals.latencyMs.p95, TARGETS.p95Ms, totals.requests),
    p99: latency(totals.latencyMs.p99, TARGETS.p99Ms, totals.requests),
    throughput: throughput(s),
    errorRate: totals.requests === 0 ? { grade: 'n/a', note: 'no requests' } : { grade: gradeBelow(totals.errorRate, TARGETS.errorRate) },
    hitRate: totals.hitRate === null
      ? { grade: 'n/a', note: 'no cache lookups counted' }
      : { grade: gradeAbove(totals.hitRate, TARGETS.hitRate, TARGETS.hitRateAcceptable) },
  }
  return { ...grades, overall: worst(FIGURE_KEYS.map((k) => grades[k].grade)) }
}

export interface GradingRule {
  readonly figure: string
  readonly target: string
  readonly pass: string
  readonly warn: string
  readonly fail: string
}

const below = (figure: string, target: number, unit: (v: number) => string): GradingRule => ({
  figure, target: `< ${unit(target)}`, pass: `< ${unit(target)}`,
  warn: `${unit(target)} to < ${unit(target * WARN_FACTOR)}`, fail: `≥ ${unit(target * WARN_FACTOR)}`,
})
const msUnit = (v: number) => `${ms(v)} ms`
const rpsUnit = (v: number) => `${+v.toFixed(1)} req/s`

export const GRADING_RULES: Readonly<Record<FigureKey, GradingRule>> = {
  p50: below('p50 latency', TARGETS.p50Ms, msUnit),
  p95: below('p95 latency', TARGETS.p95Ms, msUnit),
  p99: below('p99 latency', TARGETS.p99Ms, msUnit),
  throughput: {
    figure: 'throughput (after warm-up)', target: `> ${int(TARGETS.requestsPerSecond)} req/s`, pass: `> ${int(TARGETS.requestsPerSecond)} req/s`,
    warn: `> ${rpsUnit(TARGETS.requestsPerSecond / WARN_FACTOR)} to ${int(TARGETS.requestsPerSecond)} req/s`,
    fail: `≤ ${rpsUnit(TARGETS.requestsPerSecond / WARN_FACTOR)}`,
  },
  errorRate: { figure: 'error rate', target: `< ${pct(TARGETS.errorRate)}`, pass: `< ${pct(TARGETS.errorRate)}`, warn: 'none (pass or fail)', fail: `≥ ${pct(TARGETS.errorRate)}` },
  hitRate: {
    figure: 'cache hit rate', target: `> ${pct(TARGETS.hitRate)} (> ${pct(TARGETS.hitRateAcceptable)} acceptable)`, pass: `> ${pct(TARGETS.hitRate)}`,
    warn: `> ${pct(TARGETS.hitRateAcceptable)} to ${pct(TARGETS.hitRate)}`, fail: `≤ ${pct(TARGETS.hitRateAcceptable)}`,
  },
}

/** The n/a rules, printed under GRADING_RULES. */
export const NOT_GRADABLE: readonly string[] = [
  `A figure exactly at a limit gets the lower grade (the old targets are strict: "p95 < 100 ms"). The warn bands other than the hit rate's are ours: within ${WARN_FACTOR}× of the target on the wrong side.`,
  `Throughput of a closed-loop scenario is bounded by its VUs: N VUs at a mean latency of L ms do at most N × 1000 / L req/s (Little's law). ` +
    `Reaching ${int(TARGETS.requestsPerSecond)} req/s at the p50 target (${TARGETS.p50Ms} ms) takes ${MIN_VUS_FOR_THROUGHPUT} VUs, so with fewer VUs a throughput above the target passes and one below it is n/a (VU-bound, bound shown), never a fail. A ramping scenario counts its peak VUs.`,
  `Throughput of an open-model scenario offered ${int(TARGETS.requestsPerSecond)} req/s or less is n/a unless it passes.`,
  'Hit rate is n/a when the run counted no cache lookups; latency and error rate are n/a when it made no requests. A scenario\'s overall grade is its worst gradable figure.',
]
