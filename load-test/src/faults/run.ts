/**
 * npm run test:faults: under a steady open-model write load, round after round of faults drawn
 * at random (./faults.ts) on a stack of its own (./stack.ts); after each, the time until a new
 * event is acknowledged, in Postgres and folded into the read model; at the end, once the
 * consumers caught up, every event's outcome against Postgres and the read model (./verify.ts),
 * and what query-api serves, read by a steady signed load meanwhile, against the read model
 * (./reads.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createPool, type Pool as MysqlPool, type RowDataPacket } from 'mysql2/promise'
import pg from 'pg'
import { createApiKey } from '../../../lib/src/api-keys/store.js'
import { parseKafkaConfig } from '../../../lib/src/config.js'
import { createKafka } from '../../../lib/src/kafka/client.js'
import { createLogger } from '../../../lib/src/logger.js'
import { countByEventId } from '../../../lib/src/pg/event-counts.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { checkLedger, ledgerHolds, ledgerOf, type FuzzLedgerFile, type LedgerReport } from '../../../producer-api/test/fuzz/ledger.js'
import { createRandom } from '../../k6/lib/scenarios.js'
import { mountPgDisk, type PgDisk } from './disk.js'
import { faultDeck, faultName, type Fault } from './faults.js'
import { startWriteLoad, type WriteLoad } from './load.js'
import { createPartition, type Partition } from './partition.js'
import { readThrough, startReadLoad, type ReadLoad, type ReadThrough } from './reads.js'
import { APPS, createFaultStack, FAULT_PORTS, type App, type FaultStack, type Server } from './stack.js'
import { trxCounts, verifyLedger, waitForAcknowledged, expectedTrxCounts, type Verification } from './verify.js'

const exec = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface FaultRunOptions {
  readonly rounds: number
  /** Stop drawing faults after this long, even if fewer rounds ran. */
  readonly minutes?: number
  readonly seed: number
  readonly requestsPerSecond: number
  /** Signed reads per second offered to query-api meanwhile. */
  readonly readsPerSecond?: number
  /** Hostile inputs per fuzz target (POST /events, POST /events/batch, GET /api/user-data, all three at once) at most, sent while the faults go on; 0: none. */
  readonly fuzzRuns?: number
  readonly stateDir?: string
  readonly log: (line: string) => void
  /** Aborted (Ctrl-C): the fault under way ends, then the run stops with its stack, and rejects. */
  readonly signal?: AbortSignal
}

export interface Round {
  readonly round: number
  readonly fault: string
  readonly kind: Fault['kind']
  /** From the end of the fault (kill sent, process continued, partition healed) to a new event acknowledged, stored and folded. */
  readonly recoveryMs: number | null
}

export interface FaultReport {
  readonly seed: number
  readonly startedAt: string
  readonly seconds: number
  readonly rounds: readonly Round[]
  readonly faultsByKind: Readonly<Record<string, number>>
  readonly requests: { readonly sent: number; readonly skipped: number; readonly byOutcome: Readonly<Record<string, number>>; readonly byStatus: Readonly<Record<string, number>> }
  readonly verification: Verification
  /** query-api: the reads during the run by status (`unexplained`: answers no fault explains), and the read-through check at the end. */
  /** The fuzz run beside the faults (scripts/fuzz.ts --faults): inputs per target, and its ids against Postgres. */
  readonly fuzz: { readonly targets: readonly { readonly name: string; readonly runs: number; readonly failed: boolean }[]; readonly failures: readonly string[]; readonly ledger: LedgerReport | undefined; readonly exitCode: number | null } | undefined
  readonly reads: { readonly sent: number; readonly byStatus: Readonly<Record<string, number>>; readonly unexplained: number; readonly readThrough: ReadThrough }
  readonly recovery: { readonly maxMs: number; readonly p99Ms: number; readonly p50Ms: number; readonly unrecovered: number }
  /** Per app: restarts seen, kills injected, and whether it runs steadily at the end. */
  readonly processes: Readonly<Record<string, { readonly restarts: number; readonly kills: number; readonly steady: boolean }>>
  readonly deadLetters: number
  /** Postgres' own disk: its size and use at the end, or why the disk-full fault was not drawn. */
  readonly pgDisk: { readonly sizeMb: number; readonly usedMbAtEnd: number } | { readonly unavailable: string }
  readonly passed: boolean
  readonly dir: string
}

