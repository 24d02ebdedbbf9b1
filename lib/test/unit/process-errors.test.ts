import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { pino } from 'pino'
import { PipelineError } from '../../src/errors.js'
import { createProcessMetrics, createRegistry } from '../../src/metrics.js'
import { errorCode, handleProcessErrors, type ProcessLike } from '../../src/process-errors.js'
import { PROJECT_ROOT } from '../../src/paths.js'

const emfile = () => Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), { code: 'EMFILE', errno: -24 })

function setup(maxTransientPerMinute = 3) {
  const emitter = new EventEmitter()
  const exits: number[] = []
  const proc: ProcessLike = {
    on: emitter.on.bind(emitter),
    exit: (code) => { exits.push(code) },
  }
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); cb() } }))
  const registry = createRegistry('test')
  const now = { ms: 0 }
  const errors = handleProcessErrors({ process: proc, logger, metrics: createProcessMetrics(registry), maxTransientPerMinute, clock: () => now.ms })
  const stops: [string, number | undefined][] = []
  const counted = async (kind: string, code: string) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'pipeline_process_errors_total')
    return metric?.values.find((v) => v.labels.kind === kind && v.labels.code === code)?.value ?? 0
  }
  return { emitter, exits, lines, errors, stops, now, counted, attach: () => errors.attach({ stop: (reason, code) => { stops.push([reason, code]) } }) }
}

test('EMFILE out of a timer (uncaught) is logged with its code, counted, and the process keeps serving', async () => {
  const s = setup()
  s.attach()
  s.emitter.emit('uncaughtException', emfile(), 'uncaughtException')
  s.emitter.emit('unhandledRejection', Object.assign(new Error('ENFILE'), { code: 'ENFILE' }))
  assert.deepEqual(s.stops, [])
  assert.deepEqual(s.exits, [])
  assert.equal(await s.counted('uncaught_exception', 'EMFILE'), 1)
  assert.equal(await s.counted('unhandled_rejection', 'ENFILE'), 1)
  assert.equal(s.lines[0]?.code, 'EMFILE')
  assert.equal(s.lines[0]?.action, 'continue')
  assert.equal(s.lines[0]?.level, 50)
  assert.match(String(s.lines[0]?.msg), /uncaught_exception \(EMFILE\): transient, still serving/)
})

test('anything else stops on purpose: the normal shutdown with exit code 1, once', async () => {
  const s = setup()
  s.attach()
  s.emitter.emit('uncaughtException', new TypeError('bug'), 'uncaughtException')
  assert.deepEqual(s.stops, [['uncaught_exception none', 1]])
  s.emitter.emit('unhandledRejection', new PipelineError('PIPELINE_INTERNAL', 'later'))
  assert.equal(s.stops.length, 1, 'already stopping: counted and logged, no second stop')
  assert.equal(await s.counted('uncaught_exception', 'none'), 1)
  assert.equal(await s.counted('unhandled_rejection', 'PIPELINE_INTERNAL'), 1)
  assert.equal(s.lines[0]?.level, 60)
  assert.equal(s.lines[0]?.action, 'exit')
  assert.deepEqual(s.exits, [])
})

test('before a shutdown is attached (starting up), a fatal error exits at once with 1', () => {
  const s = setup()
  s.emitter.emit('unhandledRejection', new Error('no broker'))
  assert.deepEqual(s.exits, [1])
})

test('more transient errors than PROCESS_TRANSIENT_ERRORS_PER_MINUTE within a minute are fatal', () => {
  const s = setup(2)
  s.attach()
  s.errors.report('background', emfile())
  s.now.ms = 30_000
  assert.equal(s.errors.report('background', emfile()), 'continue')
  s.now.ms = 61_000 // the first one left the window
  assert.equal(s.errors.report('background', emfile()), 'continue')
  assert.deepEqual(s.stops, [])
  s.now.ms = 62_000
  assert.equal(s.errors.report('background', emfile()), 'exit')
  assert.deepEqual(s.stops, [['background EMFILE', 1]])
})

test('code labels are bounded: errno names, our codes, other, none', () => {
  assert.equal(errorCode(emfile()), 'EMFILE')
  assert.equal(errorCode(new PipelineError('PIPELINE_BROKER_UNAVAILABLE', 'x')), 'PIPELINE_BROKER_UNAVAILABLE')
  assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ERR_SOME_LIBRARY_THING_42' })), 'other')
  assert.equal(errorCode(Object.assign(new Error('x'), { code: 42 })), 'none')
  assert.equal(errorCode('a string'), 'none')
  assert.equal(errorCode(null), 'none')
})

/** A real process with the real policy and shutdown: what a main.ts does. */
function runFixture(body: string): Promise<{ code: number | null; out: string }> {
  const file = join(tmpdir(), `process-errors-${process.pid}-${Math.random().toString(36).slice(2)}.ts`)
  writeFileSync(file, `
import { createLogger } from '${join(PROJECT_ROOT, 'lib/src/logger.js')}'
import { createProcessMetrics, createRegistry } from '${join(PROJECT_ROOT, 'lib/src/metrics.js')}'
import { handleProcessErrors } from '${join(PROJECT_ROOT, 'lib/src/process-errors.js')}'
import { handleShutdown } from '${join(PROJECT_ROOT, 'lib/src/shutdown.js')}'
const logger = createLogger({ level: 'info' }, 'fixture')
const registry = createRegistry('fixture')
const errors = handleProcessErrors({ process, logger, metrics: createProcessMetrics(registry), maxTransientPerMinute: 60 })
const keepAlive = setInterval(() => {}, 1000)
errors.attach(handleShutdown({ process, logger, timeoutMs: 5000, close: async () => { clearInterval(keepAlive); console.log('CLOSED') } }))
const count = async () => (await registry.getSingleMetricAsString('pipeline_process_errors_total')).split('\\n').filter((l) => !l.startsWith('#')).join(' ')
${body}
`)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += String(d) })
    child.stderr.on('data', (d) => { out += String(d) })
    child.on('exit', (code) => {
      rmSync(file, { force: true })
      resolve({ code, out })
    })
  })
}

test('in a real process: EMFILE thrown from a timer is survived; a TypeError from a timer drains and exits 1', async () => {
  const { code, out } = await runFixture(`
setTimeout(() => { throw Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), { code: 'EMFILE' }) }, 10)
setTimeout(() => { void Promise.reject(Object.assign(new Error('ENFILE'), { code: 'ENFILE' })) }, 20)
setTimeout(async () => { console.log('ALIVE', await count()); setTimeout(() => { throw new TypeError('a bug') }, 10) }, 100)
`)
  assert.equal(code, 1, out)
  assert.match(out, /ALIVE .*pipeline_process_errors_total\{kind="uncaught_exception",code="EMFILE",service="fixture"\} 1/)
  assert.match(out, /kind="unhandled_rejection",code="ENFILE",service="fixture"\} 1/)
  assert.match(out, /"code":"EMFILE".*transient, still serving/)
  assert.match(out, /"level":60.*uncaught_exception \(none\): stopping with exit code 1/)
  assert.match(out, /CLOSED/, 'through the normal shutdown')
  assert.match(out, /shut down cleanly/)
})
