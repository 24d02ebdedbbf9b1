/**
 * Several copies of one stateless HTTP service on one port, for a service that is CPU-bound on
 * a machine of more than one core (node:cluster: the primary owns the listening socket and
 * hands each new connection to the next worker in turn). The primary runs no application code:
 * it forks the workers, replaces one that dies (unless they die too often: then it stops, and
 * its supervisor's backoff takes over, as for any crashed service), serves the workers' requests
 * for the metrics of all of them, and on SIGTERM or SIGINT stops them all and waits.
 *
 * A worker leaves SIGINT to the primary (a Ctrl-C reaches the whole process group, and a second
 * signal would cut a worker's drain short): see `workerSignals`. A worker whose primary is gone
 * (kill -9) exits at once, as node:cluster makes it.
 */
import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry, type Registry } from 'prom-client'
import type { Logger } from './logger.js'

/** Worker → primary: "the metrics of all workers, please"; primary → worker: the text. */
const METRICS_REQUEST = 'pipeline:metrics-request'
const METRICS_REPLY = 'pipeline:metrics-reply'
/** Worker → primary: "I can be asked"; primary → worker: "your registry, as JSON"; and back. */
const COLLECTABLE = 'pipeline:metrics-collectable'
const COLLECT = 'pipeline:metrics-collect'
const COLLECTED = 'pipeline:metrics-collected'

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>
type Message =
  | { readonly type: typeof METRICS_REQUEST; readonly id: number }
  | { readonly type: typeof METRICS_REPLY; readonly id: number; readonly text?: string; readonly error?: string }
  | { readonly type: typeof COLLECTABLE }
  | { readonly type: typeof COLLECT; readonly id: number }
  | { readonly type: typeof COLLECTED; readonly id: number; readonly metrics: MetricsJson }

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && typeof (m as Message).type === 'string' && (m as Message).type.startsWith('pipeline:metrics-')

export interface PrimaryOptions {
  readonly workers: number
  readonly logger: Logger
  readonly process: NodeJS.Process
  /** How long the workers get to drain after SIGTERM before they are killed. */
  readonly shutdownTimeoutMs: number
  /** More unexpected worker exits than this within a minute stop the primary (exit 1). Default 5. */
  readonly maxRestartsPerMinute?: number
}

/** Runs the primary: returns once the workers are forked; the process exits when they are stopped. */
export function runPrimary(o: PrimaryOptions): void {
  const { logger, process } = o
  const maxRestarts = o.maxRestartsPerMinute ?? 5
  const collectable = new Set<Worker>()
  const collections = new Map<number, { readonly from: Set<Worker>; readonly metrics: MetricsJson[]; readonly finish: () => void }>()
  const exits: number[] = []
  let nextCollection = 0
  let stopping = false

  /** Each collectable worker's registry, summed as prom-client aggregates them; a worker that does not answer within 2 s is left out. */
  const collect = (): Promise<string> => new Promise((resolve) => {
    const id = nextCollection++
    const from = new Set(collectable)
    const metrics: MetricsJson[] = []
    const finish = () => {
      if (!collections.delete(id)) return
      clearTimeout(timer)
      resolve(AggregatorRegistry.aggregate(metrics).metrics())
    }
    const timer = setTimeout(finish, 2000)
    collections.set(id, { from, metrics, finish })
    for (const w of from) w.send({ type: COLLECT, id } satisfies Message)
    if (from.size === 0) finish()
  })

  const fork = (): Worker => {
    const worker = cluster.fork()
    worker.on('message', (m: unknown) => {
      if (!isMessage(m)) return
      if (m.type === COLLECTABLE) collectable.add(worker)
      else if (m.type === COLLECTED) {
        const c = collections.get(m.id)
        if (c === undefined || !c.from.delete(worker)) return
        c.metrics.push(m.metrics)
        if (c.from.size === 0) c.finish()
      } else if (m.type === METRICS_REQUEST) {
        collect().then(
          (text) => worker.send({ type: METRICS_REPLY, id: m.id, text } satisfies Message),
          (err: Error) => worker.send({ type: METRICS_REPLY, id: m.id, error: err.message } satisfies Message),
        )
      }
    })
    worker.once('exit', () => {
      collectable.delete(worker)
      for (const c of collections.values()) if (c.from.delete(worker) && c.from.size === 0) c.finish()
    })
    return worker
  }

  const living = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)

  const stop = (reason: string, exitCode: number): void => {
    if (stopping) return
    stopping = true
    logger.info({ reason, workers: living().length }, 'stopping the workers')
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: o.shutdownTimeoutMs }, 'workers still running after the shutdown deadline: killing them')
      for (const w of living()) w.process.kill('SIGKILL')
      process.exit(1)
    }, o.shutdownTimeoutMs + 1000)
    deadline.unref()
    const done = () => {
      if (living().length > 0) return
      logger.info({ exitCode }, 'all workers stopped')
      process.exit(exitCode)
    }
    cluster.on('exit', done)
    for (const w of living()) w.process.kill('SIGTERM')
    done()
  }

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    const now = Date.now()
    exits.push(now)
    while (exits.length > 0 && (exits[0] ?? now) < now - 60_000) exits.shift()
    if (exits.length > maxRestarts) {
      logger.error({ pid: worker.process.pid, code, signal, exitsInAMinute: exits.length }, 'workers keep exiting: stopping')
      stop('workers keep exiting', 1)
      return
    }
    logger.warn({ pid: worker.process.pid, code, signal }, 'a worker exited: starting another')
    fork()
  })
  process.once('SIGTERM', () => stop('SIGTERM', 0))
  process.once('SIGINT', () => stop('SIGINT', 0))
  for (let i = 0; i < o.workers; i++) fork()
  logger.info({ workers: o.workers }, 'primary started its workers')
}

/** The signals a process stops on: a cluster worker leaves SIGINT to its primary. */
export const workerSignals = (): readonly NodeJS.Signals[] => (cluster.isWorker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'])

/**
 * What GET /metrics serves: the metrics of `registry`, or in a cluster worker those of every
 * worker (asked of the primary, which sums counters and histograms and aggregates each gauge as
 * prom-client defines), so a scrape of the shared port sees one service, whichever worker answers.
 */
export function metricsSource(registry: Registry, timeoutMs = 5000): () => Promise<string> {
  if (!cluster.isWorker) return () => registry.metrics()
  let next = 0
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>()
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return
    if (m.type === COLLECT) {
      void registry.getMetricsAsJSON().then((metrics) => process.send?.({ type: COLLECTED, id: m.id, metrics } satisfies Message))
      return
    }
    const waiting = m.type === METRICS_REPLY ? pending.get(m.id) : undefined
    if (waiting === undefined || m.type !== METRICS_REPLY) return
    pending.delete(m.id)
    clearTimeout(waiting.timer)
    if (m.text !== undefined) waiting.resolve(m.text)
    else waiting.reject(new Error(`the primary could not collect the workers' metrics: ${m.error ?? 'no reason given'}`))
  })
  process.send?.({ type: COLLECTABLE } satisfies Message)
  return () => new Promise<string>((resolve, reject) => {
    const id = next++
    const timer = setTimeout(() => {
      pending.delete(id)
      reject(new Error('the primary did not answer for the workers\' metrics'))
    }, timeoutMs)
    pending.set(id, { resolve, reject, timer })
    process.send?.({ type: METRICS_REQUEST, id } satisfies Message)
  })
}
