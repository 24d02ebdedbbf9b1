/**
 * scripts/supervise.sh, as npm start runs it, on a tiny service in a state directory of its own
 * (PIPELINE_STATE_DIR): kill -9 of the service → restarted with backoff, counted in
 * run/<name>.restarts and shown by `stack.sh status`; SIGTERM to the supervisor (and `stack.sh
 * stop`, which npm stop runs) → forwarded to the service, which drains, and nothing restarts.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { waitFor } from '../../../lib/test/helpers/services.js'

const SUPERVISE = join(PROJECT_ROOT, 'scripts', 'supervise.sh')
const STACK = join(PROJECT_ROOT, 'scripts', 'stack.sh')

/** A service that logs its start and, on SIGTERM, drains (writes a line) and exits 0. */
const SERVICE = `
import { appendFileSync } from 'node:fs'
appendFileSync(process.env.EVENTS_FILE, 'start ' + process.pid + '\\n')
process.on('SIGTERM', () => { appendFileSync(process.env.EVENTS_FILE, 'term ' + process.pid + '\\n'); process.exit(0) })
setInterval(() => {}, 1000)
`

interface Supervised {
  readonly dir: string
  readonly proc: ChildProcess
  readonly exited: Promise<number | null>
  childPid(): number | undefined
  state(): Record<string, string>
  events(): string[]
  log(): string
}

const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return fallback
  }
}

