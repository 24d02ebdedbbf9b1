import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { resultsDir, summary, writeRun } from './read-fixture.js'

const MAIN = fileURLToPath(new URL('../../../src/report/main.ts', import.meta.url))
const run = (args: readonly string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('no run found: exit 2, saying which command makes one', (t) => {
  const r = run(['--results', resultsDir(t)])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /no load-test:read run found in/)
  assert.match(r.stderr, /npm run load-test:read -- --scenario baseline/)
})

test('a run: the report is written where --out says, its path and a summary printed, bad files warned about', (t) => {
  const dir = resultsDir(t)
  writeRun(dir, 'load-test-read-1-normal', summary('normal'))
  const broken = writeRun(dir, 'load-test-read-2-high', '{')
  const out = join(dir, 'out', 'report.md')
  const r = run(['--results', dir, '--out', out])
  assert.equal(r.code, 0, r.stderr)
  assert.ok(existsSync(out))
  assert.ok(existsSync(join(dir, 'out', 'normal.svg')))
  assert.match(r.stdout, /^normal +50 VUs .* PASS$/m)
  assert.match(r.stdout, /not run yet: baseline, high, stress, realistic/)
  assert.ok(r.stdout.includes(`report: ${out}`))
  assert.ok(r.stderr.includes(`warning: skipped ${broken}: not JSON`))
})

test('a bad option: exit 2 with the usage', () => {
  const r = run(['--resluts', 'x'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /usage: npm run load-test:report/)
})
