/**
 * Where a benchmark's CPU and memory went: every process of the stack (from its pid files) and
 * the load generator (this process, with its children), sampled from /proc around one run. With
 * everything on the same two cores a figure means little without the generator's share beside
 * it, and CPU per event is the budget the pipeline is judged by (docs/performance.md).
 */
import { join } from 'node:path'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { sampleTree, stackProcesses, startProcessSampler, type ProcessSampler, type ProcessStats, type ProcessTarget } from '../procstat.js'

export const LOAD_GENERATOR = 'load-generator'

export interface ProcessShare {
  readonly name: string
  /** Cores busy on average over the run: 100 = one core. */
  readonly cpuPercent: number
  /** CPU per event (or per request) over the run, in microseconds; null when nothing was counted. */
  readonly cpuMicrosPerEvent: number | null
  /** Peak memory over the run: resident, and proportional (shared pages counted once across the tree). */
  readonly rssMbMax: number
  readonly pssMbMax: number
}

export interface Shares {
  readonly seconds: number
  readonly processes: readonly ProcessShare[]
}

async function targets(stateDir: string): Promise<ProcessTarget[]> {
  return [...await stackProcesses(stateDir), { name: LOAD_GENERATOR, pid: process.pid }]
}

/**
 * The part of a run its CPU figures cover: from `begin` (the load starts) to `end` (the pipeline
 * has drained it). A run that never calls them is measured whole.
 */
export interface LoadWindow {
  begin(): void
  end(): void
}

/**
 * Runs `run` while sampling; `events(result)` is what it moved (events stored, requests
 * answered), which CPU per event divides by. CPU covers the run's load window when it marks one
 * (load-test:parallel marks its first due request and the end of the drain, so neither forking
 * its clients nor the verification in Postgres counts), else the whole run; peak memory always
 * covers the whole run.
 */
export async function measureShares<T>(run: (window: LoadWindow) => Promise<T>, events: (result: T) => number, stateDir = join(PROJECT_ROOT, '.local')): Promise<{ result: T; shares: Shares }> {
  const processes = await targets(stateDir)
  const whole = await startProcessSampler(processes)
  const started = performance.now()
  let window: { readonly sampler: Promise<ProcessSampler>; readonly started: number; ended?: { readonly stats: Promise<ProcessStats[]>; readonly seconds: number } } | undefined
  const marks: LoadWindow = {
    begin() { window ??= { sampler: startProcessSampler(processes), started: performance.now() } },
    end() {
      if (window === undefined || window.ended !== undefined) return
      window.ended = { stats: window.sampler.then((s) => s.stop()), seconds: (performance.now() - window.started) / 1000 }
    },
  }
  const result = await run(marks).catch(async (err: unknown) => {
    marks.end()
    await window?.ended?.stats
    await whole.stop()
    throw err
  })
  marks.end()
  const all = await whole.stop()
  const windowed = window?.ended
  if (windowed === undefined) return { result, shares: sharesOf(all, (performance.now() - started) / 1000, events(result)) }
  // CPU from the window, memory peaks from the whole run.
  const peaks = new Map(all.map((s) => [s.name, s]))
  const stats = (await windowed.stats).map((s) => {
    const peak = peaks.get(s.name)
    return { ...s, rssMbMax: Math.max(s.rssMbMax, peak?.rssMbMax ?? 0), pssMbMax: Math.max(s.pssMbMax ?? 0, peak?.pssMbMax ?? 0) }
  })
  return { result, shares: sharesOf(stats, windowed.seconds, events(result)) }
}

export function sharesOf(stats: readonly ProcessStats[], seconds: number, events: number): Shares {
  const perEvent = (cpuPercent: number) => (events > 0 ? Math.round((cpuPercent / 100) * seconds * 1e6 / events * 10) / 10 : null)
  return {
    seconds: Math.round(seconds * 10) / 10,
    processes: stats.map((s) => ({ name: s.name, cpuPercent: s.cpuPercent, cpuMicrosPerEvent: perEvent(s.cpuPercent), rssMbMax: s.rssMbMax, pssMbMax: s.pssMbMax ?? s.rssMbMax })),
  }
}

/** One process' share: "producer-api 61 % (26 µs)". */
export function formatShare(p: ProcessShare): string {
  return `${p.name} ${p.cpuPercent} %${p.cpuMicrosPerEvent === null ? '' : ` (${p.cpuMicrosPerEvent} µs)`}`
}

/** One line for the console: each process' cores and µs per event, the stack's total, the generator apart. */
export function formatShares(shares: Shares): string {
  const stack = shares.processes.filter((p) => p.name !== LOAD_GENERATOR)
  const generator = shares.processes.find((p) => p.name === LOAD_GENERATOR)
  const total = stack.reduce((s, p) => s + (p.cpuMicrosPerEvent ?? 0), 0)
  return `CPU per event: ${stack.map(formatShare).join(', ')}; stack ${Math.round(total * 10) / 10} µs/event` +
    (generator === undefined ? '' : `; ${formatShare(generator)}`)
}

export interface Memory {
  readonly rssMb: number
  readonly pssMb: number
}

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10

/** The memory of every process of the stack now (idle, before the benchmarks). */
export async function residentMemory(stateDir = join(PROJECT_ROOT, '.local')): Promise<Record<string, Memory>> {
  const out: Record<string, Memory> = {}
  for (const t of await stackProcesses(stateDir)) {
    const s = await sampleTree(t.pid).catch(() => undefined)
    if (s !== undefined) out[t.name] = { rssMb: mb(s.rssBytes), pssMb: mb(s.pssBytes) }
  }
  return out
}

/**
 * The memory report: each process idle and at its peak under load, summed, against the node
 * the product is sized for. PSS is the figure to add up (RSS counts Postgres' shared buffers
 * once per backend); RSS beside it is what a container's limit sees of a single process.
 */
export function memoryReport(idle: Readonly<Record<string, Memory>>, loaded: Readonly<Record<string, Memory>>, nodeMb = 4096) {
  const names = [...new Set([...Object.keys(idle), ...Object.keys(loaded)])].sort()
  const rows = names.map((name) => ({ name, idle: idle[name] ?? null, loaded: loaded[name] ?? null }))
  const sum = (pick: (r: typeof rows[number]) => number | undefined) => Math.round(rows.reduce((s, r) => s + (pick(r) ?? 0), 0))
  return {
    nodeMb, rows,
    idlePssMb: sum((r) => r.idle?.pssMb), loadedPssMb: sum((r) => r.loaded?.pssMb),
    idleRssMb: sum((r) => r.idle?.rssMb), loadedRssMb: sum((r) => r.loaded?.rssMb),
  }
}

/** Markdown table of memoryReport. */
export function memoryMarkdown(m: ReturnType<typeof memoryReport>, loadName: string): string[] {
  const cell = (x: Memory | null) => (x === null ? 'n/a | n/a' : `${x.pssMb} | ${x.rssMb}`)
  return [
    `| process | idle PSS MB | idle RSS MB | ${loadName} peak PSS MB | ${loadName} peak RSS MB |`, '| --- | ---: | ---: | ---: | ---: |',
    ...m.rows.map((r) => `| ${r.name} | ${cell(r.idle)} | ${cell(r.loaded)} |`),
    `| **total** (of a ${m.nodeMb.toLocaleString('en')} MB node) | ${m.idlePssMb} | ${m.idleRssMb} | ${m.loadedPssMb} | ${m.loadedRssMb} |`,
    '', 'PSS from /proc/<pid>/smaps_rollup; where it cannot be read (another user\'s process, without root), RSS stands in.',
  ]
}