function supervise(t: TestContext, name: string, env: Readonly<Record<string, string>>): Supervised {
  const dir = mkdtempSync(join(tmpdir(), 'supervise-'))
  const script = join(dir, 'service.mjs')
  writeFileSync(script, SERVICE)
  const logFile = join(dir, `${name}.log`)
  const fd = openSync(logFile, 'a')
  const proc = spawn('bash', [SUPERVISE, name, process.execPath, script], {
    env: { ...process.env, PIPELINE_STATE_DIR: dir, EVENTS_FILE: join(dir, 'events'), ...env },
    stdio: ['ignore', fd, fd],
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const run = join(dir, 'run')
  const s: Supervised = {
    dir,
    proc,
    exited,
    childPid: () => {
      const pid = Number(readOr(join(run, `${name}.pid`), '').trim())
      return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
    },
    state: () => Object.fromEntries(readOr(join(run, `${name}.restarts`), '').split('\n').filter((l) => l.includes('=')).map((l) => {
      const at = l.indexOf('=')
      return [l.slice(0, at), l.slice(at + 1)]
    })),
    events: () => readOr(join(dir, 'events'), '').split('\n').filter((l) => l !== ''),
    log: () => readOr(logFile, ''),
  }
  t.after(async () => {
    const child = s.childPid()
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    if (alive(child)) process.kill(child ?? 0, 'SIGKILL')
    await exited
    rmSync(dir, { recursive: true, force: true })
  })
  return s
}

async function running(s: Supervised, restarts: number, notPid?: number): Promise<number> {
  let pid: number | undefined
  await waitFor(() => {
    pid = s.childPid()
    const state = s.state()
    // (and the service itself has started: it handles SIGTERM from then on)
    return state.state === 'running' && state.restarts === String(restarts) && pid !== notPid && alive(pid) && s.events().includes(`start ${pid}`)
  }, { timeoutMs: 15_000, message: `the service running after ${restarts} restarts (state ${JSON.stringify(s.state())}, log ${s.log()})` })
  return pid ?? 0
}

/** kill -9 of the service; resolves with how long until its successor ran. */
async function killAndTime(s: Supervised, restartsAfter: number): Promise<{ pid: number; ms: number }> {
  const before = s.childPid()
  assert.ok(before !== undefined && alive(before))
  const at = Date.now()
  process.kill(before, 'SIGKILL')
  const pid = await running(s, restartsAfter, before)
  return { pid, ms: Date.now() - at }
}

test('kill -9 of the service: restarted with growing backoff, counted, shown by stack.sh status; npm stop stops both', async (t) => {
  const s = supervise(t, 'producer-api', { SUPERVISE_BACKOFF_MIN_MS: '300', SUPERVISE_BACKOFF_MAX_MS: '1000', SUPERVISE_STABLE_MS: '60000' })
  const first = await running(s, 0)
  const supervisor = Number(readFileSync(join(s.dir, 'run', 'producer-api.supervisor'), 'utf8'))
  assert.equal(supervisor, s.proc.pid)

  const one = await killAndTime(s, 1)
  assert.notEqual(one.pid, first)
  assert.ok(one.ms >= 300, `first restart after the minimum backoff (${one.ms} ms)`)
  assert.equal(s.state().last_exit_code, '137')
  assert.equal(s.state().last_exit_signal, 'KILL')
  assert.match(s.state().last_exit_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  const two = await killAndTime(s, 2)
  assert.ok(two.ms >= 600, `the backoff doubles (${two.ms} ms)`)
  const three = await killAndTime(s, 3)
  assert.ok(three.ms >= 1000 && three.ms < 5000, `capped at SUPERVISE_BACKOFF_MAX_MS (${three.ms} ms)`)
  assert.match(s.log(), /"msg":"exited with code 137 \(KILL\) after \d+ ms: restarting in 600 ms"/)

  const { stdout } = await promisify(execFile)('bash', [STACK, 'status'], { env: { ...process.env, PIPELINE_STATE_DIR: s.dir } })
  assert.match(stdout, new RegExp(`^producer-api up \\(pid ${three.pid}, supervisor ${supervisor}; restarts 3; last exit 137 \\(KILL\\) at \\S+Z\\)$`, 'm'), stdout)
  assert.match(stdout, /^consumer down$/m)

  // npm stop: the supervisor forwards SIGTERM, the service drains, nothing restarts.
  await promisify(execFile)('bash', [STACK, 'stop'], { env: { ...process.env, PIPELINE_STATE_DIR: s.dir }, timeout: 60_000 })
  assert.equal(await s.exited, 0)
  assert.ok(!alive(three.pid))
  assert.ok(s.events().includes(`term ${three.pid}`), 'the service got SIGTERM and drained')
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal(s.events().filter((e) => e.startsWith('start')).length, 4, 'no restart after stop')
  assert.equal(s.state().state, 'stopped')
  assert.equal(s.state().restarts, '3')
  assert.equal(s.childPid(), undefined, 'pid files removed')
})

test('SIGTERM to the supervisor is forwarded and exits with the service\'s code, also during a backoff', async (t) => {
  const s = supervise(t, 'demo', { SUPERVISE_BACKOFF_MIN_MS: '5000' })
  const pid = await running(s, 0)
  s.proc.kill('SIGTERM')
  assert.equal(await s.exited, 0)
  assert.deepEqual(s.events(), [`start ${pid}`, `term ${pid}`])

  const b = supervise(t, 'demo', { SUPERVISE_BACKOFF_MIN_MS: '5000' })
  const victim = await running(b, 0)
  process.kill(victim, 'SIGKILL')
  await waitFor(() => b.state().state === 'backoff', { message: 'the backoff' })
  const at = Date.now()
  b.proc.kill('SIGTERM')
  assert.equal(await b.exited, 0)
  assert.ok(Date.now() - at < 2000, 'the backoff is interrupted')
  assert.equal(b.events().length, 1, 'not started again')
})

test('the backoff resets once the service has stayed up SUPERVISE_STABLE_MS', async (t) => {
  const s = supervise(t, 'demo', { SUPERVISE_BACKOFF_MIN_MS: '200', SUPERVISE_STABLE_MS: '400' })
  await running(s, 0)
  for (let i = 1; i <= 3; i++) {
    await new Promise((r) => setTimeout(r, 600)) // up longer than SUPERVISE_STABLE_MS
    const { ms } = await killAndTime(s, i)
    assert.ok(ms < 1500, `restart ${i} after the minimum again (${ms} ms)`)
  }
  assert.equal((s.log().match(/restarting in 200 ms/g) ?? []).length, 3, s.log())
})
