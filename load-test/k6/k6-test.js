// The old read system's closed-loop scenarios in k6, for people who have k6 (it cannot be
// installed on the project's machines; `npm run load-test:read -- --scenario <name>` runs the
// same scenarios with Node and also samples the stack's CPU and memory). Each VU sends a signed
// GET /api/user-data for a random user in FIRST_USER_ID..MAX_USER_ID, waits for the answer and
// sends the next. Thresholds are the old targets (p50 < 30 ms, p95 < 100 ms, p99 < 200 ms,
// > 1,000 req/s, < 0.1 % errors, cache hit rate > 80 %); k6 exits 99 when one is missed.
// Load the users first (`npm run generate:test-data 10000000`): a 404 counts as an error.
//
//   k6 run -e SCENARIO=baseline load-test/k6/k6-test.js      # 10 VUs, 30 s
//   k6 run -e SCENARIO=normal   load-test/k6/k6-test.js      # 50 VUs, 60 s
//   k6 run -e SCENARIO=high     load-test/k6/k6-test.js      # 100 VUs, 60 s
//   k6 run -e SCENARIO=stress   load-test/k6/k6-test.js      # 0 → 200 VUs in stages, 3 min
//   k6 run -e SCENARIO=normal -e BASE_URL=http://query:3002 -e SECRET=$QUERY_SIGNING_SECRET \
//          -e MAX_USER_ID=1000000 -e VUS=80 -e DURATION=5m -e SEED=7 load-test/k6/k6-test.js
//
// Env: SCENARIO (baseline | normal | high | stress; default baseline), BASE_URL (query-api,
// default http://127.0.0.1:3002), SECRET (its QUERY_SIGNING_SECRET; default the local one),
// MAX_USER_ID (10000000), FIRST_USER_ID (1), LEGACY=true (old base64 signatures; query-api must
// run with QUERY_LEGACY_SIGNATURES=true), VUS, DURATION (90, 90s, 2m: stretches stress' stages),
// RATE (requests/s: the open model instead of VUs), SEED (reproducible user ids).
import { k6Scenario, k6Thresholds, resolveScenario } from './lib/scenarios.js'
import { cacheAfter, cacheBefore, createReader, parseNumber, parseSeconds, readConfig } from './lib/user-data-read.js'

const NAME = __ENV.SCENARIO || 'baseline'
if (NAME === 'realistic') throw new Error('the realistic scenario is load-test/k6/k6-realistic-test.js')
const config = readConfig(__ENV)
const plan = resolveScenario(NAME, {
  vus: parseNumber('VUS', __ENV.VUS),
  durationSeconds: parseSeconds(__ENV.DURATION),
  rate: parseNumber('RATE', __ENV.RATE),
})

export const options = {
  scenarios: { [NAME]: k6Scenario(plan) },
  thresholds: k6Thresholds(),
}

export const setup = () => cacheBefore(config)
export default createReader(config, plan)
export const teardown = (data) => cacheAfter(config, data)
