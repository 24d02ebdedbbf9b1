/**
 * One run of one of the old system's read scenarios (baseline, normal, high, stress,
 * realistic; load-test/k6/lib/scenarios.js) against a running query-api: closed model (VUs) or
 * open model (a fixed offered rate, latency from each request's due time), with a timeline
 * per second, query-api's cache hit rate from its counters, and the CPU and memory of every
 * process of the stack. Returns the summary; writeReadResults puts it on disk.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULTS, SCENARIO_NAMES, createRandom, createUserPicker, hitRate, resolveScenario, type ResolvedScenario, type ScenarioName } from '../../k6/lib/scenarios.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { stackProcesses, startProcessSampler } from '../procstat.js'
import { cacheDelta, scrapeCacheCounters, type CacheCounters } from './cache-counters.js'
import { runClosedLoop } from './closed-loop.js'
import { createRepeatCounter } from './repeats.js'
import { createUserDataDriver, type UserDataDriver } from './http-driver.js'
import { runOpenLoop } from './open-loop.js'
import { DROPPED, createRecorder, type Recorder } from './recorder.js'
import { renderReadReport } from './report-md.js'
import { createSigner } from './signer.js'
import { constantArrivals, rampingArrivals } from './stages.js'
import { machine, stagesOf, type ReadSummary, type TimelinePoint } from './summary.js'

/** The stack is not there or refuses us: nothing was measured. */
export class ReadSetupError extends Error {}

export interface ReadRunOptions {
  readonly scenario: ScenarioName
  readonly queryUrl: string
  /** query-api's QUERY_SIGNING_SECRET. */
  readonly secret: string
  /** How many user ids (MAX_USER_ID); default 10,000,000. */
  readonly users?: number
  /** The first of them (default 1): the run reads firstUser..firstUser + users - 1. */
  readonly firstUser?: number
  readonly durationSeconds?: number
  /** Requests/s: the open model (always for realistic). */
  readonly rate?: number
  readonly vus?: number
  readonly zipfS?: number
  readonly legacy?: boolean
  /** The first seconds, kept in the timeline but left out of the totals. */
  readonly warmupSeconds?: number
  /** Seed of the user draws (default: a random one, recorded in the summary); each scenario draws its own stream of it. */
  readonly seed?: number
  /** HTTP connections (default: the VUs in the closed model, 64 in the open one). */
  readonly connections?: number
  /** Open model: requests in flight beyond which a due request is counted as dropped (default 50,000). */
  readonly maxInFlight?: number
  readonly timeoutMs?: number
  /** The stack's state dir (pid files under run/); default <project>/.local. */
  readonly stateDir?: string
  /** Progress and notes; default silent. */
  readonly log?: (line: string) => void
}

const PROGRESS_EVERY_SECONDS = 5
const OPEN_CONNECTIONS = 64
const DEFAULT_TIMEOUT_MS = 10_000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

/** /health/ready answers 200 and a signed read of the first user is not refused. */
async function checkStack(o: ReadRunOptions, firstUser: number, log: (line: string) => void): Promise<void> {
  const ready = await fetch(`${o.queryUrl}/health/ready`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0)
  if (ready !== 200) throw new ReadSetupError(`query-api is not ready at ${o.queryUrl} (${ready === 0 ? 'no answer' : `status ${ready}`}): start the pipeline with \`npm start\``)
  const flat = createSigner(o.secret, o.legacy ?? false)(firstUser, Date.now())
  const headers: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) headers[flat[i] ?? ''] = flat[i + 1] ?? ''
  const probe = await fetch(`${o.queryUrl}/api/user-data`, { headers, signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0)
  if (probe === 401 || probe === 403) {
    throw new ReadSetupError(`query-api refuses our signatures (${probe}): ${o.legacy === true ? 'legacy signatures need QUERY_LEGACY_SIGNATURES=true' : 'is QUERY_SIGNING_SECRET the same here and there?'}`)
  }
  if (probe === 404) log(`note: user ${firstUser} is unknown to query-api (404 counts as an error): load the users first (npm run generate:test-data N)`)
  else if (probe !== 200) log(`note: a probe read of user ${firstUser} answered ${probe || 'nothing'}`)
}

/** Opens the pool's connections before the clock starts, so connecting is not measured. */
async function warmConnections(driver: UserDataDriver, userId: number, connections: number): Promise<void> {
  await Promise.all(Array.from({ length: connections }, () => new Promise<void>((resolve) => driver.send(userId, 0, () => resolve()))))
}

