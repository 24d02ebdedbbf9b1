// The old read system's load scenarios against GET /api/user-data, defined once for both
// runners: the k6 scripts (load-test/k6/k6-test.js, k6-realistic-test.js) and the Node runner
// (`npm run load-test:read -- --scenario …`, load-test/src/read/). Plain ES module without
// imports, so that k6 and Node load the same file; types in scenarios.d.ts beside it.
//
// Besides the scenario table it holds what both runners must draw the same way: the seeded
// random numbers, the Zipf popularity of users, the rank → user id scramble and the layout of
// the signed headers (the HMAC itself is passed in: k6/crypto in k6, node:crypto in Node).

/** The old system's targets (10 M users); a missed target is reported, not a failure of the run. */
export const TARGETS = Object.freeze({
  p50Ms: 30,
  p95Ms: 100,
  p99Ms: 200,
  requestsPerSecond: 1000,
  /** Non-200 answers, as a fraction (404 for a user that was not loaded counts). */
  errorRate: 0.001,
  hitRate: 0.9,
  hitRateAcceptable: 0.8,
})

export const DEFAULTS = Object.freeze({
  maxUserId: 10000000, // no numeric separators in this file: older k6 (goja) cannot parse them
  /**
   * Zipf exponent of user popularity in the realistic scenario: the user of rank r is read with
   * probability ∝ r^-s. With s = 1.1 over 10 M users the hottest user gets ~12 % of the reads,
   * the top 0.1 % (10,000 users) ~77 % and the top 1 % ~86 %: the hot users dominate, as in the
   * old system's traffic, while the long tail still makes misses. s = 1 is classic Zipf (flatter).
   */
  zipfS: 1.1,
  /** Offered rate of the realistic scenario (requests/s): above the old 1,000 req/s target. */
  rate: 2000,
})

/**
 * `closed`: VUs that each send, wait for the answer and send again (k6 constant-vus /
 * ramping-vus). `open`: requests start at a fixed rate whatever the latency (k6
 * constant-arrival-rate). `users`: how user ids are drawn in 1..MAX_USER_ID.
 */
export const SCENARIOS = Object.freeze({
  baseline: Object.freeze({ model: 'closed', vus: 10, durationSeconds: 30, users: 'uniform' }),
  normal: Object.freeze({ model: 'closed', vus: 50, durationSeconds: 60, users: 'uniform' }),
  high: Object.freeze({ model: 'closed', vus: 100, durationSeconds: 60, users: 'uniform' }),
  // Ramp 0 → 200 VUs in 3 minutes: up in three steps, hold the peak, back down.
  stress: Object.freeze({
    model: 'closed',
    users: 'uniform',
    stages: Object.freeze([
      Object.freeze({ durationSeconds: 30, target: 50 }),
      Object.freeze({ durationSeconds: 30, target: 100 }),
      Object.freeze({ durationSeconds: 30, target: 200 }),
      Object.freeze({ durationSeconds: 60, target: 200 }),
      Object.freeze({ durationSeconds: 30, target: 0 }),
    ]),
  }),
  realistic: Object.freeze({ model: 'open', rate: DEFAULTS.rate, durationSeconds: 60, users: 'zipf' }),
})

export const SCENARIO_NAMES = Object.freeze(Object.keys(SCENARIOS))

const sum = (stages) => stages.reduce((s, st) => s + st.durationSeconds, 0)
const peak = (stages) => stages.reduce((m, st) => Math.max(m, st.target), 0)
const positive = (name, v) => {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new Error(`${name} must be a positive number, got ${v}`)
  return v
}

/**
 * One scenario with its overrides applied. `durationSeconds` stretches a staged scenario's
 * stages to that total; `vus` scales its targets so that the peak is `vus` (and, without a
 * rate, runs realistic closed); `rate` turns any scenario into the open model (a staged one into
 * a ramping arrival rate whose peak is `rate`).
 */
