/**
 * producer-api under an open-file limit of 400 (ulimit -n), against a client that holds more
 * idle sockets than that, as the open-model load client did when the API died of EMFILE (thrown
 * out of @fastify/under-pressure's sampling timer). Real broker, fresh topic.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, openSync, readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { createTestKey } from '../../../lib/test/helpers/keys.js'
import { genericEvent, post } from '../../../lib/test/helpers/load.js'
import { freePort } from '../../../lib/test/helpers/processes.js'
import { createTestTopic, uniqueName, waitFor } from '../../../lib/test/helpers/services.js'

const FD_LIMIT = 400
const RESERVE = 150

/** producer-api (from source) with `ulimit -n FD_LIMIT`; resolves once it listens, or with its exit code. */
async function startLimited(t: TestContext, env: Readonly<Record<string, string>>) {
  const dir = join(PROJECT_ROOT, '.local', 'logs', 'test')
  mkdirSync(dir, { recursive: true })
  const logFile = join(dir, `${uniqueName('producer-api-fd')}.log`)
  const port = await freePort()
  const proc = spawn('bash', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'producer-api/src/main.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', PORT: String(port), HTTP_FD_RESERVE: String(RESERVE), ...env },
    stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
  })
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => { exitCode = code; resolve(code) }))
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    return exited
  })
  const log = () => readFileSync(logFile, 'utf8')
  await waitFor(() => exitCode !== undefined || log().includes('"producer-api listening"'), { timeoutMs: 60_000, message: `producer-api to listen (${logFile})` })
  return { url: `http://127.0.0.1:${port}`, port, proc, exited, log, alive: () => exitCode === undefined }
}

/** Connects; the socket is marked closed once the server closes it. */
function hold(port: number, sockets: { socket: Socket; closed: boolean }[]): void {
  const entry = { socket: connect(port, '127.0.0.1'), closed: false }
  entry.socket.once('close', () => { entry.closed = true })
  entry.socket.on('error', () => { entry.closed = true })
  entry.socket.on('end', () => { entry.closed = true })
  sockets.push(entry)
}

test('more sockets than the fd limit: the excess is refused, the API lives on and serves once they go', async (t) => {
  const topic = await createTestTopic(t, 1)
  const { key } = await createTestKey(t)
  const api = await startLimited(t, topic.env)
  assert.match(api.log(), /"maxConnections":250,"fdLimit":"400","fdReserve":150/)
  await waitFor(() => fetch(`${api.url}/health/ready`).then((r) => r.ok, () => false), { message: 'ready' })

  const sockets: { socket: Socket; closed: boolean }[] = []
  t.after(() => { for (const s of sockets) s.socket.destroy() })
  for (let i = 0; i < 450; i++) hold(api.port, sockets)
  // The kernel completes each handshake (the listen backlog) before the API accepts and closes it.
  await waitFor(() => sockets.filter((s) => s.closed).length >= 450 - 250, { timeoutMs: 15_000, message: 'the excess closed' })
  await new Promise((r) => setTimeout(r, 2500)) // several ticks of the event-loop sampler and the lag monitor
  const open = sockets.filter((s) => !s.closed).length
  assert.ok(open <= 250, `at most HTTP_MAX_CONNECTIONS stay open (${open})`)
  assert.ok(open >= 200, `the bound, not something else, refused them (${open} open)`)
  assert.ok(api.alive(), `still running:\n${api.log().slice(-2000)}`)

  for (const s of sockets) s.socket.destroy()
  await new Promise((r) => setTimeout(r, 200))
  assert.equal((await post(`${api.url}/events`, genericEvent('fd-limit'), key)).status, 202)
  const metrics = await (await fetch(`${api.url}/metrics`)).text()
  const refused = Number(/pipeline_http_connections_refused_total\{service="producer-api"\} (\d+)/.exec(metrics)?.[1])
  assert.ok(refused >= 450 - 250, `refusals counted (${refused})`)
  assert.doesNotMatch(metrics, /^pipeline_process_errors_total\{.*\} [1-9]/m, 'nothing uncaught')
  assert.doesNotMatch(api.log(), /EMFILE/)
})

test('a bound above the fd limit minus the reserve is refused at start, naming the variable', async (t) => {
  const api = await startLimited(t, { HTTP_MAX_CONNECTIONS: '300' })
  assert.notEqual(await api.exited, 0)
  assert.match(api.log(), /HTTP_MAX_CONNECTIONS: must be at most 250 \(the open-file limit 400 minus HTTP_FD_RESERVE 150\)/)
})
