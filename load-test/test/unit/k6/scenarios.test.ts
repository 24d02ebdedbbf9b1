/** The shared scenario module (load-test/k6/lib/scenarios.js): plans, random numbers, Zipf, scramble. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  SCENARIOS, createRandom, createScramble, createUserPicker, createZipf, hitRate, k6Duration, parseCacheCounters, resolveScenario,
} from '../../../k6/lib/scenarios.js'

test('resolveScenario: defaults, overrides, and the open model for a rate', () => {
  assert.deepEqual(resolveScenario('baseline'), { name: 'baseline', users: 'uniform', durationSeconds: 30, model: 'closed', vus: 10 })
  assert.deepEqual(resolveScenario('high', { vus: 3, durationSeconds: 2 }), { name: 'high', users: 'uniform', durationSeconds: 2, model: 'closed', vus: 3 })
  const stress = resolveScenario('stress')
  assert.equal(stress.durationSeconds, 180)
  assert.equal(stress.model === 'closed' && stress.vus, 200)
  const short = resolveScenario('stress', { durationSeconds: 2, vus: 2 })
  assert.equal(short.durationSeconds, 2)
  assert.deepEqual(short.stages?.map((s) => s.target), [1, 1, 2, 2, 0])
  assert.ok(Math.abs((short.stages ?? []).reduce((s, st) => s + st.durationSeconds, 0) - 2) < 1e-9)
  const ramp = resolveScenario('stress', { rate: 1000 })
  assert.equal(ramp.model, 'open')
  assert.deepEqual(ramp.stages?.map((s) => s.target), [250, 500, 1000, 1000, 0])
  assert.deepEqual(resolveScenario('realistic'), { name: 'realistic', users: 'zipf', durationSeconds: 60, zipfS: 1.1, model: 'open', rate: SCENARIOS.realistic.rate })
  assert.deepEqual(resolveScenario('realistic', { vus: 256 }), { name: 'realistic', users: 'zipf', durationSeconds: 60, zipfS: 1.1, model: 'closed', vus: 256 })
  assert.equal(resolveScenario('realistic', { vus: 256, rate: 900 }).model, 'open')
  assert.throws(() => resolveScenario('nope'), /unknown scenario "nope"/)
  assert.throws(() => resolveScenario('normal', { vus: 0 }), /vus must be a positive number/)
  assert.equal(k6Duration(30), '30s')
  assert.equal(k6Duration(0.4), '400ms')
})

test('createRandom: the same seed and stream give the same numbers, in [0, 1)', () => {
  const a = createRandom(42, 1)
  const b = createRandom(42, 1)
  const c = createRandom(42, 2)
  const xs = Array.from({ length: 1000 }, a)
  assert.deepEqual(Array.from({ length: 1000 }, b), xs)
  assert.notDeepEqual(Array.from({ length: 1000 }, c), xs)
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`)
})

test('createZipf: frequencies follow r^-s (s = 1.1 and s = 1), ranks stay in 1..n', () => {
  for (const s of [1.1, 1]) {
    const n = 50
    const draw = createZipf(n, s, createRandom(7))
    const counts = new Array<number>(n + 1).fill(0)
    const draws = 200_000
    for (let i = 0; i < draws; i++) {
      const r = draw()
      assert.ok(Number.isInteger(r) && r >= 1 && r <= n)
      counts[r] = (counts[r] ?? 0) + 1
    }
    let h = 0
    for (let r = 1; r <= n; r++) h += r ** -s
    for (const r of [1, 2, 5, 20]) {
      const expected = r ** -s / h
      const seen = (counts[r] ?? 0) / draws
      assert.ok(Math.abs(seen - expected) < 0.1 * expected + 0.002, `s=${s} rank ${r}: ${seen} vs ${expected}`)
    }
  }
})

test('createZipf: 10 M users without a table, the hottest user ~12 % at s = 1.1', () => {
  const draw = createZipf(10_000_000, 1.1, createRandom(3))
  let first = 0
  let top1pct = 0
  const draws = 100_000
  for (let i = 0; i < draws; i++) {
    const r = draw()
    if (r === 1) first++
    if (r <= 100_000) top1pct++
  }
  assert.ok(Math.abs(first / draws - 0.117) < 0.01, `rank 1: ${first / draws}`)
  assert.ok(top1pct / draws > 0.8, `top 1 %: ${top1pct / draws}`)
})

test('createScramble: a bijection of 1..n for awkward n', () => {
  for (const n of [1, 2, 3, 15, 16, 17, 1000, 4097]) {
    const scramble = createScramble(n)
    const seen = new Set<number>()
    for (let r = 1; r <= n; r++) {
      const id = scramble(r)
      assert.ok(Number.isInteger(id) && id >= 1 && id <= n, `n=${n}: ${r} → ${id}`)
      seen.add(id)
    }
    assert.equal(seen.size, n)
  }
  const big = createScramble(10_000_000)
  assert.equal(big(1), createScramble(10_000_000)(1), 'fixed: the same rank gives the same id')
  assert.ok([1, 2, 3].map(big).every((id) => id > 3), 'the hot ranks are not the first ids')
  assert.throws(() => createScramble(2 ** 33))
})

test('createUserPicker: ids start at firstUserId, uniform or Zipf', () => {
  for (const distribution of ['uniform', 'zipf'] as const) {
    const pick = createUserPicker({ users: 50, firstUserId: 5_000_000_001, distribution, random: createRandom(1) })
    const ids = Array.from({ length: 2000 }, pick)
    assert.ok(ids.every((id) => id >= 5_000_000_001 && id <= 5_000_000_050))
    assert.ok(new Set(ids).size > 30)
  }
})

test('parseCacheCounters and hitRate', () => {
  const text = '# HELP x\npipeline_query_cache_total{result="hit",service="query-api"} 9\npipeline_query_cache_total{result="shared",service="query-api"} 1\nother 3\n'
  assert.deepEqual(parseCacheCounters(text), { hit: 9, shared: 1 })
  assert.equal(hitRate({ hit: 9, shared: 1 }), 0.9)
  assert.equal(hitRate({ hit: 0, miss: 0 }), null)
})