export function resolveScenario(name, overrides = {}) {
  const def = SCENARIOS[name]
  if (def === undefined) throw new Error(`unknown scenario "${name}"; choose from ${SCENARIO_NAMES.join(', ')}`)
  const o = overrides
  let stages = def.stages
  if (stages !== undefined && o.durationSeconds !== undefined) {
    const k = positive('durationSeconds', o.durationSeconds) / sum(stages)
    stages = stages.map((st) => ({ durationSeconds: st.durationSeconds * k, target: st.target }))
  }
  const durationSeconds = positive('durationSeconds', o.durationSeconds ?? def.durationSeconds ?? sum(stages))
  // A scenario open by default (realistic) runs closed when given VUs and no rate: its users as
  // fast as the server answers them, the way a saturation throughput is measured.
  const rate = o.rate !== undefined ? positive('rate', o.rate) : o.vus === undefined ? def.rate : undefined
  const scaleTo = (top) => stages.map((st) => ({ durationSeconds: st.durationSeconds, target: Math.round((st.target * top) / peak(stages)) }))
  const zipfS = def.users === 'zipf' ? positive('zipfS', o.zipfS ?? DEFAULTS.zipfS) : undefined
  const base = { name, users: def.users, durationSeconds, ...(zipfS !== undefined ? { zipfS } : {}) }
  if (rate !== undefined) {
    return Object.freeze({ ...base, model: 'open', rate, ...(stages !== undefined ? { stages: Object.freeze(scaleTo(rate)) } : {}) })
  }
  if (stages !== undefined) {
    const top = o.vus !== undefined ? positive('vus', o.vus) : peak(stages)
    return Object.freeze({ ...base, model: 'closed', vus: top, stages: Object.freeze(scaleTo(top)) })
  }
  return Object.freeze({ ...base, model: 'closed', vus: o.vus !== undefined ? positive('vus', o.vus) : def.vus })
}

/** k6 duration text: whole seconds as "30s", anything finer in milliseconds. */
export function k6Duration(seconds) {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`
}

/** The k6 `options.scenarios` entry of a resolved scenario. */
export function k6Scenario(plan) {
  const stages = plan.stages?.map((st) => ({ duration: k6Duration(st.durationSeconds), target: st.target }))
  if (plan.model === 'open') {
    // Enough VUs for the rate at ~50 ms per request, and room to grow when answers slow down.
    const vus = { preAllocatedVUs: Math.min(2000, Math.max(20, Math.ceil(plan.rate * 0.05))), maxVUs: Math.min(5000, Math.max(100, Math.ceil(plan.rate * 0.5))) }
    return stages !== undefined
      ? { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', stages, ...vus }
      : { executor: 'constant-arrival-rate', rate: plan.rate, timeUnit: '1s', duration: k6Duration(plan.durationSeconds), ...vus }
  }
  return stages !== undefined
    ? { executor: 'ramping-vus', startVUs: 0, stages, gracefulRampDown: '5s' }
    : { executor: 'constant-vus', vus: plan.vus, duration: k6Duration(plan.durationSeconds) }
}

/**
 * k6 thresholds = the old targets, on the user-data requests only (tagged
 * `endpoint:user-data`; the /metrics scrapes of setup and teardown are not counted).
 * `cache_hit_rate` is a Trend with one sample, computed in teardown from query-api's counters.
 */
export function k6Thresholds() {
  const t = TARGETS
  return {
    'http_req_duration{endpoint:user-data}': [`p(50)<${t.p50Ms}`, `p(95)<${t.p95Ms}`, `p(99)<${t.p99Ms}`],
    'http_req_failed{endpoint:user-data}': [`rate<${t.errorRate}`],
    'http_reqs{endpoint:user-data}': [`rate>${t.requestsPerSecond}`],
    'checks{endpoint:user-data}': [`rate>${1 - t.errorRate}`],
    cache_hit_rate: [`min>${t.hitRateAcceptable}`],
  }
}

// ── random numbers ──────────────────────────────────────────────────────────────────────────

/** splitmix32: spreads a (small, sequential) seed over all 32 bits. */
function splitmix32(x) {
  x = (x + 0x9e3779b9) | 0
  let z = x
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return [x, (z ^ (z >>> 16)) >>> 0]
}

/**
 * A seeded generator of floats in [0, 1) (sfc32, 32-bit operations only, so k6 and Node agree
 * bit for bit). `stream` separates the VUs of one seed: same seed and stream, same numbers.
 */
export function createRandom(seed, stream = 0) {
  let s = (Math.trunc(seed) ^ Math.imul(Math.trunc(stream) + 1, 0x27d4eb2f)) | 0
  const words = []
  for (let i = 0; i < 4; i++) {
    const [next, out] = splitmix32(s)
    s = next
    words.push(out | 0)
  }
  let [a, b, c, d] = words
  const random = () => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 12; i++) random() // leave the seeding's correlations behind
  return random
}

// ── Zipf popularity: O(1) per draw ──────────────────────────────────────────────────────────

// Hörmann & Derflinger's rejection-inversion ("Rejection-inversion to generate variates from
// monotone discrete distributions", 1996), as in Apache Commons RNG: invert the integral of the
// continuous density x^-s, round, and accept almost always (a handful of log/exp per draw, no
// table). Exact for every s > 0, including s = 1.
const log1pOverX = (x) => (Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x)))
const expm1OverX = (x) => (Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x)))

/** A sampler of ranks 1..n with P(r) ∝ r^-s, drawing uniform numbers from `random`. */
export function createZipf(n, s, random) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`)
  positive('s', s)
  const h = (x) => Math.exp(-s * Math.log(x))
  const hIntegral = (x) => {
    const logX = Math.log(x)
    return expm1OverX((1 - s) * logX) * logX
  }
  const hIntegralInverse = (x) => {
    let t = x * (1 - s)
    if (t < -1) t = -1 // rounding at the edge of the domain
    return Math.exp(log1pOverX(t) * x)
  }
  const hX1 = hIntegral(1.5) - 1
  const hN = hIntegral(n + 0.5)
  const squeeze = 2 - hIntegralInverse(hIntegral(2.5) - h(2))
  return () => {
    for (;;) {
      const u = hN + random() * (hX1 - hN)
      const x = hIntegralInverse(u)
      const k = Math.min(n, Math.max(1, Math.floor(x + 0.5)))
      if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) return k
    }
  }
}