const SESSION_TIMEOUT_MS = 10_000
/** The tmpfs Postgres runs on: room for a long run's rows and WAL (kept small below), filled by the disk-full fault. */
const PG_DISK_MB = 1536
const DISK_FULL_MS = 8000
const RECOVERY_TIMEOUT_MS = 120_000
const PROBE_USER_BASE = 9_000_000_000_000

export async function runFaults(o: FaultRunOptions): Promise<FaultReport> {
  const started = new Date()
  const stamp = started.toISOString().replace(/[:.]/g, '-')
  // The draw has a stream of its own: what the load draws meanwhile cannot move it.
  const draw = createRandom(o.seed, 0) as () => number
  const random = createRandom(o.seed, 1) as () => number
  const log = o.log
  const stateDir = o.stateDir ?? join(PROJECT_ROOT, '.local', 'faults')
  const mounted = await mountPgDisk(stateDir, PG_DISK_MB)
  const disk = 'unavailable' in mounted ? undefined : mounted
  const stack = createFaultStack({ stateDir, ...(disk === undefined ? {} : { pgDataDir: disk.dataDir }) })
  log(disk === undefined ? `Postgres disk full: not drawn (${(mounted as { unavailable: string }).unavailable})` : `Postgres runs on a tmpfs of ${PG_DISK_MB} MB of its own (${disk.dataDir}), which one fault fills`)
  log(`seed ${o.seed}; the fault stack lives in ${stack.stateDir} (ports ${FAULT_PORTS.kafka}, ${FAULT_PORTS.postgres}, ${FAULT_PORTS.mariadb}, ${FAULT_PORTS.redis}, ${FAULT_PORTS.producerApi})`)
  if (await fetch(`${stack.producerUrl}/health/live`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false)) {
    throw new Error(`${stack.producerUrl} answers already: a fault run left behind? Stop it: PIPELINE_STATE_DIR=${stack.stateDir} bash scripts/stack.sh stop`)
  }
  log('starting the fault stack (Kafka, Postgres, MariaDB, Redis; installed when missing) …')
  await stack.up()

  const partition = await createPartition({ host: '127.0.0.1', port: FAULT_PORTS.postgres })
  const topic = `faults-${stamp.toLowerCase()}`
  const groups = { SINK_GROUP_ID: `${topic}-sink`, PROJECTOR_GROUP_ID: `${topic}-projector` }
  const common = { ...stack.appEnv(FAULT_PORTS.postgres), KAFKA_TOPIC: topic, ...groups, LAG_GROUPS: groups.SINK_GROUP_ID, SINK_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), PROJECTOR_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) }
  const sinkEnv = { ...common, DATABASE_URL: `postgres://admin:admin@127.0.0.1:${partition.port}/aurore_events` }

  log(`provisioning topic ${topic} and migrations, building …`)
  await exec(process.execPath, ['--import', 'tsx', 'scripts/provision.ts'], { cwd: PROJECT_ROOT, env: { ...process.env, ...common, LOG_LEVEL: 'warn' } })
  await exec('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT })

  const pgPool = new pg.Pool({ connectionString: common.DATABASE_URL, max: 2 })
  pgPool.on('error', () => undefined) // Postgres is killed on purpose; queries retry below
  // On its small disk, WAL is recycled often: checkpoints every minute or 256 MB.
  if (disk !== undefined) await pgPool.query("ALTER SYSTEM SET max_wal_size = '256MB'").then(() => pgPool.query("ALTER SYSTEM SET checkpoint_timeout = '1min'")).then(() => pgPool.query('SELECT pg_reload_conf()'))
  const mysql = createPool({ uri: common.MYSQL_URL, connectionLimit: 2 })
  const admin = createKafka(parseKafkaConfig({ ...process.env, ...common }, 'faults'), createLogger({ level: 'error' }, 'faults')).admin()
  let load: WriteLoad | undefined
  let reads: ReadLoad | undefined
  let fuzz: ChildProcess | undefined
  const dir = join(PROJECT_ROOT, 'results', `faults-${stamp}`)
  mkdirSync(dir, { recursive: true })
  const fuzzLedger = join(dir, 'fuzz-ledger.json')
  try {
    // The run writes as a source of its own, with a limit the load never reaches.
    const writerServices = ['faults', 'fuzz-*']
    const { key } = await createApiKey(pgPool, { name: `faults ${stamp}`, services: writerServices, rateLimit: 1_000_000 })
    stack.startSupervised('consumer', sinkEnv)
    stack.startSupervised('projector', common)
    // producer-api and query-api as npm start runs them: a node:cluster primary and two workers (a kill -9 is of the primary).
    stack.startSupervised('producer-api', { ...common, PRODUCER_WORKERS: '2' })
    const secret = `faults-${stamp}-signing-secret`
    stack.startSupervised('query-api', { ...common, QUERY_WORKERS: '2', QUERY_SIGNING_SECRET: secret })
    await waitReady(`${stack.producerUrl}/health/ready`, RECOVERY_TIMEOUT_MS)
    await waitReady(`${stack.queryUrl}/health/ready`, RECOVERY_TIMEOUT_MS)
    const userBase = 1_000_000_000 + (Date.now() % 1_000_000) * 1000
    load = startWriteLoad({ url: stack.producerUrl, requestsPerSecond: o.requestsPerSecond, batchShare: 0.3, batchSize: 10, userBase, users: 500, random, headers: { authorization: `Bearer ${key}` } })
    reads = startReadLoad({ url: stack.queryUrl, secret, requestsPerSecond: o.readsPerSecond ?? 50, userBase, users: 500, random })
    const probe = createProbe(load, pgPool, mysql)
    log('waiting for the pipeline: an event acknowledged, in Postgres and folded …')
    // Probe users are the run's own (the fault stack keeps its data from run to run): round r probes user probeBase + r.
    const probeBase = PROBE_USER_BASE + (Date.now() % 1_000_000_000) * 1000
    if ((await probe(probeBase)) === null) throw new Error('the fault stack did not come up within 120 s (see its logs)')
    await admin.connect()
    const dlqBefore = await deadLetterCount(admin, `${topic}.dlq`)
    let fuzzExit: Promise<number | null> = Promise.resolve(null)
    if ((o.fuzzRuns ?? 0) > 0) {
      log(`fuzzing ${stack.producerUrl} and ${stack.queryUrl} while the faults go on: up to ${o.fuzzRuns} inputs per target (log: ${join(stack.stateDir, 'logs', 'fuzz.log')})`)
      const out = openSync(join(stack.stateDir, 'logs', 'fuzz.log'), 'a')
      fuzz = spawn(process.execPath, ['--import', 'tsx', 'scripts/fuzz.ts', '--live', '--faults', '--keep-going', '--parallel', '--runs', String(o.fuzzRuns), '--seed', String(o.seed), '--ledger-file', fuzzLedger, '--writer-services', writerServices.join(',')], {
        cwd: PROJECT_ROOT, stdio: ['ignore', out, out],
        env: { ...process.env, PRODUCER_URL: stack.producerUrl, QUERY_URL: stack.queryUrl, QUERY_SIGNING_SECRET: secret, PRODUCER_API_KEY: key, DATABASE_URL: common.DATABASE_URL },
      })
      const child = fuzz
      fuzzExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    }

    const rounds: Round[] = []
    const kills = new Map<string, number>()
    const deck = faultDeck({ random: draw, stallMs: [1000, 6000], partitionMs: SESSION_TIMEOUT_MS + 3000, ...(disk === undefined ? {} : { diskFullMs: DISK_FULL_MS }) })
    const deadline = o.minutes === undefined ? Infinity : Date.now() + o.minutes * 60_000
    const interrupted = new Promise<never>((_, reject) => {
      const abort = () => reject(new Error('interrupted: nothing was checked'))
      if (o.signal?.aborted === true) abort()
      o.signal?.addEventListener('abort', abort, { once: true })
    })
    interrupted.catch(() => undefined)
    for (let round = 1; round <= o.rounds && Date.now() < deadline && o.signal?.aborted !== true; round++) {
      const fault = deck.next().value as Fault
      await inject(fault, { stack, partition, common, sinkEnv, round, disk, pgAnswers: () => pgPool.query('SELECT 1').then(() => true, () => false) })
      if (fault.kind === 'kill') kills.set(fault.target, (kills.get(fault.target) ?? 0) + 1)
      const recoveryMs = await probe(probeBase + round)
      rounds.push({ round, fault: faultName(fault), kind: fault.kind, recoveryMs })
      const r = load.requests.byOutcome
      log(`round ${round}/${o.rounds} ${faultName(fault).padEnd(28)} ${recoveryMs === null ? 'NOT RECOVERED in 120 s' : `recovered in ${(recoveryMs / 1000).toFixed(1)} s`}  ` +
        `(requests: ${r.acknowledged.toLocaleString('en')} acknowledged, ${r.rejected.toLocaleString('en')} rejected, ${r.unknown.toLocaleString('en')} unknown)`)
    }

    if (o.signal?.aborted === true) await interrupted
    // The faults are over, and so is the fuzz: it ends its inputs under way and writes its ledger.
    if (fuzz !== undefined && fuzz.exitCode === null) {
      log('stopping the fuzz after its inputs under way …')
      fuzz.kill('SIGTERM')
    }
    const fuzzCode = await Promise.race([fuzzExit, interrupted])
    log('stopping the load; waiting for the consumers to catch up …')
    await load.stop()
    await reads.stop()
    const stored = await waitForAcknowledged(pgPool, load.ledger, 180_000, (missing) => log(`  ${missing.toLocaleString('en')} acknowledged events not in Postgres yet`))
    const expected = expectedTrxCounts(load.ledger, stored)
    let folded = new Map<number, number>()
    for (let i = 0; i < 120; i++) {
      folded = await trxCounts(mysql, [...expected.keys()])
      if ([...expected].every(([u, n]) => (folded.get(u) ?? 0) === n)) break
      await sleep(1000)
    }
    const verification = verifyLedger(load.ledger, await countByEventId(pgPool, [...load.ledger.keys()]), folded)
    let fuzzReport: FaultReport['fuzz']
    if (fuzz !== undefined) {
      let file: FuzzLedgerFile | undefined
      try { file = JSON.parse(readFileSync(fuzzLedger, 'utf8')) as FuzzLedgerFile } catch { /* it ended before writing it */ }
      fuzzReport = file === undefined
        ? { targets: [], failures: [`the fuzz run ended (exit code ${fuzzCode}) without its ledger: see ${join(stack.stateDir, 'logs', 'fuzz.log')}`], ledger: undefined, exitCode: fuzzCode }
        : {
            targets: file.campaigns.map(({ name, runs, failed }) => ({ name, runs, failed })),
            failures: file.campaigns.filter((c) => c.failed).map((c) => c.text),
            ledger: await checkLedger(pgPool, ledgerOf(file), { nonce: file.nonce, servicePrefix: file.servicePrefix, waitMs: 180_000 }),
            exitCode: fuzzCode,
          }
    }
    log(`reading ${expected.size.toLocaleString('en')} users through query-api …`)
    const served = await readThrough(stack.queryUrl, secret, new Map([...expected.keys()].map((u) => [u, folded.get(u) ?? 0])))
    const deadLetters = (await deadLetterCount(admin, `${topic}.dlq`)) - dlqBefore
    const processes = await steadiness(stack, kills)

    const recoveries = rounds.map((r) => r.recoveryMs).filter((ms): ms is number => ms !== null).sort((a, b) => a - b)
    const at = (q: number) => recoveries[Math.min(recoveries.length - 1, Math.floor(q * recoveries.length))] ?? 0
    const faultsByKind: Record<string, number> = {}
    for (const r of rounds) faultsByKind[r.fault] = (faultsByKind[r.fault] ?? 0) + 1
    const unrecovered = rounds.length - recoveries.length
    const report: FaultReport = {
      seed: o.seed, startedAt: started.toISOString(), seconds: Math.round((Date.now() - started.getTime()) / 1000), rounds, faultsByKind,
      requests: { sent: load.requests.sent, skipped: load.requests.skipped, byOutcome: load.requests.byOutcome, byStatus: Object.fromEntries(load.requests.byStatus) },
      verification,
      fuzz: fuzzReport,
      reads: { sent: reads.requests.sent, byStatus: Object.fromEntries(reads.requests.byStatus), unexplained: reads.unexplained(), readThrough: served },
      recovery: { maxMs: recoveries.at(-1) ?? 0, p99Ms: at(0.99), p50Ms: at(0.5), unrecovered },
      processes, deadLetters, dir,
      pgDisk: disk === undefined ? mounted as { unavailable: string } : { sizeMb: disk.sizeMb, usedMbAtEnd: Math.round(disk.usage().usedBytes / 2 ** 20) },
      passed: verification.lost === 0 && verification.duplicated === 0 && verification.rejectedPresent === 0 && verification.readModelMismatches === 0
        && unrecovered === 0 && deadLetters === 0 && Object.values(processes).every((p) => p.steady)
        && reads.unexplained() === 0 && served.stale === 0
        && (fuzzReport === undefined || (fuzzReport.failures.length === 0 && fuzzReport.ledger !== undefined && ledgerHolds(fuzzReport.ledger))),
    }
    writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`)
    writeFileSync(join(dir, 'summary.md'), renderFaultReport(report))
    return report
  } finally {
    await load?.stop()
    await reads?.stop()
    if (fuzz !== undefined && fuzz.exitCode === null && fuzz.signalCode === null) fuzz.kill('SIGTERM')
    await admin.disconnect().catch(() => undefined)
    await pgPool.end().catch(() => undefined)
    await mysql.end().catch(() => undefined)
    await partition.close()
    log('stopping the fault stack …')
    await stack.stop().catch((err: Error) => log(`  stopping the fault stack failed: ${err.message}`))
    await disk?.close().catch((err: Error) => log(`  unmounting Postgres' disk failed: ${err.message}`))
  }
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs / 1000} s`)
    await sleep(200)
  }
}

/** Sends probe events for `userId` until one is acknowledged, then waits until it is in Postgres and folded; ms, or null after 120 s. */
function createProbe(load: WriteLoad, pgPool: pg.Pool, mysql: MysqlPool) {
  return async (userId: number): Promise<number | null> => {
    const started = performance.now()
    const deadline = started + RECOVERY_TIMEOUT_MS
    let id: string | undefined
    while (id === undefined && performance.now() < deadline) {
      const sent = await load.probe(userId)
      if (sent.outcome === 'acknowledged') id = sent.eventId
      else await sleep(100)
    }
    while (id !== undefined && performance.now() < deadline) {
      const stored = await pgPool.query('SELECT 1 FROM events WHERE event_id = $1', [id]).then((r) => r.rowCount === 1, () => false)
      const folded = stored && await mysql.query<RowDataPacket[]>('SELECT 1 FROM user_recap_data WHERE user_id = ?', [userId]).then(([rows]) => rows.length === 1, () => false)
      if (folded) return Math.round(performance.now() - started)
      await sleep(100)
    }
    return null
  }
}

interface InjectContext {
  readonly stack: FaultStack
  readonly partition: Partition
  readonly common: Readonly<Record<string, string>>
  readonly sinkEnv: Readonly<Record<string, string>>
  readonly round: number
  readonly disk: PgDisk | undefined
  /** Whether Postgres answers a query. */
  readonly pgAnswers: () => Promise<boolean>
}

const isServer = (t: string): t is Server => t === 'kafka' || t === 'postgres' || t === 'mariadb' || t === 'redis'

/** The pids to signal for a target: Postgres is its postmaster and every backend. */
async function pidsOf(stack: FaultStack, target: App | Server): Promise<number[]> {
  if (!isServer(target)) return [stack.appPid(target)]
  const pid = await stack.serverPid(target)
  if (target !== 'postgres') return [pid]
  const children = await exec('pgrep', ['-P', String(pid)]).then((r) => r.stdout.split('\n').filter(Boolean).map(Number), () => [])
  return [pid, ...children]
}

/** Sends `signal` to `pid`; false if it is gone already (a Postgres backend whose client left meanwhile). */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`not a pid: ${pid}`) // 0 or -1 would signal a whole group
  try {
    process.kill(pid, sig)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

const gone = (pid: number): boolean => !signal(pid, 0)

/** Injects the fault and returns once it is over: killed (an app's supervisor restarts it; a server is started again), continued, healed, left. */
async function inject(fault: Fault, c: InjectContext): Promise<void> {
  switch (fault.kind) {
    case 'kill': {
      const [pid] = await pidsOf(c.stack, fault.target)
      signal(pid as number, 'SIGKILL')
      while (!gone(pid as number)) await sleep(20)
      if (isServer(fault.target)) {
        await sleep(1000)
        await c.stack.up()
      }
      return
    }
    case 'stall': {
      const pids = await pidsOf(c.stack, fault.target)
      const stopped = pids.filter((pid) => signal(pid, 'SIGSTOP'))
      await sleep(fault.ms)
      for (const pid of stopped) signal(pid, 'SIGCONT')
      return
    }
    case 'disk-full': {
      // Every free byte taken; then given back. A failed WAL write makes Postgres restart
      // itself, and a restart begun while the disk was full may stop it: start it again until it answers.
      await (c.disk as PgDisk).fill()
      await sleep(fault.ms)
      ;(c.disk as PgDisk).free()
      for (let i = 0; i < 60 && !(await c.pgAnswers()); i++) {
        await c.stack.up().catch(() => undefined)
        await sleep(1000)
      }
      return
    }
    case 'partition':
      c.partition.cut()
      await sleep(fault.ms)
      c.partition.heal()
      return
    case 'group-change': {
      // A second and a third member of each group join, stay until they hold partitions, then leave.
      const extras: ChildProcess[] = []
      for (const n of [2, 3]) {
        extras.push(c.stack.startExtra('consumer', { ...c.sinkEnv, METRICS_PORT: '0' }, `r${c.round}-${n}`))
        extras.push(c.stack.startExtra('projector', { ...c.common, PROJECTOR_METRICS_PORT: '0' }, `r${c.round}-${n}`))
      }
      await sleep(8000)
      await Promise.all(extras.map((p) => new Promise<void>((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null) return resolve()
        p.once('exit', () => resolve())
        p.kill('SIGTERM')
      })))
    }
  }
}

async function deadLetterCount(admin: ReturnType<ReturnType<typeof createKafka>['admin']>, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic).catch(() => [])
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
}

/** Each app runs and was not restarted during the last 15 s (no restart loop), with its restarts against the kills injected. */
async function steadiness(stack: FaultStack, kills: ReadonlyMap<string, number>): Promise<FaultReport['processes']> {
  const before = Object.fromEntries(APPS.map((a) => [a, Number(stack.restarts(a).restarts ?? 0)]))
  await sleep(15_000)
  return Object.fromEntries(APPS.map((app) => {
    const r = stack.restarts(app)
    const restarts = Number(r.restarts ?? 0)
    const running = (r.state ?? 'running') === 'running' && !gone(stack.appPid(app))
    return [app, { restarts, kills: kills.get(app) ?? 0, steady: running && restarts === before[app] }]
  }))
}

export function renderFaultReport(r: FaultReport): string {
  const v = r.verification
  const n = (x: number) => x.toLocaleString('en')
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const kinds = Object.entries(r.faultsByKind).sort(([a], [b]) => a.localeCompare(b))
  const recoveryOf = (fault: string) => r.rounds.filter((x) => x.fault === fault && x.recoveryMs !== null).map((x) => x.recoveryMs as number)
  return [
    `# Fault run ${r.startedAt}: ${r.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `Seed ${r.seed} (\`npm run test:faults -- --seed ${r.seed} --rounds ${r.rounds.length}\` draws the same faults), ${r.rounds.length} rounds in ${r.seconds} s.`,
    '',
    '| | |',
    '| --- | ---: |',
    `| requests sent | ${n(r.requests.sent)} (${n(r.requests.skipped)} skipped: too many in flight) |`,
    `| events acknowledged | ${n(v.acknowledged)} |`,
    `| events rejected (never handed to the broker) | ${n(v.rejected)} |`,
    `| events unknown (timeout, reset, unconfirmed) | ${n(v.unknown)}, of which stored once: ${n(v.unknownPresent)} |`,
    `| **lost** (acknowledged, not in Postgres) | **${n(v.lost)}** |`,
    `| **duplicated** (in Postgres more than once) | **${n(v.duplicated)}** |`,
    `| rejected yet stored | ${n(v.rejectedPresent)} |`,
    `| read-model users not folded exactly once | ${n(v.readModelMismatches)} of ${n(v.users)} |`,
    `| dead letters | ${n(r.deadLetters)} |`,
    `| reads of query-api during the run | ${n(r.reads.sent)}, of which answers no fault explains: **${n(r.reads.unexplained)}** |`,
    `| **users served stale** at the end (query-api against the read model) | **${n(r.reads.readThrough.stale)}** of ${n(r.reads.readThrough.users)} |`,
    `| recovery p50 / p99 / max | ${s(r.recovery.p50Ms)} / ${s(r.recovery.p99Ms)} / ${s(r.recovery.maxMs)} (${r.recovery.unrecovered} not recovered in 120 s) |`,
    `| Postgres' disk | ${'unavailable' in r.pgDisk ? `its own disk not available, disk full not drawn: ${r.pgDisk.unavailable}` : `a tmpfs of ${n(r.pgDisk.sizeMb)} MB, ${n(r.pgDisk.usedMbAtEnd)} MB used at the end`} |`,
    '',
    '## Faults',
    '',
    '| fault | rounds | recovery median | recovery max |',
    '| --- | ---: | ---: | ---: |',
    ...kinds.map(([fault, count]) => {
      const ms = recoveryOf(fault).sort((a, b) => a - b)
      return `| ${fault} | ${count} | ${ms.length === 0 ? '–' : s(ms[Math.floor(ms.length / 2)] as number)} | ${ms.length === 0 ? '–' : s(ms.at(-1) as number)} |`
    }),
    '',
    'Recovery: from the end of the fault (kill sent, server started again, process continued, partition healed, extra members gone) until a new event is acknowledged, in Postgres and folded into the read model.',
    '',
    '## Processes',
    '',
    '| app | kills | restarts | steady at the end |',
    '| --- | ---: | ---: | --- |',
    ...Object.entries(r.processes).map(([app, p]) => `| ${app} | ${p.kills} | ${p.restarts} | ${p.steady ? 'yes' : '**no**'} |`),
    '',
    '## Answers',
    '',
    '| producer-api status | requests |',
    '| --- | ---: |',
    ...Object.entries(r.requests.byStatus).sort(([, a], [, b]) => b - a).map(([status, count]) => `| ${status} | ${n(count)} |`),
    '',
    '| query-api status | reads |',
    '| --- | ---: |',
    ...Object.entries(r.reads.byStatus).sort(([, a], [, b]) => b - a).map(([status, count]) => `| ${status} | ${n(count)} |`),
    '',
    ...(r.fuzz === undefined ? [] : renderFuzz(r.fuzz, n)),
    ...(v.examples.length + r.reads.readThrough.examples.length > 0 ? ['## Examples of what failed', '', ...[...v.examples, ...r.reads.readThrough.examples].map((e) => `- ${e}`), ''] : []),
  ].join('\n')
}

function renderFuzz(f: NonNullable<FaultReport['fuzz']>, n: (x: number) => string): string[] {
  const l = f.ledger
  return [
    '## Hostile input meanwhile',
    '',
    `\`scripts/fuzz.ts --live --faults\` against producer-api and query-api while the faults went on: ${n(f.targets.reduce((sum, t) => sum + t.runs, 0))} inputs.`,
    '',
    '| target | inputs | result |',
    '| --- | ---: | --- |',
    ...f.targets.map((t) => `| ${t.name} | ${n(t.runs)} | ${t.failed ? '**failed**' : 'ok'} |`),
    '',
    ...(l === undefined ? [] : [
      `Its events in Postgres: ${n(l.accepted)} acknowledged ids, **${n(l.missing)} missing**, **${n(l.duplicated)} stored twice**; ${n(l.rejected)} refused ids, **${n(l.refusedStored)} stored**; `
        + `${n(l.unacknowledgedStored)} rows never acknowledged (allowed: at most the ${n(l.uncertainEvents)} events whose answer was lost to a fault).`,
      '',
    ]),
    ...f.failures.flatMap((text) => ['```', text.slice(0, 4000), '```', '']),
  ]
}
