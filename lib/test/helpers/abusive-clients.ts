/**
 * Slow and abusive clients against a real listening API (its HTTP_* bounds, lib/src/config.ts):
 * headers dribbled a byte a second (slowloris), a body dribbled, idle and silent connections,
 * huge headers and a huge URL, malformed requests, an unknown Expect, thousands of idle
 * sockets. `serverLimitTests` registers the same tests for each API; `start` builds and listens
 * (port 0) with the bounds given.
 */
import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { parseHttpServerConfig, type HttpServerConfig } from '../../src/config.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { CODES } from '../../src/errors.js'

export interface Listening {
  readonly port: number
  readonly server: Server
  close(): Promise<void>
}

interface Exchange {
  /** What the server sent, as latin-1 text. */
  readonly text: string
  /** When the server closed the connection, ms after it was opened; undefined: still open at `waitMs`. */
  readonly closedAfterMs: number | undefined
}

/**
 * Opens a connection, writes `chunks` (a string is one chunk) `intervalMs` apart, and waits up
 * to `waitMs` for the server to close it.
 */
export function exchange(port: number, chunks: readonly (string | Buffer)[], o: { readonly intervalMs?: number; readonly waitMs: number }): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1')
    let text = ''
    let i = 0
    const write = () => {
      const chunk = chunks[i++]
      if (chunk !== undefined && !socket.destroyed) socket.write(chunk)
    }
    const writer = setInterval(write, o.intervalMs ?? 0)
    const done = (closedAfterMs: number | undefined) => {
      clearInterval(writer)
      clearTimeout(deadline)
      socket.destroy()
      resolve({ text, closedAfterMs })
    }
    const deadline = setTimeout(() => done(undefined), o.waitMs)
    socket.on('data', (d: Buffer) => { text += d.toString('latin1') })
    socket.on('close', () => done(Date.now() - started))
    socket.on('error', () => undefined) // a write after the server closed: 'close' follows
    write()
  })
}

/** The status and problem code of the first answer in `text`. */
export function answerOf(text: string): { readonly status: number; readonly type: string; readonly code: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1])
  const type = /^content-type: *([^\r\n]*)/im.exec(text)?.[1] ?? ''
  const body = text.slice(text.indexOf('\r\n\r\n') + 4)
  let code: unknown
  try {
    code = (JSON.parse(body) as { code?: unknown }).code
  } catch {
    code = undefined
  }
  return { status, type, code }
}

function assertProblem(text: string, status: number, code: keyof typeof CODES): void {
  const answer = answerOf(text)
  assert.equal(answer.status, status, text.slice(0, 300))
  assert.match(answer.type, /^application\/problem\+json/)
  assert.equal(answer.code, code)
}

const connections = (server: Server) => new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))))

/**
 * `n` connections that send nothing, held by `server`; closed by the caller. Opened 200 at a time,
 * each wave accepted before the next: connected is not accepted, and a wave past the listen
 * backlog stays unaccepted here (gVisor), where a probe would then queue behind it.
 */
async function idleSockets(port: number, n: number, server: Server): Promise<Socket[]> {
  const sockets: Socket[] = []
  const before = await connections(server)
  while (sockets.length < n) {
    const wave = await Promise.all(Array.from({ length: Math.min(200, n - sockets.length) }, () => new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s))
      s.once('error', reject)
    })))
    for (const s of wave) s.on('error', () => undefined)
    sockets.push(...wave)
    const deadline = Date.now() + 10_000
    while (await connections(server) < before + sockets.length) {
      assert.ok(Date.now() < deadline, `the server accepted ${await connections(server) - before} of ${sockets.length} connections within 10 s`)
      await sleep(10)
    }
  }
  return sockets
}

/** Bounds short enough for a test; everything else at its default. */
const SHORT: Readonly<Record<string, string>> = {
  HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '3000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000', HTTP_CONNECTION_TIMEOUT_MS: '0',
  HTTP_TIMEOUT_CHECK_INTERVAL_MS: '200', HTTP_MAX_HEADER_BYTES: '8192', HTTP_MAX_REQUESTS_PER_SOCKET: '2',
}

