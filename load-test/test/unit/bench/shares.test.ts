import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { ProcessStats } from '../../../src/procstat.js'
import { LOAD_GENERATOR, formatShares, measureShares, memoryMarkdown, memoryReport, sharesOf, type LoadWindow, type Shares } from '../../../src/bench/shares.js'

const stat = (name: string, cpuPercent: number, rssMbMax: number, pssMbMax?: number): ProcessStats => ({
  name, pid: 1, cpuPercent, cpuPercentMax: cpuPercent, rssMb: rssMbMax, rssMbMax, ...(pssMbMax !== undefined ? { pssMbMax } : {}),
})

test('sharesOf: CPU per event is the cores busy over the run divided by the events it moved', () => {
  // 10 s, 200,000 events: a process at 50 % spent 5 s, 25 µs per event.
  const shares = sharesOf([stat('producer-api', 50, 120, 100), stat('load-generator', 20, 90)], 10, 200_000)
  assert.deepEqual(shares, {
    seconds: 10,
    processes: [
      { name: 'producer-api', cpuPercent: 50, cpuMicrosPerEvent: 25, rssMbMax: 120, pssMbMax: 100 },
      { name: 'load-generator', cpuPercent: 20, cpuMicrosPerEvent: 10, rssMbMax: 90, pssMbMax: 90 },
    ],
  })
  assert.equal(sharesOf([stat('consumer', 5, 80)], 3, 0).processes[0]?.cpuMicrosPerEvent, null)
})

test('formatShares: the stack\'s processes and their total, the load generator apart', () => {
  const shares = sharesOf([stat('producer-api', 50, 1), stat('consumer', 10, 1), stat('load-generator', 20, 1)], 10, 200_000)
  assert.equal(formatShares(shares), 'CPU per event: producer-api 50 % (25 µs), consumer 10 % (5 µs); stack 30 µs/event; load-generator 20 % (10 µs)')
})

test('memoryReport: idle and peak per process, PSS and RSS summed, a process seen only once still listed', () => {
  const m = memoryReport(
    { kafka: { rssMb: 300, pssMb: 290 }, postgres: { rssMb: 400, pssMb: 150 } },
    { kafka: { rssMb: 420, pssMb: 410 }, postgres: { rssMb: 900, pssMb: 260 }, consumer: { rssMb: 110, pssMb: 100 } },
  )
  assert.equal(m.nodeMb, 4096)
  assert.deepEqual(m.rows.map((r) => r.name), ['consumer', 'kafka', 'postgres'])
  assert.equal(m.rows[0]?.idle, null)
  assert.deepEqual([m.idlePssMb, m.idleRssMb, m.loadedPssMb, m.loadedRssMb], [440, 700, 770, 1430])
  const md = memoryMarkdown(m, 'ingest-max')
  assert.equal(md[2], '| consumer | n/a | n/a | 100 | 110 |')
  assert.ok(md.includes('| **total** (of a 4,096 MB node) | 440 | 700 | 770 | 1430 |'))
})

test('measureShares: CPU covers the load window the run marks, or the whole run without marks', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'shares-')) // no stack: only this process, as the load generator
  t.after(() => rmSync(stateDir, { recursive: true, force: true }))
  const spin = (cpuMs: number) => {
    const start = process.cpuUsage()
    for (let used = process.cpuUsage(start); (used.user + used.system) / 1000 < cpuMs; used = process.cpuUsage(start));
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const generator = (shares: Shares) => shares.processes.find((p) => p.name === LOAD_GENERATOR)?.cpuPercent ?? Number.NaN
  const load = async (window?: LoadWindow) => {
    spin(400) // the run's start: forks, connections
    window?.begin()
    await sleep(1200) // the load: this process idle
    window?.end()
    spin(400) // the verification
    return 1
  }
  const windowed = await measureShares((w) => load(w), () => 1, stateDir)
  const whole = await measureShares(() => load(), () => 1, stateDir)
  assert.ok(windowed.shares.seconds >= 1.1 && windowed.shares.seconds < 2, `window of ${windowed.shares.seconds} s`)
  assert.ok(whole.shares.seconds >= 1.9, `whole run of ${whole.shares.seconds} s`)
  assert.ok(generator(windowed.shares) < generator(whole.shares), `window ${generator(windowed.shares)} % vs whole ${generator(whole.shares)} %`)
})
