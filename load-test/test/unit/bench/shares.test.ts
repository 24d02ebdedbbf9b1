import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ProcessStats } from '../../../src/procstat.js'
import { formatShares, memoryMarkdown, memoryReport, sharesOf } from '../../../src/bench/shares.js'

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
