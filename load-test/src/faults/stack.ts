/**
 * The stack the fault suite breaks: a second instance of scripts/stack.sh with a state
 * directory and ports of its own (.local/faults by default), so that kill -9 of its Kafka or
 * Postgres never touches the stack a developer works on, and the pipeline's services under
 * scripts/supervise.sh, started and restarted the way `npm start` runs them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'

const exec = promisify(execFile)
const STACK = join(PROJECT_ROOT, 'scripts', 'stack.sh')

export type Server = 'kafka' | 'postgres' | 'mariadb' | 'redis'
export type App = 'producer-api' | 'consumer' | 'projector' | 'query-api'
export const SERVERS: readonly Server[] = ['kafka', 'postgres', 'mariadb', 'redis']
export const APPS: readonly App[] = ['producer-api', 'consumer', 'projector', 'query-api']

const ENTRIES: Readonly<Record<App, string>> = {
  'producer-api': 'dist/producer-api/src/main.js',
  consumer: 'dist/consumer/src/main.js',
  projector: 'dist/consumer/src/projector/main.js',
  'query-api': 'dist/query-api/src/main.js',
}

export interface StackPorts {
  readonly kafka: number
  readonly postgres: number
  readonly mariadb: number
  readonly redis: number
  readonly prometheus: number
  readonly producerApi: number
  readonly queryApi: number
  readonly sinkMetrics: number
  readonly projectorMetrics: number
}

/** Ports of the fault stack: beside the default stack's (9092, 55432, 33306, 56379, 9090, 3000, 3002). */
export const FAULT_PORTS: StackPorts = {
  kafka: 29092, postgres: 55442, mariadb: 33316, redis: 56389, prometheus: 9190, producerApi: 3100, queryApi: 3102, sinkMetrics: 9564, projectorMetrics: 9565,
}

/** The services' environment; the two URLs the suite itself connects to, named. */
export type AppEnv = Readonly<Record<string, string>> & { readonly DATABASE_URL: string; readonly MYSQL_URL: string }

export interface FaultStack {
  readonly stateDir: string
  /** The environment of the stack's services: where Kafka, Postgres (through `postgresPort`), MariaDB and Redis are. */
  appEnv(postgresPort: number): AppEnv
  readonly producerUrl: string
  readonly queryUrl: string
  /** Installs what is missing and starts every server that is not running (scripts/stack.sh up). */
  up(): Promise<void>
  /** The server's main pid (Postgres: the postmaster). */
  serverPid(server: Server): Promise<number>
  /** The app's current pid, as its supervisor wrote it. */
  appPid(app: App): number
  /** run/<app>.restarts as key=value pairs (restarts, state, …). */
  restarts(app: App): Readonly<Record<string, string>>
  /** Starts an app under scripts/supervise.sh (restarted with backoff when it dies). */
  startSupervised(app: App, env: Readonly<Record<string, string>>): ChildProcess
  /** Starts one more, unsupervised instance (a group member that joins and later leaves). */
  startExtra(app: 'consumer' | 'projector', env: Readonly<Record<string, string>>, tag: string): ChildProcess
  /** Stops what it started (the supervisors drain their service), then the servers. */
  stop(): Promise<void>
}

/** `pgDataDir`: Postgres' data directory elsewhere than `<stateDir>/postgres` (on the disk a fault fills, ./disk.ts). */
export function createFaultStack(o: { readonly stateDir: string; readonly ports?: StackPorts; readonly pgDataDir?: string }): FaultStack {
  const ports = o.ports ?? FAULT_PORTS
  const logs = join(o.stateDir, 'logs')
  const run = join(o.stateDir, 'run')
  mkdirSync(logs, { recursive: true })
  // The Kafka jars and other downloads are shared with the default stack (fetched once).
  const stackEnv = {
    ...process.env,
    PIPELINE_STATE_DIR: o.stateDir,
    PIPELINE_CACHE_DIR: process.env.PIPELINE_CACHE_DIR ?? join(PROJECT_ROOT, '.local', 'cache'),
    KAFKA_PORT: String(ports.kafka), KAFKA_CONTROLLER_PORT: String(ports.kafka + 1), KAFKA_HEAP: '384m',
    PG_PORT: String(ports.postgres), MYSQL_PORT: String(ports.mariadb), REDIS_PORT: String(ports.redis),
    PROMETHEUS_PORT: String(ports.prometheus), MYSQL_BUFFER_POOL: '128M', REDIS_MAXMEMORY: '64mb',
    ...(o.pgDataDir === undefined ? {} : { PG_DATA_DIR: o.pgDataDir }),
  }
  const stack = (...args: string[]) => exec('bash', [STACK, ...args], { env: stackEnv, timeout: 180_000 })
  const supervisors: ChildProcess[] = []
  const extras = new Set<ChildProcess>()

  const appEnv = (postgresPort: number): AppEnv => ({
    NODE_ENV: 'development', LOG_LEVEL: 'info',
    KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    DATABASE_URL: `postgres://admin:admin@127.0.0.1:${postgresPort}/aurore_events`,
    MYSQL_URL: `mysql://forecap_user:forecap_pass@127.0.0.1:${ports.mariadb}/forecap_db`,
    REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
    PORT: String(ports.producerApi), QUERY_PORT: String(ports.queryApi), METRICS_PORT: String(ports.sinkMetrics), PROJECTOR_METRICS_PORT: String(ports.projectorMetrics),
  })

  const spawnLogged = (name: string, args: readonly string[], env: Readonly<Record<string, string>>): ChildProcess => {
    const fd = openSync(join(logs, `${name}.log`), 'a')
    return spawn(args[0] as string, args.slice(1), { cwd: PROJECT_ROOT, env: { ...process.env, PIPELINE_STATE_DIR: o.stateDir, ...env }, stdio: ['ignore', fd, fd] })
  }

  return {
    stateDir: o.stateDir,
    appEnv,
    producerUrl: `http://127.0.0.1:${ports.producerApi}`,
    queryUrl: `http://127.0.0.1:${ports.queryApi}`,
    up: async () => { await stack('up') },
    serverPid: async (server) => {
      const pid = Number((await stack('pid', server)).stdout.trim().split('\n')[0])
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for ${server}`)
      return pid
    },
    appPid: (app) => Number(readFileSync(join(run, `${app}.pid`), 'utf8').trim()),
    restarts: (app) => {
      let text = ''
      try { text = readFileSync(join(run, `${app}.restarts`), 'utf8') } catch { /* not restarted yet */ }
      return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    },
    startSupervised: (app, env) => {
      const child = spawnLogged(app, ['bash', join(PROJECT_ROOT, 'scripts', 'supervise.sh'), app, process.execPath, '--enable-source-maps', ENTRIES[app]], env)
      supervisors.push(child)
      return child
    },
    startExtra: (app, env, tag) => {
      const child = spawnLogged(`${app}-${tag}`, [process.execPath, '--enable-source-maps', ENTRIES[app]], env)
      extras.add(child)
      child.once('exit', () => extras.delete(child))
      return child
    },
    stop: async () => {
      const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))
      for (const c of [...extras, ...supervisors]) c.kill('SIGTERM')
      await Promise.all([...extras, ...supervisors].map(exited))
      await stack('stop')
    },
  }
}
