/**
 * Spawns the real deployables (producer-api, consumer, projector, query-api) as child processes, so that tests can
 * kill -9 them. Output goes to .local/logs/test/<name>-<id>.log; the process is killed after
 * the test if it is still alive.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { PROJECT_ROOT } from '../../src/paths.js'
import { uniqueName, waitFor } from './services.js'

export interface Service {
  readonly name: string
  readonly proc: ChildProcess
  readonly logFile: string
  readonly url: string
  readonly exited: Promise<number | null>
  kill(signal: NodeJS.Signals): void
  log(): string
}

/** The pids of `pid`'s children (a cluster primary's workers). */
export const childPids = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter((c) => c.trim() !== '').map(Number)

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

const ENTRIES = {
  'producer-api': 'producer-api/src/main.ts',
  consumer: 'consumer/src/main.ts',
  projector: 'consumer/src/projector/main.ts',
  'query-api': 'query-api/src/main.ts',
} as const

export async function startService(t: TestContext, name: keyof typeof ENTRIES, env: Readonly<Record<string, string>>): Promise<Service> {
  const dir = join(PROJECT_ROOT, '.local', 'logs', 'test')
  mkdirSync(dir, { recursive: true })
  const logFile = join(dir, `${uniqueName(name)}.log`)
  const fd = openSync(logFile, 'a')
  const port = await freePort()
  const proc = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, ENTRIES[name])], {
    cwd: PROJECT_ROOT,
    // Each kind's own listening port gets a free one.
    env: { ...process.env, LOG_LEVEL: 'info', PORT: String(port), METRICS_PORT: String(port), PROJECTOR_METRICS_PORT: String(port), QUERY_PORT: String(port), ...env },
    stdio: ['ignore', fd, fd],
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    return exited
  })
  const service: Service = {
    name,
    proc,
    logFile,
    url: `http://127.0.0.1:${port}`,
    exited,
    kill: (signal) => proc.kill(signal),
    log: () => readFileSync(logFile, 'utf8'),
  }
  let dead = false
  void exited.then(() => { dead = true })
  await waitFor(async () => {
    if (dead) throw new Error(`${name} exited during start:\n${service.log().slice(-3000)}`)
    if (name === 'consumer' || name === 'projector') return service.log().includes('"joined group"')
    return fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)
  }, { timeoutMs: 60_000, message: `${name} to be ready (log: ${logFile})` })
  return service
}
