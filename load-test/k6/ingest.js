// k6 version of the ingestion scenarios, for people who have k6 (it cannot be installed on the
// project's build machines; `npm run load-test:parallel` runs the same scenarios with Node and
// verifies the results in Postgres, which this script does not).
//
//   k6 run -e RATE=5000 -e DURATION=60s load-test/k6/ingest.js               # 5,000 single events/s
//   k6 run -e RATE=400 -e BATCH=100 -e DURATION=60s load-test/k6/ingest.js   # 40,000 events/s in batches
//   k6 run -e URL=http://producer:3000 ...
//
// Open model (constant-arrival-rate): requests start at the target rate whatever the latency.
// Event ids are made by the client, so a retry after 429/503 reuses them and cannot duplicate.
import http from 'k6/http'
import { check, sleep } from 'k6'
import { Counter } from 'k6/metrics'
import { uuidv4 } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js'

const URL = __ENV.URL || 'http://127.0.0.1:3000'
const RATE = Number(__ENV.RATE || 1000)
const BATCH = Number(__ENV.BATCH || 1)
const DURATION = __ENV.DURATION || '60s'
const MAX_ATTEMPTS = 5

const accepted = new Counter('events_accepted')
const throttled = new Counter('events_throttled')
const failed = new Counter('events_failed')

export const options = {
  scenarios: {
    ingest: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.min(2000, Math.max(50, RATE / 10)),
      maxVUs: 5000,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{expected_response:true}': ['p(99)<250'],
  },
}

function event() {
  return {
    event_id: uuidv4(),
    service: `k6-load-test-${__VU % 15 + 1}`,
    event_type: 'generic',
    payload: { client: 'k6', vu: __VU, iteration: __ITER },
  }
}

export default function () {
  const events = Array.from({ length: BATCH }, event)
  const path = BATCH > 1 ? '/events/batch' : '/events'
  const body = JSON.stringify(BATCH > 1 ? { events } : events[0])
  const params = { headers: { 'content-type': 'application/json' }, responseCallback: http.expectedStatuses(202) }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const res = http.post(`${URL}${path}`, body, params)
    if (res.status === 202) {
      accepted.add(BATCH)
      check(res, { '202 with the ids': (r) => r.body.includes(events[0].event_id) })
      return
    }
    if (res.status !== 429 && res.status !== 503) break
    throttled.add(BATCH)
    sleep(Number(res.headers['Retry-After'] || 1))
  }
  failed.add(BATCH)
}
