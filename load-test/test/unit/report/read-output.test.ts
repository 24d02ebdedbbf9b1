import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { buildReadReport, summaryTable, writeReadReport } from '../../../src/report/read-output.js'
import { scanReadRuns } from '../../../src/report/read-runs.js'
import { resultsDir, summary, writeRun } from './read-fixture.js'
import { assertWellFormedSvg } from './svg-check.js'

test('report.md and its SVGs are written side by side, and every link resolves to a well-formed SVG', (t) => {
  const dir = resultsDir(t)
  writeRun(dir, 'load-test-read-1-baseline', summary('baseline', { params: { vus: 10 } }))
  writeRun(dir, 'load-test-read-1-realistic', summary('realistic', { model: 'open', params: { vus: undefined, rate: 15_000, zipfS: 1.1 } }))
  const scan = scanReadRuns(dir)
  const out = join(dir, 'load-test-report-x', 'report.md')
  const written = writeReadReport(out, buildReadReport(scan, new Date('2026-03-02T00:00:00Z')))
  assert.deepEqual(written.map((f) => f.slice(dir.length + 1)), [
    'load-test-report-x/report.md', 'load-test-report-x/baseline.svg', 'load-test-report-x/realistic.svg', 'load-test-report-x/comparison.svg',
  ])
  const md = readFileSync(out, 'utf8')
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1] ?? '')
  assert.equal(links.length, 3)
  for (const link of links) {
    const file = join(dir, 'load-test-report-x', link)
    assert.ok(existsSync(file), link)
    assertWellFormedSvg(readFileSync(file, 'utf8'))
  }
  assert.equal(scanReadRuns(dir).latest.length, 2, 'the report folder is not mistaken for a run')
})

test('the terminal summary: one aligned line per scenario, grades other than pass spelled out', () => {
  const scan = {
    latest: [
      { file: 'a', summary: summary('baseline') },
      { file: 'b', summary: summary('stress', { totals: { errorRate: 0.01, hitRate: 0.85 } }) },
    ],
    missing: [], superseded: 0, foreign: 0, warnings: [],
  }
  const lines = summaryTable(scan).split('\n')
  assert.match(lines[0] ?? '', /^scenario +load +p50 +p95 +p99 +throughput +errors +hit rate +overall$/)
  assert.match(lines[1] ?? '', /^baseline +50 VUs +2\.1 ms +6\.3 ms +11\.4 ms +5,000 req\/s +0 % +97 % +PASS$/)
  assert.match(lines[2] ?? '', /^stress .* 1 % FAIL +85 % WARN +FAIL$/)
  assert.equal(lines[1]?.indexOf('2.1 ms'), lines[0]?.indexOf('p50'))
})
