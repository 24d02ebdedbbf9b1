// The old read system's realistic scenario in k6, for people who have k6 (the Node twin:
// `npm run load-test:read -- --scenario realistic`). Open model (constant-arrival-rate): RATE
// signed GET /api/user-data per second whatever the latency, so slow answers cannot slow the
// load down. Users are drawn by Zipf popularity (rank r with probability ∝ r^-ZIPF_S; the
// ranks are scrambled over FIRST_USER_ID..MAX_USER_ID so the hot users are spread over the
// ids), which is what makes the cache work: with ZIPF_S = 1.1 over 10 M users the top 1 % of
// users get ~86 % of the reads. Thresholds are the old targets (see k6-test.js); every id in
// the range must exist (`npm run generate:test-data 10000000`): a 404 counts as an error.
//
//   k6 run load-test/k6/k6-realistic-test.js                                  # 2,000 req/s, 60 s, 10 M users, s = 1.1
//   k6 run -e RATE=5000 -e DURATION=5m -e MAX_USER_ID=1000000 -e ZIPF_S=1.0 load-test/k6/k6-realistic-test.js
//   k6 run -e BASE_URL=http://query:3002 -e SECRET=$QUERY_SIGNING_SECRET -e SEED=42 load-test/k6/k6-realistic-test.js
//
// Env: MAX_USER_ID (10000000), FIRST_USER_ID (1), ZIPF_S (1.1), RATE (2000), DURATION (60s;
// 90, 90s, 2m), BASE_URL (http://127.0.0.1:3002), SECRET (query-api's QUERY_SIGNING_SECRET),
// LEGACY=true (old base64 signatures), SEED (reproducible user ids).
import { k6Scenario, k6Thresholds, resolveScenario } from './lib/scenarios.js'
import { cacheAfter, cacheBefore, createReader, parseNumber, parseSeconds, readConfig } from './lib/user-data-read.js'

const config = readConfig(__ENV)
const plan = resolveScenario('realistic', {
  rate: parseNumber('RATE', __ENV.RATE),
  durationSeconds: parseSeconds(__ENV.DURATION),
  zipfS: parseNumber('ZIPF_S', __ENV.ZIPF_S),
})

export const options = {
  scenarios: { realistic: k6Scenario(plan) },
  thresholds: k6Thresholds(),
}

export const setup = () => cacheBefore(config)
export default createReader(config, plan)
export const teardown = (data) => cacheAfter(config, data)
