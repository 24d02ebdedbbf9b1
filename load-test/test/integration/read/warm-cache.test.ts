/** warmCache against a real query-api (MySQL, Redis): it stops once the hit rate of a window reaches the target, and at the cap otherwise. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startService } from '../../../../lib/test/helpers/processes.js'
import { warmCache } from '../../../src/read/warm-cache.js'

const SECRET = 'integration-warm-cache-signing-secret'

test('warmCache: reads until the window\'s hit rate reaches the target; an unreachable target stops at the cap', async (t) => {
  const query = await startService(t, 'query-api', { QUERY_SIGNING_SECRET: SECRET })
  const lines: string[] = []
  // 20 users: after the first window every read is a hit (an unknown user's answer is cached too).
  const base = { queryUrl: query.url, secret: SECRET, users: 20, seed: 7, connections: 8, log: (line: string) => lines.push(line) }
  const warm = await warmCache({ ...base, targetHitRate: 0.9, maxSeconds: 60 })
  assert.equal(warm.reachedTarget, true)
  assert.ok(warm.requests > 20 && (warm.lastHitRate ?? 0) >= 0.9, JSON.stringify(warm))
  assert.match(lines[0] ?? '', /warm-up \d+ s: [\d,]+ requests, [\d,]+\/s, hit rate of the last 5 s/)

  const capped = await warmCache({ ...base, targetHitRate: 1.01, maxSeconds: 5 })
  assert.equal(capped.reachedTarget, false)
  assert.ok(capped.seconds >= 5 && capped.seconds < 15, JSON.stringify(capped))
})
