/**
 * CPU and memory of the stack's processes during a load test, sampled from /proc (Linux):
 * each process counts with its descendants (Postgres serves every connection from a forked
 * backend), and a descendant that exits hands its CPU time to its parent's cutime/cstime, so
 * the sum over the tree only grows. The stack's pids come from its pid files.
 */
import { createHash } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'

/** Clock ticks per second of /proc/<pid>/stat times: USER_HZ, 100 on every Linux ABI Node runs on. */
const TICKS_PER_SECOND = 100

export interface StatLine {
  readonly pid: number
  readonly comm: string
  readonly ppid: number
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly cpuTicks: number
}

/** One /proc/<pid>/stat line. The command name is in parentheses and may itself hold spaces and ')'. */
export function parseStat(text: string): StatLine {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`)
  // Fields after the name, from field 3 (state) on: ppid is field 4, utime..cstime fields 14..17.
  const f = text.slice(close + 2).trim().split(' ')
  const field = (n: number) => Number(f[n - 3])
  const cpuTicks = field(14) + field(15) + field(16) + field(17)
  if (!Number.isFinite(cpuTicks)) throw new Error(`short /proc/<pid>/stat line: ${text.slice(0, 80)}`)
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), ppid: field(4), cpuTicks }
}

/** VmRSS of a /proc/<pid>/status text, in bytes (0 for a kernel thread or a zombie). */
export function parseRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  return m === null ? 0 : Number(m[1]) * 1024
}

/** Pss of a /proc/<pid>/smaps_rollup text, in bytes: resident memory with each shared page divided among the processes sharing it. */
export function parsePssBytes(rollup: string): number | undefined {
  const m = /^Pss:\s+(\d+)\s+kB$/m.exec(rollup)
  return m === null ? undefined : Number(m[1]) * 1024
}

export interface TreeSample {
  readonly cpuTicks: number
  readonly rssBytes: number
  /**
   * Proportional set size: what the tree holds, shared pages counted once across it (RSS counts
   * Postgres' shared buffers once per backend that touched them). RSS where smaps_rollup cannot be read.
   */
  readonly pssBytes: number
}

/** The CPU ticks and RSS of `pid` and all its descendants, or undefined when `pid` is gone. */
export async function sampleTree(pid: number, procRoot = '/proc'): Promise<TreeSample | undefined> {
  const read = (p: number, file: string) => readFile(join(procRoot, String(p), file), 'utf8')
  let cpuTicks = 0
  let rssBytes = 0
  let pssBytes = 0
  const pending = [pid]
  for (let p = pending.pop(); p !== undefined; p = pending.pop()) {
    try {
      const [stat, status, rollup] = await Promise.all([read(p, 'stat'), read(p, 'status'), read(p, 'smaps_rollup').catch(() => '')])
      cpuTicks += parseStat(stat).cpuTicks
      const rss = parseRssBytes(status)
      rssBytes += rss
      pssBytes += parsePssBytes(rollup) ?? rss
      const children = await read(p, `task/${p}/children`).catch(() => '')
      for (const c of children.split(' ')) if (c.trim() !== '') pending.push(Number(c))
    } catch (err) {
      if (p === pid) return undefined // the process itself is gone
      // A child that exited meanwhile is fine: its files are gone (ENOENT) or it is reaped mid-read (ESRCH).
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ESRCH') throw err
    }
  }
  return { cpuTicks, rssBytes, pssBytes }
}

export interface ProcessTarget {
  readonly name: string
  readonly pid: number
}

export interface ProcessStats extends ProcessTarget {
  /** Average over the run; 100 = one core busy. */
  readonly cpuPercent: number
  /** The busiest interval between two samples. */
  readonly cpuPercentMax: number
  readonly rssMb: number
  readonly rssMbMax: number
  /** The peak proportional set size (TreeSample.pssBytes); absent in summaries written before it was sampled. */
  readonly pssMbMax?: number
}

/**
 * The stack's processes from its pid files (`<stateDir>/run/*.pid`; Postgres' postmaster.pid
 * under `<stateDir>/postgres`, or where scripts/stack.sh puts it when the postgres user cannot
 * enter the state dir), alive ones only.
 */
export async function stackProcesses(stateDir: string, procRoot = '/proc'): Promise<ProcessTarget[]> {
  const runDir = join(stateDir, 'run')
  const files = (await readdir(runDir).catch(() => [] as string[])).filter((f) => f.endsWith('.pid')).sort()
  const candidates = files.map((f) => ({ name: basename(f, '.pid'), file: join(runDir, f) }))
  const hashed = createHash('md5').update(stateDir).digest('hex').slice(0, 8)
  for (const dir of [join(stateDir, 'postgres'), `/var/tmp/event-pipeline-${hashed}/postgres`]) {
    candidates.push({ name: 'postgres', file: join(dir, 'postmaster.pid') })
  }
  const out: ProcessTarget[] = []
  for (const { name, file } of candidates) {
    if (out.some((t) => t.name === name)) continue
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0])
    if (!Number.isSafeInteger(pid) || pid <= 0) continue
    if (await readFile(join(procRoot, String(pid), 'stat'), 'utf8').then(() => true, () => false)) out.push({ name, pid })
  }
  return out
}

