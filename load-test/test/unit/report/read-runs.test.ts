import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { scanReadRuns } from '../../../src/report/read-runs.js'
import { resultsDir, summary, writeRun } from './read-fixture.js'

test('the latest run of each scenario is kept, by its start time, not its folder name', (t) => {
  const dir = resultsDir(t)
  writeRun(dir, 'load-test-read-b-baseline', summary('baseline', { startedAt: '2026-03-02T10:00:00.000Z', endedAt: '2026-03-02T10:01:00.000Z' }))
  writeRun(dir, 'load-test-read-z-baseline', summary('baseline', { startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:01:00.000Z' }))
  writeRun(dir, 'load-test-read-a-stress', summary('stress'))
  const scan = scanReadRuns(dir)
  assert.deepEqual(scan.latest.map((r) => [r.summary.scenario, r.file]), [
    ['baseline', join(dir, 'load-test-read-b-baseline', 'summary.json')],
    ['stress', join(dir, 'load-test-read-a-stress', 'summary.json')],
  ], 'in the order baseline, normal, high, stress, realistic')
  assert.deepEqual(scan.missing, ['normal', 'high', 'realistic'])
  assert.equal(scan.superseded, 1)
  assert.deepEqual(scan.warnings, [])
})

test('invalid summaries are skipped with one line naming the file; other tools\' files are ignored', (t) => {
  const dir = resultsDir(t)
  const good = writeRun(dir, 'load-test-read-1-normal', summary('normal'))
  const broken = writeRun(dir, 'load-test-read-2-high', '{"kind": "load-test-read", ')
  const wrong = writeRun(dir, 'load-test-read-3-high', { ...summary('high'), model: 'sideways' })
  writeRun(dir, 'load-test-read-2026-01-01T00-00-00-000Z', { stamp: 'old runner', results: [] })
  writeRun(dir, 'load-test-r1', { runId: 'r1', plan: {} }) // the ingestion load test
  writeRun(dir, 'load-test-report-x', 'not even JSON') // a report folder: never read
  const scan = scanReadRuns(dir)
  assert.deepEqual(scan.latest.map((r) => r.file), [good])
  assert.equal(scan.foreign, 1)
  assert.equal(scan.warnings.length, 2)
  assert.ok(scan.warnings[0]?.startsWith(`skipped ${broken}: not JSON`), scan.warnings[0])
  assert.equal(scan.warnings[1], `skipped ${wrong}: /model must be equal to one of the allowed values (open, closed)`)
})

test('a missing results folder is an empty scan, not a crash', () => {
  const scan = scanReadRuns('/nonexistent/results')
  assert.deepEqual(scan.latest, [])
  assert.equal(scan.missing.length, 5)
})