interface Timeline {
  readonly points: TimelinePoint[]
  /** Closes the last (partial) second, takes the last scrape and returns the counters at the warm-up's end and now. */
  finish(): Promise<{ warm: CacheCounters | undefined; last: CacheCounters | undefined }>
}

/** Each second: the recorder's figures, and query-api's hit rate between this scrape and the one before. */
function startTimeline(o: {
  readonly recorder: Recorder; readonly queryUrl: string; readonly startAt: number; readonly warmupSeconds: number
  readonly initial: CacheCounters | undefined; readonly log: (line: string) => void
}): Timeline {
  const points: TimelinePoint[] = []
  let previous = o.initial
  let warm = o.warmupSeconds === 0 ? o.initial : undefined
  let scrapes: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const close = (t: number) => {
    const point = { t, ...o.recorder.closeSecond(), hitRate: null as number | null }
    points.push(point)
    scrapes = scrapes.then(async () => {
      const now = await scrapeCacheCounters(o.queryUrl)
      if (now !== undefined && previous !== undefined) point.hitRate = hitRate(cacheDelta(previous, now))
      previous = now ?? previous
    })
    if (t % PROGRESS_EVERY_SECONDS === 0) {
      const recent = points.slice(-PROGRESS_EVERY_SECONDS)
      const requests = recent.reduce((s, p) => s + p.requests, 0)
      const errors = recent.reduce((s, p) => s + p.errors, 0)
      o.log(`${String(t).padStart(5)} s  ${Math.round(requests / recent.length).toLocaleString('en-US').padStart(7)} req/s  p99 ${Math.max(...recent.map((p) => p.p99 ?? 0))} ms  errors ${errors}`)
    }
  }
  const schedule = (t: number) => {
    timer = setTimeout(() => {
      close(t)
      schedule(t + 1)
    }, Math.max(0, o.startAt + t * 1000 - performance.now()))
  }
  schedule(1)
  // The counters at the end of the warm-up, which need not fall on a whole second.
  const warmTimer = o.warmupSeconds === 0 ? undefined : setTimeout(() => {
    scrapes = scrapes.then(async () => { warm = await scrapeCacheCounters(o.queryUrl) })
  }, Math.max(0, o.startAt + o.warmupSeconds * 1000 - performance.now()))
  return {
    points,
    async finish() {
      clearTimeout(timer)
      clearTimeout(warmTimer)
      const t = Math.max((points.at(-1)?.t ?? 0) + 1, Math.ceil((performance.now() - o.startAt) / 1000))
      close(t)
      await scrapes
      return { warm, last: previous }
    },
  }
}

async function drain(driver: UserDataDriver, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs + 2000
  while (driver.inFlight > 0 && performance.now() < deadline) await sleep(20)
}

function runLoad(plan: ResolvedScenario, o: { driver: UserDataDriver; recorder: Recorder; pick: () => number; startAt: number; maxInFlight: number }): Promise<void> {
  const { driver, recorder, pick } = o
  const clock = () => performance.now()
  const record = (status: number, sentAt: number) => recorder.record(sentAt, clock(), status)
  if (plan.model === 'open') {
    const schedule = plan.stages !== undefined ? rampingArrivals(plan.stages) : constantArrivals(plan.rate, plan.durationSeconds)
    return runOpenLoop({
      schedule, startAt: o.startAt, clock,
      fire: (dueAt) => (driver.inFlight >= o.maxInFlight ? recorder.record(dueAt, clock(), DROPPED) : driver.send(pick(), dueAt, record)),
    })
  }
  return runClosedLoop({
    vus: plan.vus, ...(plan.stages !== undefined ? { stages: plan.stages } : {}), startAt: o.startAt, durationMs: plan.durationSeconds * 1000, clock,
    iterate: (done) => driver.send(pick(), clock(), (status, sentAt) => {
      record(status, sentAt)
      done()
    }),
  })
}

/** The HTTP connections a run uses: --connections, else one per VU (closed) or 64 (open). */
export function readRunConnections(o: ReadRunOptions): number {
  const plan = resolveScenario(o.scenario, { durationSeconds: o.durationSeconds, vus: o.vus, rate: o.rate, zipfS: o.zipfS })
  return o.connections ?? (plan.model === 'closed' ? plan.vus : OPEN_CONNECTIONS)
}