export interface Point extends TreeSample {
  readonly atMs: number
}

export interface ProcessSampler {
  /** Stops sampling (one last sample first) and returns each process' figures. */
  stop(): Promise<ProcessStats[]>
}

/** Samples `targets` every `intervalMs` until stop(); resolves once the first sample is taken. */
export async function startProcessSampler(targets: readonly ProcessTarget[], o: { intervalMs?: number; procRoot?: string; clock?: () => number } = {}): Promise<ProcessSampler> {
  const clock = o.clock ?? (() => performance.now())
  const series = targets.map(() => [] as Point[])
  let sampling: Promise<void> = Promise.resolve()
  const sample = () => {
    sampling = sampling.then(async () => {
      const atMs = clock()
      // A process that cannot be read this time only misses this point; sampling goes on.
      const samples = await Promise.all(targets.map((t) => sampleTree(t.pid, o.procRoot).catch(() => undefined)))
      samples.forEach((s, i) => { if (s !== undefined) series[i]?.push({ ...s, atMs }) })
    })
  }
  sample()
  await sampling
  const timer = setInterval(sample, o.intervalMs ?? 1000)
  return {
    async stop() {
      clearInterval(timer)
      sample()
      await sampling
      return targets.flatMap((t, i) => {
        const s = series[i] ?? []
        return s.length < 2 ? [] : [{ ...t, ...summarise(s) }]
      })
    },
  }
}

const cpuPercent = (a: Point, b: Point) => (b.atMs > a.atMs ? ((b.cpuTicks - a.cpuTicks) / TICKS_PER_SECOND / ((b.atMs - a.atMs) / 1000)) * 100 : 0)
const round1 = (x: number) => Math.round(x * 10) / 10
const mb = (bytes: number) => bytes / (1024 * 1024)

/** Average and peak CPU % and RSS of one process' samples (at least two). */
export function summarise(s: readonly Point[]): Omit<ProcessStats, 'name' | 'pid'> {
  const first = s[0]
  const last = s.at(-1)
  if (first === undefined || last === undefined) throw new Error('no samples')
  let cpuMax = 0
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]
    const b = s[i]
    if (a !== undefined && b !== undefined) cpuMax = Math.max(cpuMax, cpuPercent(a, b))
  }
  const rss = s.map((p) => mb(p.rssBytes))
  return {
    cpuPercent: round1(cpuPercent(first, last)),
    cpuPercentMax: round1(cpuMax),
    rssMb: round1(rss.reduce((a, b) => a + b, 0) / rss.length),
    rssMbMax: round1(Math.max(...rss)),
    pssMbMax: round1(Math.max(...s.map((p) => mb(p.pssBytes)))),
  }
}
