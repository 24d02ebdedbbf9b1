/**
 * npm run bench -- read-at-scale: the read path at the old system's scale, in one run.
 * 1. 10 M generated users in the read model (loaded if missing; a no-op otherwise);
 * 2. a warm-up to the caches' steady state (../read/warm-cache.ts: until 90 % of the last 5 s
 *    are hits, at most 10 min);
 * 3. the realistic scenario (Zipf-like popularity over the 10 M users, signed requests) offered
 *    15,000 requests/s at a constant rate against query-api, and the same against the ceiling:
 *    a bare Fastify GET of one Redis key, driven by the same runner;
 * 4. saturation: both driven closed loop, 256 VUs each sending again as soon as it is answered
 *    (as wrk and autocannon measure it): what they answer is the figure. An open model offered
 *    3× what they can answer measured the generator as much: on two shared cores its backlog of
 *    timed-out requests took CPU from the server (query-api answered less at 45,000/s offered
 *    than at 15,000/s);
 * 5. generate:test-data of the users into an empty database, against plain LOAD DATA of the
 *    same rows (./bulk-load.ts). Last: 20 M rows written evict the read model from MariaDB's
 *    buffer pool, and the read runs would then measure the disk.
 * Takes 10 to 20 minutes; every step prints progress.
 */
import type { MysqlConfig } from '../../../lib/src/config.js'
import { createMysqlPool } from '../../../lib/src/mysql/pool.js'
import { DEFAULT_SEED, loadGeneratedUsers } from '../generate/load.js'
import { createProgress } from '../progress.js'
import { runReadScenario, writeReadResults } from '../read/run-read-scenario.js'
import type { ReadSummary } from '../read/summary.js'
import { warmCache, type WarmCacheFigures } from '../read/warm-cache.js'
import { measureBulkLoad, type BulkLoadFigures } from './bulk-load.js'
import { REDIS_GET_SERVER, withServer } from './ceilings.js'

export interface ReadAtScaleOptions {
  readonly queryUrl: string
  readonly secret: string
  readonly mysql: MysqlConfig
  readonly users?: number
  readonly rate?: number
  readonly log: (line: string) => void
}

interface RunFigures {
  /** Requests/s offered (open model), or null for a closed loop. */
  readonly offered: number | null
  /** VUs of a closed loop, else null. */
  readonly vus: number | null
  readonly answeredPerSecond: number
  readonly latencyMs: ReadSummary['totals']['latencyMs']
  readonly errorRate: number
  readonly hitRate: number | null
  readonly processes: ReadSummary['processes']
}

export interface ReadAtScaleFigures {
  readonly users: number
  readonly bulkLoad: BulkLoadFigures
  readonly warmUp: WarmCacheFigures
  readonly realistic: { readonly queryApi: RunFigures; readonly ceiling: RunFigures }
  readonly saturation: { readonly queryApi: RunFigures; readonly ceiling: RunFigures; readonly ratio: number }
  readonly summaryDir: string
}

const SATURATION_VUS = 256

const figuresOf = (s: ReadSummary): RunFigures => ({
  offered: s.params.rate ?? null, vus: s.params.vus ?? null, answeredPerSecond: s.totals.requestsPerSecond, latencyMs: s.totals.latencyMs,
  errorRate: s.totals.errorRate, hitRate: s.totals.hitRate, processes: s.processes,
})

export async function benchReadAtScale(o: ReadAtScaleOptions): Promise<ReadAtScaleFigures> {
  const users = o.users ?? 10_000_000
  const rate = o.rate ?? 15_000
  const log = o.log
  log(`read-at-scale takes 10 to 20 minutes: the ${users.toLocaleString('en')}-user fixture, a warm-up of the caches, four load runs, then two bulk loads of the users`)

  const pool = createMysqlPool({ ...o.mysql, poolMax: 3 }, { localFiles: true })
  try {
    const progress = createProgress({ label: '  fixture', total: users, unit: 'users' })
    const fixture = await loadGeneratedUsers({ pool, onProgress: (p) => progress.update(p.loadedUsers) }, { seed: DEFAULT_SEED, users })
    log(fixture.loadedUsers === 0 ? `  the read model holds users 1..${users.toLocaleString('en')} already` : `  loaded ${fixture.loadedUsers.toLocaleString('en')} users in ${fixture.seconds.toFixed(1)} s`)
  } finally {
    await pool.end()
  }

  // Each run its own seed: one seed draws the same users in the same order, so a run after a
  // warm-up of the same seed would only read what the warm-up cached.
  // `load`: a rate offered (open model), or VUs sending as fast as they are answered (closed).
  const run = async (label: string, queryUrl: string, load: { rate: number } | { vus: number }, durationSeconds: number, warmupSeconds: number, seed: number): Promise<ReadSummary> => {
    log(`== ${label}: realistic, ${'rate' in load ? `${load.rate.toLocaleString('en')} requests/s offered` : `${load.vus} VUs (closed loop)`} for ${durationSeconds} s`)
    const s = await runReadScenario({
      scenario: 'realistic', queryUrl, secret: o.secret, users, ...load, durationSeconds, warmupSeconds, seed,
      connections: 256, log: (line) => log(`  ${line}`),
    })
    log(`  answered ${s.totals.requestsPerSecond.toLocaleString('en')}/s, p50 ${s.totals.latencyMs.p50} ms, p95 ${s.totals.latencyMs.p95} ms, p99 ${s.totals.latencyMs.p99} ms, errors ${(100 * s.totals.errorRate).toFixed(3)} %, hit rate ${s.totals.hitRate === null ? 'n/a' : `${(100 * s.totals.hitRate).toFixed(1)} %`}`)
    return s
  }
  log('== query-api warm-up (fills the caches; not graded): realistic users as fast as query-api answers')
  const warmUp = await warmCache({ queryUrl: o.queryUrl, secret: o.secret, users, seed: 1, log: (line) => log(`  ${line}`) })
  log(`  ${warmUp.requests.toLocaleString('en')} requests in ${warmUp.seconds} s; ${warmUp.reachedTarget ? 'steady' : 'the cap came first'}`)
  const measured = await run('query-api', o.queryUrl, { rate }, 30, 5, 2)
  const summaryDir = writeReadResults(measured, { stamp: new Date().toISOString().replace(/[:.]/g, '-') })
  const saturated = await run('query-api saturation', o.queryUrl, { vus: SATURATION_VUS }, 15, 5, 3)
  const [ceiling, ceilingSaturated] = await withServer(REDIS_GET_SERVER, async (port) => {
    const url = `http://127.0.0.1:${port}`
    return [await run('ceiling: Fastify GET of one Redis key', url, { rate }, 30, 5, 2), await run('ceiling saturation', url, { vus: SATURATION_VUS }, 15, 5, 3)] as const
  })

  log('== bulk load: generate:test-data vs LOAD DATA of the same rows')
  const bulkLoad = await measureBulkLoad(o.mysql, users, log)
  log(`  generate:test-data ${bulkLoad.generator.seconds} s, LOAD DATA ${bulkLoad.loadData.seconds} s (ratio ${bulkLoad.ratio})`)
  return {
    users, bulkLoad, warmUp,
    realistic: { queryApi: figuresOf(measured), ceiling: figuresOf(ceiling) },
    saturation: {
      queryApi: figuresOf(saturated), ceiling: figuresOf(ceilingSaturated),
      ratio: +(saturated.totals.requestsPerSecond / ceilingSaturated.totals.requestsPerSecond).toFixed(2),
    },
    summaryDir,
  }
}
