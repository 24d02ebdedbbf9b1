/**
 * One load-test run: N logical clients (in --processes processes) send events at a fixed rate (open model), a live
 * progress line each second, then: wait for the sink to catch up, verify every acknowledged
 * event id in Postgres exactly once, and write results/load-test-<run>/{summary.json,
 * report.md, timeline.svg}. Used by the CLI (main.ts) and by the benchmarks.
 */
import { fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as hdr from 'hdr-histogram-js'
import pg from 'pg'
import { bearerHeader } from '../../../lib/src/api-keys/key.js'
import { resolveApiKey } from '../../../lib/src/api-keys/local.js'
import { parsePostgresConfig } from '../../../lib/src/config.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { renderMarkdown, type Counts, type RunSummary, type TimelinePoint } from '../report/markdown.js'
import { renderChart } from '../report/svg.js'
import type { Plan } from './args.js'
import type { Done, WorkerMessage } from './messages.js'
import { verify } from './verify.js'

const zero = (): Counts => ({ offered: 0, accepted: 0, throttled: 0, failed: 0, rejected: 0, skipped: 0 })
const add = (a: Counts, b: Counts): void => {
  for (const k of Object.keys(a) as (keyof Counts)[]) a[k] += b[k]
}

/** producer-api's latest lag reading (it reads every LAG_POLL_MS), with when that read began. */
async function readLag(url: string): Promise<{ lag: number; state: string; readAt: number } | undefined> {
  try {
    const res = await fetch(`${url}/health/lag`, { signal: AbortSignal.timeout(900) })
    const body = (await res.json()) as { total_lag: number; state: string; read_at: string | null }
    return body.read_at === null ? undefined : { lag: body.total_lag, state: body.state, readAt: Date.parse(body.read_at) }
  } catch {
    return undefined
  }
}

export class RunError extends Error {}

/**
 * Why producer-api refuses `apiKey` (the clients send PRODUCER_API_KEY, else the local key), or
 * undefined: an empty batch is checked for its key before its body, and writes nothing.
 */
async function refusedKey(url: string, apiKey: string | undefined): Promise<string | undefined> {
  const res = await fetch(`${url}/events/batch`, {
    method: 'POST', body: '{"events":[]}', signal: AbortSignal.timeout(5000),
    headers: { 'content-type': 'application/json', ...bearerHeader(apiKey) },
  })
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string }
  return res.status === 401 ? `${body.code ?? 401}: ${body.detail ?? ''}` : undefined
}

/**
 * Runs the plan; resolves with the summary (also written to disk), rejects with RunError.
 * `window`: told when the load starts (the first request is due) and when the sink has drained
 * it, for a caller that measures only that part (../bench/shares.ts).
 */