export async function runReadScenario(o: ReadRunOptions): Promise<ReadSummary> {
  const log = o.log ?? (() => undefined)
  const plan = resolveScenario(o.scenario, { durationSeconds: o.durationSeconds, vus: o.vus, rate: o.rate, zipfS: o.zipfS })
  const users = o.users ?? DEFAULTS.maxUserId
  const firstUser = o.firstUser ?? 1
  const warmupSeconds = o.warmupSeconds ?? 0
  if (warmupSeconds >= plan.durationSeconds) throw new RangeError(`the warm-up (${warmupSeconds} s) must be shorter than the run (${plan.durationSeconds} s)`)
  const seed = o.seed ?? 1 + Math.floor(Math.random() * 2 ** 31)
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const connections = readRunConnections(o)
  const legacy = o.legacy ?? false
  await checkStack(o, firstUser, log)

  // Each scenario its own stream of the seed: one seed for a run of several scenarios must not
  // make the second read exactly the users the first just put in the cache.
  const random = createRandom(seed, SCENARIO_NAMES.indexOf(plan.name))
  const pick = createUserPicker({ users, firstUserId: firstUser, distribution: plan.users, zipfS: plan.zipfS, random })
  const driver = createUserDataDriver({ queryUrl: o.queryUrl, connections, timeoutMs, signer: createSigner(o.secret, legacy) })
  try {
    await warmConnections(driver, firstUser, connections)
    const targets = [...await stackProcesses(o.stateDir ?? join(PROJECT_ROOT, '.local')), { name: 'load-generator', pid: process.pid }]
    const sampler = await startProcessSampler(targets)
    const initial = await scrapeCacheCounters(o.queryUrl)
    if (initial === undefined) log('note: query-api /metrics does not answer: no cache hit rate')
    const startAt = performance.now() + 20
    const startedAt = new Date(Date.now() + 20).toISOString()
    const countFrom = startAt + warmupSeconds * 1000
    const recorder = createRecorder(countFrom)
    const repeats = createRepeatCounter(firstUser, users)
    const pickCounted = (): number => {
      const id = pick()
      repeats.see(id, performance.now() >= countFrom)
      return id
    }
    const timeline = startTimeline({ recorder, queryUrl: o.queryUrl, startAt, warmupSeconds, initial, log })
    await runLoad(plan, { driver, recorder, pick: pickCounted, startAt, maxInFlight: o.maxInFlight ?? 50_000 })
    await drain(driver, timeoutMs)
    const counters = await timeline.finish()
    const endedAt = new Date().toISOString()
    const processes = await sampler.stop()

    const t = recorder.totals()
    const cache = counters.warm !== undefined && counters.last !== undefined ? cacheDelta(counters.warm, counters.last) : {}
    const measuredSeconds = plan.durationSeconds - warmupSeconds
    return {
      kind: 'load-test-read', version: 1, scenario: plan.name, model: plan.model, startedAt, endedAt,
      params: {
        users, durationSeconds: plan.durationSeconds, warmupSeconds,
        ...(plan.model === 'closed' ? { vus: plan.vus } : {}),
        ...(plan.stages !== undefined ? { stages: stagesOf(plan.stages) } : {}),
        ...(plan.model === 'open' ? { rate: plan.rate } : {}),
        ...(plan.zipfS !== undefined ? { zipfS: plan.zipfS } : {}),
        legacySignatures: legacy, seed, queryUrl: o.queryUrl, firstUser, connections,
      },
      machine: machine(),
      totals: {
        requests: t.requests, requestsPerSecond: round(t.answered / measuredSeconds), statuses: t.statuses, errors: t.errors,
        errorRate: t.requests > 0 ? round(t.errors / t.requests, 6) : 0, latencyMs: t.latencyMs, cache, hitRate: hitRate(cache),
        repeatRate: repeats.rate === null ? null : round(repeats.rate, 4),
      },
      timeline: timeline.points,
      processes,
    }
  } finally {
    await driver.close()
  }
}

/** results/load-test-read-<stamp>-<scenario>/{summary.json,report.md}; returns the folder. */
export function writeReadResults(summary: ReadSummary, o: { readonly stamp: string; readonly resultsDir?: string }): string {
  const dir = join(o.resultsDir ?? join(PROJECT_ROOT, 'results'), `load-test-read-${o.stamp}-${summary.scenario}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)
  writeFileSync(join(dir, 'report.md'), renderReadReport(summary))
  return dir
}
