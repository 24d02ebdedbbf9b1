/**
 * `npm run test:faults` end to end, a short round: five faults on the suite's own stack (its
 * own Kafka, Postgres, MariaDB and Redis on other ports; docs/faults.md). Seed 7371 draws
 * Postgres' disk full, the sink's partition from Postgres, a group change, kill -9 of Kafka and
 * kill -9 of Postgres (where Postgres can have a disk of its own: as root); the full run (100
 * rounds or more) is `npm run test:faults`.
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

test('test:faults --rounds 5 --seed 7371: every acknowledged event once in Postgres and folded once, nothing rejected stored, each round recovered', async (t) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN, '--rounds', '5', '--seed', '7371', '--rate', '100'],
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
    assert.deepEqual(drawn, ['postgres disk full', 'sink cut off from postgres', 'group change', 'kill kafka', 'kill postgres'], 'the seed draws the same faults')
  }
  const v = report.verification
  assert.ok(v.acknowledged > 1000, `events acknowledged: ${v.acknowledged}`)
  assert.ok(v.rejected > 0, 'kill -9 of Kafka and Postgres makes producer-api refuse some requests')
  assert.equal(v.lost, 0, 'lost')
  assert.equal(v.duplicated, 0, 'duplicated')
  assert.equal(v.rejectedPresent, 0, 'rejected yet stored')
  assert.equal(v.readModelMismatches, 0, 'read-model users not folded exactly once')
  assert.equal(report.deadLetters, 0, 'dead letters')
  assert.equal(report.recovery.unrecovered, 0, 'every round recovered')
  for (const [app, p] of Object.entries(report.processes)) assert.ok(p.steady, `${app} runs steadily at the end`)
  assert.equal(report.passed, true)
})