/** Slack over a bound for the timers and the scheduler of a busy machine. */
const SLACK_MS = 1500

export function serverLimitTests(name: string, start: (server: HttpServerConfig) => Promise<Listening>, probe: { readonly path: string }): void {
  const get = `GET ${probe.path} HTTP/1.1\r\nHost: x\r\n\r\n`
  const withServer = async (env: Readonly<Record<string, string>>, fn: (port: number, config: HttpServerConfig, server: Server) => Promise<void>) => {
    const config = parseHttpServerConfig({ ...SHORT, ...env })
    const server = await start(config)
    try {
      await fn(server.port, config, server.server)
    } finally {
      await server.close()
    }
  }

  test(`${name}: by default the server has the bounds of the config (headers 10 s, request 30 s, keep-alive 72 s, socket 60 s, 16 KiB of headers)`, async () => {
    const listening = await start(parseHttpServerConfig({}))
    try {
      const { server, port } = listening
      assert.deepEqual(
        [server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.timeout, server.maxRequestsPerSocket ?? 0],
        [10_000, 30_000, 72_000, 60_000, 0])
      assert.equal(answerOf((await exchange(port, [`GET ${probe.path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(12 * 1024)}\r\n\r\n`], { waitMs: 500 })).text).status, 200)
      assertProblem((await exchange(port, [`GET ${probe.path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(16 * 1024)}\r\n\r\n`], { waitMs: 3000 })).text, 431, 'PIPELINE_HEADERS_TOO_LARGE')
    } finally {
      await listening.close()
    }
  })

  test(`${name}: slowloris (headers a byte a second) gets 408 problem+json and is closed within HTTP_HEADERS_TIMEOUT_MS; others are served meanwhile`, async () => {
    await withServer({}, async (port, config) => {
      const bytes = [...`GET ${probe.path} HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(40)}\r\n\r\n`]
      const slow = exchange(port, bytes, { intervalMs: 1000, waitMs: 15_000 })
      const other = await exchange(port, [get], { waitMs: 300 })
      assert.equal(answerOf(other.text).status, 200, 'another client is served while one dribbles')
      const res = await slow
      assert.ok(res.closedAfterMs !== undefined && res.closedAfterMs <= config.headersTimeoutMs + config.timeoutCheckIntervalMs + SLACK_MS,
        `closed after ${res.closedAfterMs} ms (bound ${config.headersTimeoutMs} ms)`)
      assertProblem(res.text, 408, 'PIPELINE_REQUEST_TIMEOUT')
    })
  })

  test(`${name}: a connection that sends nothing is closed after HTTP_HEADERS_TIMEOUT_MS; with a longer one, after HTTP_CONNECTION_TIMEOUT_MS`, async () => {
    await withServer({}, async (port, config) => {
      const res = await exchange(port, [], { waitMs: 10_000 })
      assert.ok(res.closedAfterMs !== undefined && res.closedAfterMs <= config.headersTimeoutMs + config.timeoutCheckIntervalMs + SLACK_MS, `closed after ${res.closedAfterMs} ms`)
    })
    await withServer({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '30000', HTTP_CONNECTION_TIMEOUT_MS: '1000' }, async (port) => {
      const res = await exchange(port, [], { waitMs: 10_000 })
      assert.ok(res.closedAfterMs !== undefined && res.closedAfterMs <= 1000 + SLACK_MS, `closed after ${res.closedAfterMs} ms (socket timeout 1000 ms)`)
    })
  })

  test(`${name}: a body dribbled slower than HTTP_REQUEST_TIMEOUT_MS gets 408 and is closed`, async () => {
    await withServer({}, async (port, config) => {
      const head = `POST ${probe.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`
      const res = await exchange(port, [head, ...Array.from({ length: 60 }, () => ' ')], { intervalMs: 200, waitMs: 15_000 })
      assert.ok(res.closedAfterMs !== undefined && res.closedAfterMs <= config.requestTimeoutMs + config.timeoutCheckIntervalMs + SLACK_MS, `closed after ${res.closedAfterMs} ms`)
      // A route may have answered already (it does not read the body) or Node does: either way the client is cut off.
      const status = answerOf(res.text).status
      assert.ok(Number.isNaN(status) || status < 500 || status === 408, res.text.slice(0, 200))
      if (status === 408) assertProblem(res.text, 408, 'PIPELINE_REQUEST_TIMEOUT')
    })
  })

  test(`${name}: an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS; HTTP_MAX_REQUESTS_PER_SOCKET closes one after that many`, async () => {
    await withServer({}, async (port, config) => {
      const idle = await exchange(port, [get], { waitMs: 10_000 })
      assert.equal(answerOf(idle.text).status, 200)
      assert.ok(idle.closedAfterMs !== undefined && idle.closedAfterMs <= config.keepAliveTimeoutMs + SLACK_MS, `closed after ${idle.closedAfterMs} ms`)
      const two = await exchange(port, [get, get], { intervalMs: 100, waitMs: 3000 })
      const answers = two.text.split(/(?=HTTP\/1\.1 )/)
      assert.equal(answers.length, 2, two.text)
      assert.match(answers[1] ?? '', /connection: close/i, 'the second of two allowed answers closes the connection')
    })
  })

  test(`${name}: headers or a URL over HTTP_MAX_HEADER_BYTES get 431 problem+json; malformed requests 400 problem+json; an unknown Expect is ignored`, async () => {
    await withServer({}, async (port, config) => {
      const huge = 'h'.repeat(config.maxHeaderBytes + 1)
      assertProblem((await exchange(port, [`GET ${probe.path} HTTP/1.1\r\nHost: x\r\nX-Huge: ${huge}\r\n\r\n`], { waitMs: 3000 })).text, 431, 'PIPELINE_HEADERS_TOO_LARGE')
      const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(30)}\r\n`).join('')
      assertProblem((await exchange(port, [`GET ${probe.path} HTTP/1.1\r\nHost: x\r\n${many}\r\n`], { waitMs: 3000 })).text, 431, 'PIPELINE_HEADERS_TOO_LARGE')
      assertProblem((await exchange(port, [`GET /${'u'.repeat(config.maxHeaderBytes + 1)} HTTP/1.1\r\nHost: x\r\n\r\n`], { waitMs: 3000 })).text, 431, 'PIPELINE_HEADERS_TOO_LARGE')
      for (const bad of [
        `GET ${probe.path} HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n`,
        `POST ${probe.path} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
        `POST ${probe.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n`,
        `POST ${probe.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n`,
        'NOT HTTP AT ALL\r\n\r\n',
      ]) {
        assertProblem((await exchange(port, [bad], { waitMs: 3000 })).text, 400, 'PIPELINE_REQUEST_MALFORMED')
      }
      const expect = await exchange(port, [`GET ${probe.path} HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n`], { waitMs: 500 })
      assert.equal(answerOf(expect.text).status, 200, 'Node would answer a bare 417')
    })
  })

  test(`${name}: during 2,000 idle connections another client is answered within a second`, async () => {
    await withServer({ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '30000' }, async (port, _config, server) => {
      const sockets = await idleSockets(port, 2000, server)
      try {
        const started = Date.now()
        const res = await exchange(port, [get], { waitMs: 1000 })
        assert.equal(answerOf(res.text).status, 200, `answered within 1 s (${Date.now() - started} ms): ${res.text.slice(0, 100)}`)
        assert.equal(sockets.filter((s) => s.destroyed).length, 0, 'the idle ones are still open (below HTTP_MAX_CONNECTIONS)')
      } finally {
        for (const s of sockets) s.destroy()
      }
    })
  })
}
