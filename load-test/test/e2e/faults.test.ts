/**
 * `npm run test:faults` end to end, a short round: six faults on the suite's own stack (its
 * own Kafka, Postgres, MariaDB and Redis on other ports; docs/faults.md). Seed 69100 draws
 * Postgres' disk full, kill -9 of query-api, of Postgres, the sink's partition from Postgres, a
 * group change and kill -9 of Kafka (where Postgres can have a disk of its own: as root), while
 * up to 100 hostile inputs per fuzz target go to producer-api and query-api, all three targets at
 * once, until the last fault; the full run (100 rounds or more, 100,000 inputs and more) is in
 * docs/faults.md.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import type { FaultReport } from '../../src/faults/run.js'

const run = promisify(execFile)
const MAIN = join(PROJECT_ROOT, 'load-test', 'src', 'faults', 'main.ts')

test('test:faults --rounds 6 --seed 69100 --fuzz 100: every acknowledged event once in Postgres and folded once, nothing rejected stored, query-api serves the read model, each round recovered', async (t) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN, '--rounds', '6', '--seed', '69100', '--rate', '100', '--fuzz', '100'],
    { cwd: PROJECT_ROOT, timeout: 360_000, maxBuffer: 16 * 1024 * 1024 })
  const dir = /written to (\S+)/.exec(stdout)?.[1]
  assert.ok(dir !== undefined, `no results folder in:\n${stdout}`)
  const report = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as FaultReport
  assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /^# Fault run .*: PASSED/)

  const drawn = report.rounds.map((r) => r.fault)
  if ('unavailable' in report.pgDisk) {
    t.diagnostic(`Postgres disk full not drawn: ${report.pgDisk.unavailable}`)
    assert.ok(!drawn.includes('postgres disk full'))
  } else {
    assert.deepEqual(drawn, ['postgres disk full', 'kill query-api', 'kill postgres', 'sink cut off from postgres', 'group change', 'kill kafka'], 'the seed draws the same faults')
  }
  const v = report.verification
  assert.ok(v.acknowledged > 1000, `events acknowledged: ${v.acknowledged}`)
  assert.ok(v.rejected > 0, 'kill -9 of Kafka and Postgres makes producer-api refuse some requests')
  assert.equal(v.lost, 0, 'lost')
  assert.equal(v.duplicated, 0, 'duplicated')
  assert.equal(v.rejectedPresent, 0, 'rejected yet stored')
  assert.equal(v.readModelMismatches, 0, 'read-model users not folded exactly once')
  assert.equal(report.deadLetters, 0, 'dead letters')
  assert.ok(report.reads.sent > 1000, `reads of query-api: ${report.reads.sent}`)
  assert.equal(report.reads.unexplained, 0, `query-api answers no fault explains: ${JSON.stringify(report.reads.byStatus)}`)
  assert.ok(report.reads.readThrough.users > 100, `users read through: ${report.reads.readThrough.users}`)
  assert.equal(report.reads.readThrough.stale, 0, `users served stale: ${report.reads.readThrough.examples.join('; ')}`)
  assert.equal(report.recovery.unrecovered, 0, 'every round recovered')
  for (const [app, p] of Object.entries(report.processes)) assert.ok(p.steady, `${app} runs steadily at the end`)
  const fuzz = report.fuzz
  assert.ok(fuzz !== undefined)
  assert.deepEqual(fuzz.targets.map((f) => [f.name, f.failed]), [['POST /events', false], ['POST /events/batch', false], ['GET /api/user-data', false]], fuzz.failures.join('\n'))
  for (const f of fuzz.targets) assert.ok(f.runs >= 1 && f.runs <= 100, `${f.name}: ${f.runs} inputs, while the faults went on, at most --fuzz`)
  t.diagnostic(`fuzz inputs: ${fuzz.targets.map((f) => `${f.name} ${f.runs}`).join(', ')}`)
  assert.ok(fuzz.ledger !== undefined && fuzz.ledger.accepted > 0, 'the fuzz got events acknowledged')
  assert.equal(fuzz.ledger.missing + fuzz.ledger.duplicated + fuzz.ledger.refusedStored, 0, JSON.stringify(fuzz.ledger))
  assert.ok(fuzz.ledger.unacknowledgedStored <= fuzz.ledger.uncertainEvents, JSON.stringify(fuzz.ledger))
  assert.equal(report.passed, true)
})
