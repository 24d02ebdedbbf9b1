/** handleShutdown and once with a stand-in process: when close runs, and which exit code the process gets. */
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { test } from 'node:test'
import { handleShutdown, once } from '../../src/shutdown.js'
import { quietLogger } from '../helpers/services.js'

/** A process whose signals the test emits and whose exit only records the code. */
function fakeProcess() {
  const exits: number[] = []
  const proc = Object.assign(new EventEmitter(), { exit: (code?: number) => { exits.push(code ?? 0) } })
  return { proc: proc as unknown as NodeJS.Process, emitter: proc, exits }
}

/** A close the test finishes by hand. */
function manualClose() {
  let calls = 0
  let finish: (err?: Error) => void = () => undefined
  const close = () => {
    calls++
    return new Promise<void>((resolve, reject) => { finish = (err) => (err === undefined ? resolve() : reject(err)) })
  }
  return { close, calls: () => calls, finish: (err?: Error) => finish(err) }
}

const settle = () => new Promise((r) => setImmediate(r))

/** handleShutdown on a stand-in process with a close the test finishes by hand. */
function started(timeoutMs = 60_000) {
  const { proc, emitter, exits } = fakeProcess()
  const c = manualClose()
  const shutdown = handleShutdown({ process: proc, logger: quietLogger, timeoutMs, close: c.close })
  return { emitter, exits, c, shutdown }
}

test('SIGTERM closes once, and exits 0 only after close has finished', async () => {
  const { emitter, exits, c } = started()
  emitter.emit('SIGTERM')
  await settle()
  assert.equal(c.calls(), 1)
  assert.deepEqual(exits, [], 'still closing')
  c.finish()
  await settle()
  assert.deepEqual(exits, [0])
})

test('stop with a code (a permanent failure) closes and exits with that code', async () => {
  const { exits, c, shutdown } = started()
  shutdown.stop('permanent store failure', 1)
  c.finish()
  await settle()
  assert.deepEqual(exits, [1])
})

test('a close that fails exits 1', async () => {
  const { emitter, exits, c } = started()
  emitter.emit('SIGINT')
  c.finish(new Error('pool end failed'))
  await settle()
  assert.deepEqual(exits, [1])
})

test('a close that outlasts the deadline: exit 1 at the deadline, without waiting for it', async () => {
  const { emitter, exits } = started(20)
  emitter.emit('SIGTERM')
  await new Promise((r) => setTimeout(r, 60))
  assert.deepEqual(exits, [1])
})

test('a second signal while closing exits 1 at once', async () => {
  const { emitter, exits, c } = started()
  emitter.emit('SIGTERM')
  assert.equal(c.calls(), 1)
  emitter.emit('SIGINT')
  assert.equal(exits[0], 1, 'without waiting for the close under way')
})

test('signals: a signal left out (SIGINT in a cluster worker) neither stops the process nor kills it', async () => {
  const { proc, emitter, exits } = fakeProcess()
  const c = manualClose()
  handleShutdown({ process: proc, logger: quietLogger, timeoutMs: 60_000, close: c.close, signals: ['SIGTERM'] })
  assert.equal(emitter.listenerCount('SIGINT'), 1, 'caught, so that its default action does not kill the process')
  emitter.emit('SIGINT')
  await settle()
  assert.equal(c.calls(), 0)
  emitter.emit('SIGTERM')
  c.finish()
  await settle()
  assert.deepEqual(exits, [0])
})

test('once: the wrapped close runs once; every caller gets the same promise, failure included', async () => {
  let runs = 0
  const close = once(async () => {
    runs++
    throw new Error('failed once')
  })
  const [a, b] = [close(), close()]
  assert.equal(a, b)
  await assert.rejects(a, /failed once/)
  await assert.rejects(close(), /failed once/)
  assert.equal(runs, 1)
})
