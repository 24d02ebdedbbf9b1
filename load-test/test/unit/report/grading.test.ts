import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gradeAbove, gradeBelow, gradeRun, GRADING_RULES, peakVus, worst } from '../../../src/report/grading.js'
import { summary } from './read-fixture.js'

const latency = { p50: 2, p90: 4, p95: 5, p99: 9, max: 40, mean: 2.5 }

test('latency: below the target passes, exactly at it warns, 1.5× the target fails', () => {
  const p95 = (v: number) => gradeRun(summary('normal', { totals: { latencyMs: { ...latency, p95: v } } })).p95.grade
  assert.equal(p95(99.9), 'pass')
  assert.equal(p95(100), 'warn')
  assert.equal(p95(149.9), 'warn')
  assert.equal(p95(150), 'fail')
  assert.equal(gradeBelow(29, 30, 45), 'pass')
  assert.equal(gradeBelow(45, 30, 45), 'fail')
})

test('error rate is pass or fail: exactly 0.1 % fails', () => {
  const errors = (errorRate: number) => gradeRun(summary('normal', { totals: { errorRate } })).errorRate.grade
  assert.equal(errors(0), 'pass')
  assert.equal(errors(0.00099), 'pass')
  assert.equal(errors(0.001), 'fail')
  assert.equal(gradeBelow(0.001, 0.001), 'fail', 'no warn band without a warn limit')
})

test('hit rate: above 90 % passes, 80–90 % warns (90 % itself warns), 80 % fails, null is n/a', () => {
  const hit = (hitRate: number | null) => gradeRun(summary('realistic', { totals: { hitRate } }))
  assert.equal(hit(0.95).hitRate.grade, 'pass')
  assert.equal(hit(0.9).hitRate.grade, 'warn')
  assert.equal(hit(0.85).hitRate.grade, 'warn')
  assert.equal(hit(0.8).hitRate.grade, 'fail')
  const none = hit(null)
  assert.deepEqual(none.hitRate, { grade: 'n/a', note: 'no cache lookups counted' })
  assert.equal(none.overall, 'pass', 'n/a never drags the overall grade down')
})

test('throughput: above 1,000 req/s passes, down to 1,000 / 1.5 warns, below fails', () => {
  const rps = (requestsPerSecond: number) => gradeRun(summary('normal', { totals: { requestsPerSecond } })).throughput.grade
  assert.equal(rps(1000.1), 'pass')
  assert.equal(rps(1000), 'warn')
  assert.equal(rps(667), 'warn')
  assert.equal(rps(666), 'fail')
  assert.equal(gradeAbove(666.67, 1000, 1000 / 1.5), 'warn')
})

test('a closed loop with too few VUs for 1,000 req/s is n/a below the target, with its bound; above it, it passes', () => {
  const baseline = (requestsPerSecond: number, mean: number) =>
    gradeRun(summary('baseline', { params: { vus: 10 }, totals: { requestsPerSecond, latencyMs: { ...latency, mean } } })).throughput
  assert.deepEqual(baseline(800, 12.5), { grade: 'n/a', note: 'VU-bound: 10 VUs, at most 800 req/s at 12.5 ms mean' })
  assert.deepEqual(baseline(10_000, 1), { grade: 'pass' }, '10 VUs at 1 ms do 10k req/s: gradable')
  const fifty = gradeRun(summary('normal', { params: { vus: 50 }, totals: { requestsPerSecond: 800 } })).throughput
  assert.deepEqual(fifty, { grade: 'warn' }, '50 VUs can reach the target at the p50 target latency: graded')
})

test('an open model offered 1,000 req/s or less is n/a below the target; offered more, it is graded', () => {
  const open = (rate: number, requestsPerSecond: number) =>
    gradeRun(summary('realistic', { model: 'open', params: { vus: undefined, rate }, totals: { requestsPerSecond } })).throughput
  assert.deepEqual(open(500, 500), { grade: 'n/a', note: 'offered only 500 req/s' })
  assert.deepEqual(open(15_000, 600), { grade: 'fail' })
  assert.deepEqual(open(15_000, 14_900), { grade: 'pass' })
})

test('a ramping scenario counts its peak VUs; an open one has none', () => {
  assert.equal(peakVus(summary('stress', { params: { vus: undefined, stages: [{ durationSeconds: 30, target: 50 }, { durationSeconds: 60, target: 200 }, { durationSeconds: 10, target: 0 }] } })), 200)
  assert.equal(peakVus(summary('realistic', { model: 'open', params: { rate: 15_000 } })), undefined)
})

test('no requests: latency and errors are n/a, throughput fails', () => {
  const g = gradeRun(summary('high', { params: { vus: 100 }, totals: { requests: 0, requestsPerSecond: 0, hitRate: null } }))
  assert.deepEqual([g.p50.grade, g.p99.grade, g.errorRate.grade, g.hitRate.grade, g.throughput.grade, g.overall], ['n/a', 'n/a', 'n/a', 'n/a', 'fail', 'fail'])
})

test('worst grade, and the printed rules match the code', () => {
  assert.equal(worst(['pass', 'n/a', 'warn']), 'warn')
  assert.equal(worst(['pass', 'fail', 'warn']), 'fail')
  assert.equal(worst(['n/a']), 'n/a')
  assert.deepEqual(GRADING_RULES.p95, { figure: 'p95 latency', target: '< 100 ms', pass: '< 100 ms', warn: '100 ms to < 150 ms', fail: '≥ 150 ms' })
  assert.equal(GRADING_RULES.throughput.fail, '≤ 666.7 req/s')
  assert.equal(GRADING_RULES.hitRate.warn, '> 80 % to 90 %')
  assert.equal(GRADING_RULES.errorRate.fail, '≥ 0.1 %')
})
