/**
 * The two k6 read scripts, evaluated in Node against a k6 shim (k6 itself cannot be installed
 * here): their options are the shared scenario definitions, and the requests they send are the
 * ones our Node runner sends and query-api accepts.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { beforeEach, test } from 'node:test'
import { PROJECT_ROOT } from '../../../../lib/src/paths.js'
import { legacySignature, signedHeaders } from '../../../../lib/src/signature.js'
import { verifySignature } from '../../../../query-api/src/auth/signature.js'
import { SCENARIOS, TARGETS, k6Scenario, resolveScenario } from '../../../k6/lib/scenarios.js'
import { iterate, loadK6Script } from './shim/load.js'
import { k6State, resetK6State } from './shim/state.js'

const K6 = join(PROJECT_ROOT, 'load-test', 'k6')
const CLOSED = join(K6, 'k6-test.js')
const REALISTIC = join(K6, 'k6-realistic-test.js')
const SECRET = 'a-test-secret-of-some-length'

beforeEach(() => resetK6State())

test('k6-test.js: each closed scenario has the shared VUs, duration and stages', async () => {
  for (const name of ['baseline', 'normal', 'high'] as const) {
    const script = await loadK6Script(CLOSED, { SCENARIO: name })
    const def = SCENARIOS[name]
    assert.deepEqual(script.options.scenarios, { [name]: { executor: 'constant-vus', vus: def.vus, duration: `${def.durationSeconds}s` } })
  }
  const stress = await loadK6Script(CLOSED, { SCENARIO: 'stress' })
  assert.deepEqual(stress.options.scenarios.stress?.['stages'],
    SCENARIOS.stress.stages?.map((st) => ({ duration: `${st.durationSeconds}s`, target: st.target })))
  assert.equal(stress.options.scenarios.stress?.['executor'], 'ramping-vus')
  assert.deepEqual((await loadK6Script(CLOSED, {})).options.scenarios, { baseline: k6Scenario(resolveScenario('baseline')) })
})

test('k6-test.js: VUS, DURATION and RATE override the definitions as the Node runner does', async () => {
  const normal = await loadK6Script(CLOSED, { SCENARIO: 'normal', VUS: '7', DURATION: '2m' })
  assert.deepEqual(normal.options.scenarios.normal, { executor: 'constant-vus', vus: 7, duration: '120s' })
  const stress = await loadK6Script(CLOSED, { SCENARIO: 'stress', DURATION: '18s', VUS: '20' })
  assert.deepEqual(stress.options.scenarios.stress, k6Scenario(resolveScenario('stress', { durationSeconds: 18, vus: 20 })))
  assert.deepEqual(stress.options.scenarios.stress?.['stages'], [
    { duration: '3s', target: 5 }, { duration: '3s', target: 10 }, { duration: '3s', target: 20 }, { duration: '6s', target: 20 }, { duration: '3s', target: 0 },
  ])
  const open = await loadK6Script(CLOSED, { SCENARIO: 'high', RATE: '500' })
  assert.equal(open.options.scenarios.high?.['executor'], 'constant-arrival-rate')
  assert.equal(open.options.scenarios.high?.['rate'], 500)
})

test('k6-realistic-test.js: open model at RATE for DURATION, defaults from the shared definition', async () => {
  const def = await loadK6Script(REALISTIC, {})
  assert.equal(def.options.scenarios.realistic?.['executor'], 'constant-arrival-rate')
  assert.equal(def.options.scenarios.realistic?.['rate'], SCENARIOS.realistic.rate)
  assert.equal(def.options.scenarios.realistic?.['duration'], `${SCENARIOS.realistic.durationSeconds}s`)
  assert.equal(def.options.scenarios.realistic?.['timeUnit'], '1s')
  const custom = await loadK6Script(REALISTIC, { RATE: '300', DURATION: '90s' })
  assert.deepEqual(custom.options.scenarios.realistic, k6Scenario(resolveScenario('realistic', { rate: 300, durationSeconds: 90 })))
})

test('both scripts: thresholds are the old targets, on the user-data requests', async () => {
  for (const path of [CLOSED, REALISTIC]) {
    const { thresholds } = (await loadK6Script(path, {})).options
    assert.deepEqual(thresholds['http_req_duration{endpoint:user-data}'], [`p(50)<${TARGETS.p50Ms}`, `p(95)<${TARGETS.p95Ms}`, `p(99)<${TARGETS.p99Ms}`])
    assert.deepEqual(thresholds['http_req_failed{endpoint:user-data}'], ['rate<0.001'])
    assert.deepEqual(thresholds['http_reqs{endpoint:user-data}'], ['rate>1000'])
    assert.deepEqual(thresholds['cache_hit_rate'], ['min>0.8'])
  }
})

test('requests: GET /api/user-data with the headers our runner sends, accepted by query-api', async () => {
  const script = await loadK6Script(CLOSED, { SCENARIO: 'normal', BASE_URL: 'http://query:9999/', SECRET, MAX_USER_ID: '1000' })
  iterate(script, 50, 3)
  assert.equal(k6State.requests.length, 50)
  for (const r of k6State.requests) {
    assert.equal(r.method, 'GET')
    assert.equal(r.url, 'http://query:9999/api/user-data')
    assert.equal(r.tags['endpoint'], 'user-data')
    const user = Number(r.headers['user_id'])
    assert.ok(Number.isInteger(user) && user >= 1 && user <= 1000, `user ${user} in 1..1000`)
    assert.deepEqual(r.headers, signedHeaders(SECRET, user, Number(r.headers['timestamp'])))
    const verdict = verifySignature(r.headers, { secret: SECRET, maxSkewMs: 300_000, legacy: false }, Date.now())
    assert.deepEqual(verdict, { ok: true, userId: user, scheme: 'hmac' })
  }
  assert.equal(k6State.checks.length, 50)
  assert.ok(k6State.checks.every((c) => c.name === 'status is 200' && c.ok))
})

test('LEGACY=true: base64(timestamp + forecap2025 + user_id), accepted only where legacy is enabled', async () => {
  const script = await loadK6Script(REALISTIC, { LEGACY: 'true', SECRET })
  iterate(script, 10)
  for (const r of k6State.requests) {
    const { timestamp = '', user_id: user = '' } = r.headers
    assert.match(timestamp, /^\d{13}$/)
    assert.equal(r.headers['sign'], legacySignature(timestamp, user))
    assert.deepEqual(verifySignature(r.headers, { secret: SECRET, maxSkewMs: 300_000, legacy: true }, Date.now()), { ok: true, userId: Number(user), scheme: 'legacy' })
    assert.equal(verifySignature(r.headers, { secret: SECRET, maxSkewMs: 300_000, legacy: false }, Date.now()).ok, false)
  }
})

test('realistic: users within 1..MAX_USER_ID, Zipf-skewed, the hot ones spread over the ids', async () => {
  const max = 100_000
  const script = await loadK6Script(REALISTIC, { MAX_USER_ID: String(max), SEED: '11' })
  iterate(script, 20_000, 1)
  const counts = new Map<number, number>()
  for (const r of k6State.requests) {
    const user = Number(r.headers['user_id'])
    assert.ok(user >= 1 && user <= max)
    counts.set(user, (counts.get(user) ?? 0) + 1)
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1])
  const topShare = sorted.slice(0, max / 100).reduce((s, [, n]) => s + n, 0) / 20_000
  // s = 1.1 over 100,000 users: the top 1 % (1,000 users) get ~75 % of the reads.
  assert.ok(topShare > 0.6, `top 1 % of users got ${(topShare * 100).toFixed(1)} % of the reads`)
  const hottest = sorted.slice(0, 10).map(([user]) => user)
  assert.ok(Math.max(...hottest) - Math.min(...hottest) > max / 4, `hot users spread over the ids: ${hottest.join(', ')}`)
  // Same SEED and VU: the same users again.
  const again = await loadK6Script(REALISTIC, { MAX_USER_ID: String(max), SEED: '11' })
  const first = k6State.requests.slice(0, 100).map((r) => r.headers['user_id'])
  resetK6State()
  iterate(again, 100, 1)
  assert.deepEqual(k6State.requests.map((r) => r.headers['user_id']), first)
})

test('setup and teardown: the cache hit rate over the run from query-api /metrics', async () => {
  const counters = { hit: 100, miss: 10 }
  resetK6State((r) => r.url.endsWith('/metrics')
    ? { status: 200, headers: {}, body: `pipeline_query_cache_total{result="hit",service="query-api"} ${counters.hit}\npipeline_query_cache_total{result="miss",service="query-api"} ${counters.miss}\n` }
    : { status: 200, headers: {}, body: '{}' })
  const script = await loadK6Script(CLOSED, { SCENARIO: 'baseline' })
  const data = script.setup?.()
  counters.hit += 90
  counters.miss += 10
  script.teardown?.(data)
  assert.deepEqual(k6State.samples, [{ metric: 'cache_hit_rate', value: 0.9 }])
  assert.deepEqual(k6State.requests.map((r) => r.tags['endpoint']), ['metrics', 'metrics'])
})
