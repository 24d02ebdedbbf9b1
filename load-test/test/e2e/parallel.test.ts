/**
 * `npm run load-test:parallel` end to end: real producer-api, consumer, broker and Postgres;
 * the run must verify every acknowledged id and write its report, JSON and plot.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { createTestKey } from '../../../lib/test/helpers/keys.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { createTestTopic, uniqueName } from '../../../lib/test/helpers/services.js'

const run = promisify(execFile)
const MAIN = join(PROJECT_ROOT, 'load-test', 'src', 'parallel', 'main.ts')

test('load-test:parallel 3 1200 3 --batch 5 with PRODUCER_API_KEY: every acknowledged event verified, report written', async (t) => {
  const topic = await createTestTopic(t)
  await startService(t, 'consumer', topic.env)
  const { key } = await createTestKey(t, { services: ['parallel-load-test-*'] })
  const api = await startService(t, 'producer-api', topic.env)
  const runId = uniqueName('e2e')
  const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN, '3', '1200', '3', '--batch', '5', '--url', api.url, '--run-id', runId],
    { cwd: PROJECT_ROOT, timeout: 120_000, env: { ...process.env, PRODUCER_API_KEY: key } })
  assert.match(stdout, /PASS/)
  const dir = join(PROJECT_ROOT, 'results', `load-test-${runId}`)
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))
  assert.equal(summary.totals.accepted, 3 * 60, '3 clients × 20 events/s × 3 s')
  assert.equal(summary.verification.lost, 0)
  assert.equal(summary.verification.duplicated, 0)
  assert.equal(summary.clients.length, 3)
  assert.deepEqual(summary.clients.map((c: { service: string }) => c.service), ['parallel-load-test-1', 'parallel-load-test-2', 'parallel-load-test-3'])
  assert.ok(summary.drainMs !== null)
  assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /\*\*PASS\*\*/)
  assert.ok(existsSync(join(dir, 'timeline.svg')))
})

test('load-test:parallel with bad arguments: exit 2 and the usage', async () => {
  await assert.rejects(run(process.execPath, ['--import', 'tsx', MAIN, '15', 'lots'], { cwd: PROJECT_ROOT }), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 2)
    assert.match(err.stderr, /events_per_min_per_client must be a positive whole number, got "lots"/)
    assert.match(err.stderr, /usage: npm run load-test:parallel/)
    return true
  })
})

test('load-test:parallel with a key producer-api refuses: exit 2 before any client starts, saying so', async (t) => {
  const topic = await createTestTopic(t, 1)
  const api = await startService(t, 'producer-api', topic.env)
  await assert.rejects(run(process.execPath, ['--import', 'tsx', MAIN, '1', '60', '1', '--url', api.url], {
    cwd: PROJECT_ROOT, env: { ...process.env, PRODUCER_API_KEY: 'pak_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  }), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 2)
    assert.match(err.stderr, /producer-api refuses the API key \(PIPELINE_API_KEY_INVALID: .*\): set PRODUCER_API_KEY/)
    return true
  })
})