// ── rank → user id ──────────────────────────────────────────────────────────────────────────

const ROUND_KEYS = [0x5bd1e995, 0x1b873593, 0xcc9e2d51, 0x7feb352d]

/**
 * A fixed bijection of 1..n onto itself (n ≤ 2^32), so that the hot ranks (1, 2, 3 …) land on
 * user ids spread over the whole range instead of on the first ids. A 4-round Feistel network
 * over the smallest even number of bits that holds n, walking the cycle until the result is
 * in range (expected < 4 rounds of it, so still O(1)). The same ranks always give the same ids.
 */
export function createScramble(n) {
  if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 32) throw new Error(`n must be an integer in 1..2^32, got ${n}`)
  let bits = 2
  while (2 ** bits < n) bits += 2
  const half = bits / 2
  const size = 2 ** half
  const mask = size - 1
  const round = (r, key) => {
    let z = Math.imul(r ^ key, 0x9e3779b1)
    z = Math.imul(z ^ (z >>> 15), 0x85ebca6b)
    return (z ^ (z >>> 13)) & mask
  }
  const permute = (x) => {
    let left = Math.floor(x / size)
    let right = x % size
    for (const key of ROUND_KEYS) {
      const next = left ^ round(right, key)
      left = right
      right = next
    }
    return left * size + right
  }
  return (rank) => {
    let x = rank - 1
    do x = permute(x)
    while (x >= n)
    return x + 1
  }
}

/**
 * Picks the user of each request among `users` ids starting at `firstUserId`: uniformly, or by
 * Zipf popularity with the ranks scrambled over the range.
 */
export function createUserPicker({ users, firstUserId = 1, distribution, zipfS = DEFAULTS.zipfS, random }) {
  if (!Number.isSafeInteger(users) || users < 1) throw new Error(`users must be a positive integer, got ${users}`)
  const offset = firstUserId - 1
  if (distribution === 'uniform') return () => offset + 1 + Math.floor(random() * users)
  if (distribution !== 'zipf') throw new Error(`unknown distribution "${distribution}"`)
  const zipf = createZipf(users, zipfS, random)
  const scramble = createScramble(users)
  return () => offset + scramble(zipf())
}

// ── signed headers ──────────────────────────────────────────────────────────────────────────

/** The legacy scheme's constant: base64(timestamp + 'forecap2025' + user_id), no secret. */
export const LEGACY_SALT = 'forecap2025'

/**
 * Headers of a signed read of `userId` at `nowMs` (the timestamp in milliseconds):
 * sign = hex HMAC-SHA256 of "<timestamp>.<user_id>" (`hmacHex(message)`), or with `legacy`
 * base64 of "<timestamp>forecap2025<user_id>" (`base64(text)`), which query-api accepts only
 * when QUERY_LEGACY_SIGNATURES=true.
 */
export function signedHeaders(userId, nowMs, { legacy = false, hmacHex, base64 }) {
  const timestamp = String(nowMs)
  const user = String(userId)
  const sign = legacy ? base64(`${timestamp}${LEGACY_SALT}${user}`) : hmacHex(`${timestamp}.${user}`)
  return { timestamp, user_id: user, sign }
}

/** query-api's pipeline_query_cache_total counters by result, from a /metrics text. */
export function parseCacheCounters(text) {
  const out = {}
  const re = /^pipeline_query_cache_total\{result="(\w+)"[^}]*\} (\S+)$/gm
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2])
  return out
}

/** (local + hit) / (local + hit + miss + shared + bypass) of counter deltas; null when there was no lookup. */
export function hitRate(cache) {
  const hits = (cache.local ?? 0) + (cache.hit ?? 0)
  const lookups = hits + (cache.miss ?? 0) + (cache.shared ?? 0) + (cache.bypass ?? 0)
  return lookups > 0 ? hits / lookups : null
}
