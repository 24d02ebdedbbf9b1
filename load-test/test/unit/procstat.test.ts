import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parsePssBytes, parseRssBytes, parseStat, sampleTree, stackProcesses, startProcessSampler, summarise } from '../../src/procstat.js'

// A real line (Postgres backend) with the name made awkward: spaces and a ')' inside it.
const STAT = '3159 (postgres: a) b) S 3158 3158 3158 0 -1 4194368 137 0 0 0 12 34 5 6 20 0 1 0 1084 226979840 1680 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0'

test('parseStat: pid, name (with spaces and parentheses), ppid and utime+stime+cutime+cstime', () => {
  assert.deepEqual(parseStat(STAT), { pid: 3159, comm: 'postgres: a) b', ppid: 3158, cpuTicks: 12 + 34 + 5 + 6 })
  assert.throws(() => parseStat('garbage'), /not a \/proc/)
  assert.throws(() => parseStat('1 (x) S 0 1'), /short/)
})

test('parseRssBytes: VmRSS in kB; none for a kernel thread', () => {
  assert.equal(parseRssBytes('Name:\tnode\nVmPeak:\t  9 kB\nVmRSS:\t   73416 kB\nRssAnon: 1 kB\n'), 73416 * 1024)
  assert.equal(parseRssBytes('Name:\tkthreadd\nState:\tS\n'), 0)
})

test('parsePssBytes: Pss of smaps_rollup in kB; none when the file has no Pss line', () => {
  assert.equal(parsePssBytes('55d0-7ffd ---p 00000000 00:00 0  [rollup]\nRss:\t1688 kB\nPss:\t 239 kB\nPss_Dirty:\t116 kB\n'), 239 * 1024)
  assert.equal(parsePssBytes(''), undefined)
})

function fakeProc(t: { after: (fn: () => void) => void }, procs: Record<number, { ticks: number; rssKb: number; pssKb?: number; children?: number[] }>): string {
  const root = mkdtempSync(join(tmpdir(), 'procstat-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  for (const [pid, p] of Object.entries(procs)) {
    mkdirSync(join(root, pid, 'task', pid), { recursive: true })
    writeFileSync(join(root, pid, 'stat'), `${pid} (p) S 1 ${Array.from({ length: 9 }, () => 0).join(' ')} ${p.ticks} 0 0 0 20 0 1 0`)
    writeFileSync(join(root, pid, 'status'), `Name:\tp\nVmRSS:\t${p.rssKb} kB\n`)
    if (p.pssKb !== undefined) writeFileSync(join(root, pid, 'smaps_rollup'), `00-ff ---p 0 00:00 0 [rollup]\nRss:\t${p.rssKb} kB\nPss:\t${p.pssKb} kB\n`)
    writeFileSync(join(root, pid, 'task', pid, 'children'), (p.children ?? []).map((c) => `${c} `).join(''))
  }
  return root
}

test('sampleTree: a process and its descendants (PSS where smaps_rollup has it, else RSS); a child gone meanwhile is skipped; a gone process is undefined', async (t) => {
  const root = fakeProc(t, { 10: { ticks: 100, rssKb: 1000, pssKb: 600, children: [11, 12, 99] }, 11: { ticks: 5, rssKb: 10, pssKb: 4, children: [13] }, 12: { ticks: 7, rssKb: 20 }, 13: { ticks: 1, rssKb: 1 } })
  assert.deepEqual(await sampleTree(10, root), { cpuTicks: 113, rssBytes: 1031 * 1024, pssBytes: (600 + 4 + 20 + 1) * 1024 })
  assert.equal(await sampleTree(42, root), undefined)
})

test('stackProcesses: the pid files of live processes, Postgres from its postmaster.pid', async (t) => {
  const root = fakeProc(t, { 10: { ticks: 0, rssKb: 0 }, 20: { ticks: 0, rssKb: 0 } })
  const state = mkdtempSync(join(tmpdir(), 'state-'))
  t.after(() => rmSync(state, { recursive: true, force: true }))
  mkdirSync(join(state, 'run'))
  mkdirSync(join(state, 'postgres'))
  writeFileSync(join(state, 'run', 'query-api.pid'), '10\n')
  writeFileSync(join(state, 'run', 'stale.pid'), '77\n')
  writeFileSync(join(state, 'run', 'notes.txt'), '20\n')
  writeFileSync(join(state, 'postgres', 'postmaster.pid'), '20\n/data\n1700000000\n5432\n')
  assert.deepEqual(await stackProcesses(state, root), [{ name: 'query-api', pid: 10 }, { name: 'postgres', pid: 20 }])
})

test('summarise: average CPU over the run, the busiest interval, RSS average and peak (100 % = one core)', () => {
  const mib = 1024 * 1024
  const s = summarise([
    { atMs: 0, cpuTicks: 0, rssBytes: 100 * mib, pssBytes: 80 * mib },
    { atMs: 1000, cpuTicks: 50, rssBytes: 200 * mib, pssBytes: 150 * mib },
    { atMs: 2000, cpuTicks: 200, rssBytes: 300 * mib, pssBytes: 120 * mib },
  ])
  assert.deepEqual(s, { cpuPercent: 100, cpuPercentMax: 150, rssMb: 200, rssMbMax: 300, pssMbMax: 150 })
})

test('startProcessSampler: samples this process from the real /proc', async () => {
  const sampler = await startProcessSampler([{ name: 'self', pid: process.pid }], { intervalMs: 50 })
  const until = Date.now() + 200
  while (Date.now() < until) Math.sqrt(Math.random()) // some CPU to see
  await new Promise((r) => setTimeout(r, 100))
  const [self] = await sampler.stop()
  assert.equal(self?.name, 'self')
  assert.ok((self?.cpuPercent ?? 0) > 0, 'busy: CPU above 0')
  assert.ok((self?.rssMb ?? 0) > 10, 'a Node process has some RSS')
})