export async function runLoadTest(plan: Plan, window?: { begin(): void; end(): void }): Promise<RunSummary & { readonly reportFile: string }> {
  const ready = await fetch(`${plan.url}/health/ready`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false)
  if (!ready) throw new RunError(`producer-api is not ready at ${plan.url} (start the pipeline with \`npm start\`, or pass --url)`)
  const refused = await refusedKey(plan.url, resolveApiKey(process.env))
  if (refused !== undefined) throw new RunError(`producer-api refuses the API key (${refused}): set PRODUCER_API_KEY, or run \`npm start\` for the local key`)
  const target = (plan.clients * plan.eventsPerMinute) / 60
  const processes = Math.min(plan.processes, plan.clients)
  console.log(`load-test:parallel ${plan.runId}: ${plan.clients} clients × ${plan.eventsPerMinute}/min = ${Math.round(target)} events/s for ${plan.seconds} s → ${plan.url}` +
    ` (${processes} client process${processes === 1 ? '' : 'es'})`)

  let startAt = Number.POSITIVE_INFINITY
  const all = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 })
  const perSecond = new Map<number, { counts: Counts; histogram: hdr.Histogram }>()
  const perClient = new Map<number, Counts>()
  const done: Done[] = []
  const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url))
  // The logical clients, round robin over the processes. Start the clock once every process has
  // loaded and every client opened its connections (their first requests would otherwise queue up).
  const groups: number[][] = Array.from({ length: processes }, () => [])
  for (let index = 1; index <= plan.clients; index++) groups[(index - 1) % processes]?.push(index)
  const children = groups.map(() =>
    fork(workerPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
  const phase = (type: 'ready' | 'warm') => Promise.all(children.map((child, p) => new Promise<void>((resolve, reject) => {
    let expected = type === 'ready' ? 1 : (groups[p] ?? []).length
    const onMessage = (m: WorkerMessage) => {
      if (m.type !== type || --expected > 0) return
      child.off('message', onMessage)
      resolve()
    }
    child.on('message', onMessage)
    child.once('exit', (code) => reject(new Error(`a client process exited while starting (code ${code})`)))
  })))
  await phase('ready')
  const warm = phase('warm')
  children.forEach((child, p) => child.send({
    clients: (groups[p] ?? []).map((index) => ({ index, url: plan.url, eventsPerMinute: plan.eventsPerMinute, seconds: plan.seconds, batchSize: plan.batchSize, connections: plan.connections, maxOutstanding: plan.maxOutstanding, runId: plan.runId })),
  }))
  await warm
  startAt = Date.now() + 200
  for (const child of children) child.send({ type: 'start', startAt })
  setTimeout(() => window?.begin(), startAt - Date.now())
  const exits = children.map((child) => new Promise<number | null>((resolve) => {
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready' || m.type === 'warm') return
      if (m.type === 'done') {
        done.push(m)
        return
      }
      // Each tick covers the second before it arrived; bucket it by its arrival second.
      const second = Math.max(0, Math.floor((Date.now() - startAt) / 1000))
      const bucket = perSecond.get(second) ?? { counts: zero(), histogram: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 2 }) }
      const counts = { offered: m.offered, accepted: m.accepted, throttled: m.throttled, failed: m.failed, rejected: m.rejected, skipped: m.skipped }
      add(bucket.counts, counts)
      for (const ms of m.latencies) {
        bucket.histogram.recordValue(Math.max(1, ms))
        all.recordValue(Math.max(1, ms))
      }
      perSecond.set(second, bucket)
      const c = perClient.get(m.index) ?? zero()
      add(c, counts)
      perClient.set(m.index, c)
    })
    child.on('exit', (code) => resolve(code))
  }))

  const lags = new Map<number, number>()
  const tty = process.stdout.isTTY
  const progress = setInterval(() => {
    void readLag(plan.url).then((lag) => {
      const second = Math.floor((Date.now() - startAt) / 1000)
      if (lag) lags.set(second, lag.lag)
      const last = perSecond.get(second - 1)
      const totals = zero()
      for (const b of perSecond.values()) add(totals, b.counts)
      const line = `[${String(Math.max(0, second)).padStart(4)}/${plan.seconds} s] sent ${totals.offered - totals.skipped} accepted ${totals.accepted}` +
        ` throttled ${totals.throttled} failed ${totals.failed}` +
        ` | rate ${last?.counts.accepted ?? 0}/s p50 ${last?.histogram.getValueAtPercentile(50) ?? 0} ms p99 ${last?.histogram.getValueAtPercentile(99) ?? 0} ms` +
        ` | lag ${lag ? `${lag.lag} (${lag.state})` : 'unknown'}`
      if (tty) process.stdout.write(`\r${line.padEnd(140)}`)
      else if (second % 5 === 0) console.log(line)
    })
  }, 1000)
  const codes = await Promise.all(exits)
  clearInterval(progress)
  if (tty) process.stdout.write('\n')
  if (codes.some((c) => c !== 0) || done.length !== plan.clients) throw new RunError(`a client process failed (exit codes ${codes.join(', ')})`)

  const lastRequestAt = Math.max(...done.map((d) => d.lastCompletedAt))
  let drainedAt: number | undefined
  const drainDeadline = Date.now() + plan.drainTimeoutSeconds * 1000
  while (Date.now() < drainDeadline) {
    const lag = await readLag(plan.url)
    // Zero lag counts only from a read begun after the last acknowledgement: an older one (up
    // to a poll interval old) says nothing about the last events, and verifying then finds them
    // "lost" while the sink is still writing them.
    if (lag !== undefined && lag.lag === 0 && lag.readAt > lastRequestAt) {
      drainedAt = Date.now()
      break
    }
    process.stdout.write(`\r  waiting for the sink to catch up: lag ${lag?.lag ?? 'unknown'}   `)
    await new Promise((r) => setTimeout(r, 100))
  }
  window?.end()
  const drainMs = drainedAt === undefined ? null : Math.max(0, drainedAt - lastRequestAt)
  console.log(drainMs === null ? '\n  the sink did not catch up in time' : `  sink caught up ${drainMs} ms after the last request`)

  const pool = new pg.Pool({ connectionString: parsePostgresConfig(process.env).url, max: 2 })
  const verified = await verify(pool, done).finally(() => pool.end())
  const totals = zero()
  for (const c of perClient.values()) add(totals, c)
  const seconds = Math.max(1, (lastRequestAt - startAt) / 1000)
  const lost = verified.reduce((s, c) => s + c.lost, 0)
  const duplicated = verified.reduce((s, c) => s + c.duplicated, 0)
  const timeline: TimelinePoint[] = [...perSecond.entries()].sort(([a], [b]) => a - b).map(([second, b]) => ({
    second, ...b.counts, p50: b.histogram.getValueAtPercentile(50), p99: b.histogram.getValueAtPercentile(99), lag: lags.get(second) ?? null,
  }))
  const summary: RunSummary = {
    runId: plan.runId,
    plan,
    startedAt: new Date(startAt).toISOString(),
    durationSeconds: seconds,
    totals,
    acceptedPerSecond: totals.accepted / seconds,
    latencyMs: {
      p50: all.getValueAtPercentile(50), p90: all.getValueAtPercentile(90), p99: all.getValueAtPercentile(99),
      p999: all.getValueAtPercentile(99.9), max: Math.round(all.maxValue),
    },
    drainMs,
    clients: verified.map((v) => ({ ...v, counts: perClient.get(v.index) ?? zero() })),
    verification: { lost, duplicated, unackedPresent: verified.reduce((s, c) => s + c.unackedPresent, 0), ok: lost === 0 && duplicated === 0 && drainMs !== null },
    timeline,
  }

  const dir = join(PROJECT_ROOT, 'results', `load-test-${plan.runId}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2))
  writeFileSync(join(dir, 'report.md'), renderMarkdown(summary))
  writeFileSync(join(dir, 'timeline.svg'), renderChart(`load-test:parallel ${plan.runId}`, [
    { title: 'Rate', unit: 'events/s', series: [
      { name: 'offered', color: '#888', points: timeline.map((p) => [p.second, p.offered]) },
      { name: 'accepted', color: '#1f77b4', points: timeline.map((p) => [p.second, p.accepted]) },
      { name: 'throttled', color: '#d62728', points: timeline.map((p) => [p.second, p.throttled]) },
    ] },
    { title: 'Consumer lag', unit: 'records', series: [
      { name: 'events-pg-sink', color: '#9467bd', points: [...lags.entries()].sort(([a], [b]) => a - b).map(([sec, l]) => [sec, l]) },
    ] },
    { title: 'Latency', unit: 'ms', series: [
      { name: 'p50', color: '#2ca02c', points: timeline.map((p) => [p.second, p.p50]) },
      { name: 'p99', color: '#ff7f0e', points: timeline.map((p) => [p.second, p.p99]) },
    ] },
  ]))

  console.table({
    'target events/s': Math.round(target),
    'acknowledged events/s': Math.round(summary.acceptedPerSecond),
    'accepted / throttled / failed': `${totals.accepted} / ${totals.throttled} / ${totals.failed}`,
    'latency p50 / p99 / max (ms)': `${summary.latencyMs.p50} / ${summary.latencyMs.p99} / ${summary.latencyMs.max}`,
    'drain after last request (ms)': drainMs ?? 'timed out',
    'lost / duplicated': `${lost} / ${duplicated}`,
    'unacknowledged but stored': summary.verification.unackedPresent,
  })
  console.log(`${summary.verification.ok ? 'PASS' : 'FAIL'} — report: ${join(dir, 'report.md')}`)
  return { ...summary, reportFile: join(dir, 'report.md') }
}

