/**
 * The old system's five read scenarios through the Node runner, about 2 s each with tiny VU
 * counts and rates, against the real stack: the one `npm start` runs (query-api on
 * $QUERY_URL, default :3002) when it is up, else services of this test's own. 50 users are
 * seeded through producer-api first and the runner reads exactly those (--first-user/--users),
 * so every answer must be a 200.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { signedHeaders } from '../../../lib/src/signature.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { createTestTopic, uniqueName, uniqueUserId, waitFor } from '../../../lib/test/helpers/services.js'
import type { ScenarioName } from '../../k6/lib/scenarios.js'
import { readRunConnections, runReadScenario, writeReadResults, type ReadRunOptions } from '../../src/read/run-read-scenario.js'
import { seedUsers, type ReadTarget } from '../../src/read/scenarios.js'

const USERS = 50
const LOCAL_SECRET = 'local-development-signing-secret'

const ready = (url: string) => fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)

/** The running stack's producer-api and query-api, or (when they are not up) this test's own. */
async function readTarget(t: TestContext): Promise<ReadTarget> {
  const running: ReadTarget = {
    producerUrl: process.env.PRODUCER_URL ?? 'http://127.0.0.1:3000',
    queryUrl: process.env.QUERY_URL ?? 'http://127.0.0.1:3002',
    secret: process.env.QUERY_SIGNING_SECRET ?? LOCAL_SECRET,
  }
  if ((await ready(running.producerUrl)) && (await ready(running.queryUrl))) return running
  const topic = await createTestTopic(t, 3)
  const secret = 'e2e-read-scenarios-signing-secret'
  const env = { ...topic.env, PROJECTOR_GROUP_ID: uniqueName('test-projector'), QUERY_SIGNING_SECRET: secret }
  await startService(t, 'consumer', env) // producer-api's backpressure needs a live sink group
  await startService(t, 'projector', env)
  const api = await startService(t, 'producer-api', env)
  const query = await startService(t, 'query-api', env)
  return { producerUrl: api.url, queryUrl: query.url, secret }
}

const RUNS: readonly (Omit<ReadRunOptions, 'queryUrl' | 'secret' | 'users' | 'firstUser'> & { scenario: ScenarioName })[] = [
  { scenario: 'baseline', vus: 2, durationSeconds: 2 },
  { scenario: 'normal', vus: 2, durationSeconds: 2 },
  { scenario: 'high', vus: 3, durationSeconds: 2 },
  { scenario: 'stress', vus: 2, durationSeconds: 2 },
  { scenario: 'realistic', rate: 100, durationSeconds: 2, warmupSeconds: 0.5, seed: 7 },
]

const SUMMARY_KEYS = ['kind', 'version', 'scenario', 'model', 'startedAt', 'endedAt', 'params', 'machine', 'totals', 'timeline', 'processes']

test('each read scenario for 2 s on 50 seeded users: 0 errors, the summary written in its shape', async (t) => {
  const target = await readTarget(t)
  const firstUser = uniqueUserId()
  const ids = Array.from({ length: USERS }, (_, i) => firstUser + i)
  await seedUsers(target, ids, 1, () => undefined)
  // seedUsers waits for the last user; the others may be on partitions folded a moment later.
  await waitFor(async () => {
    const statuses = await Promise.all(ids.map((id) => fetch(`${target.queryUrl}/api/user-data`, { headers: signedHeaders(target.secret, id) }).then((r) => r.status)))
    return statuses.every((s) => s === 200)
  }, { timeoutMs: 30_000, intervalMs: 250, message: 'all 50 seeded users readable' })

  const resultsDir = mkdtempSync(join(tmpdir(), 'read-scenarios-'))
  t.after(() => rmSync(resultsDir, { recursive: true, force: true }))
  const stamp = uniqueName('e2e')

  for (const run of RUNS) {
    const options: ReadRunOptions = { ...run, queryUrl: target.queryUrl, secret: target.secret, users: USERS, firstUser }
    const summary = await runReadScenario(options)
    const dir = writeReadResults(summary, { stamp, resultsDir })
    const label = `${run.scenario}: ${JSON.stringify(summary.totals.statuses)}`

    assert.ok(existsSync(join(dir, 'report.md')), label)
    const written = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>
    assert.deepEqual(written, JSON.parse(JSON.stringify(summary)), 'summary.json is the returned summary')
    assert.deepEqual(Object.keys(written), SUMMARY_KEYS)
    assert.equal(summary.kind, 'load-test-read')
    assert.equal(summary.version, 1)
    assert.equal(summary.scenario, run.scenario)
    assert.equal(summary.model, run.scenario === 'realistic' ? 'open' : 'closed')
    assert.ok(Date.parse(summary.endedAt) > Date.parse(summary.startedAt))
    assert.equal(summary.params.users, USERS)
    assert.equal(summary.params.durationSeconds, 2)
    assert.equal(summary.params.legacySignatures, false)
    assert.equal(summary.params.queryUrl, target.queryUrl)
    assert.equal(summary.params.firstUser, firstUser)
    assert.equal(summary.params.connections, readRunConnections(options))
    if (run.scenario === 'realistic') {
      assert.equal(summary.params.rate, 100)
      assert.equal(summary.params.zipfS, 1.1)
      assert.equal(summary.params.seed, 7)
      assert.equal(summary.params.warmupSeconds, 0.5)
      assert.ok(Math.abs(summary.totals.requests - 150) <= 1, `100/s for the 1.5 s after the warm-up: ${summary.totals.requests}`)
    } else {
      assert.equal(summary.params.vus, run.vus)
    }
    if (run.scenario === 'stress') assert.deepEqual(summary.params.stages?.map((s) => s.target), [1, 1, 2, 2, 0])

    assert.ok(summary.totals.requests > 0, label)
    assert.equal(summary.totals.errors, 0, label)
    assert.equal(summary.totals.errorRate, 0)
    assert.deepEqual(Object.keys(summary.totals.statuses), ['200'], label)
    assert.ok(summary.totals.requestsPerSecond > 0)
    const l = summary.totals.latencyMs
    assert.ok(l.p50 > 0 && l.p50 <= l.p90 && l.p90 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max, JSON.stringify(l))
    assert.ok(summary.totals.hitRate === null || (summary.totals.hitRate >= 0 && summary.totals.hitRate <= 1))
    assert.deepEqual(Object.keys(summary.totals.cache).slice(0, 5), ['local', 'hit', 'miss', 'shared', 'bypass'], label)

    assert.ok(summary.timeline.length >= 2, `${summary.timeline.length} points`)
    assert.deepEqual(summary.timeline.map((p) => p.t), summary.timeline.map((_, i) => i + 1))
    assert.equal(summary.timeline.reduce((s, p) => s + p.errors, 0), 0)
    assert.ok(summary.timeline.reduce((s, p) => s + p.requests, 0) >= summary.totals.requests, 'the timeline holds the warm-up too')
    const names = summary.processes.map((p) => p.name)
    assert.ok(names.includes('load-generator'), names.join(', '))
    for (const p of summary.processes) assert.ok(p.pid > 0 && p.cpuPercent >= 0 && p.cpuPercentMax >= p.cpuPercent - 0.1 && p.rssMbMax >= p.rssMb - 0.1, JSON.stringify(p))
    assert.equal(typeof summary.machine.cpus, 'number')
  }
})
