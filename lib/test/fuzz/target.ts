/**
 * Where a fuzz property sends its requests: a Fastify app through inject() (unit), or a live
 * server over HTTP/1.1 (`--live`). The live client writes the bytes itself (node:http and undici
 * refuse the header values a hostile client sends): one keep-alive connection, a fresh one when
 * the server closed it, and a connection of its own for a request whose framing is its own
 * (Content-Length or Transfer-Encoding set by the case).
 */
import { connect, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

export interface FuzzRequest {
  readonly method: string
  readonly url: string
  /** Names lower-case; an array is the header repeated. Values are sent as they are (latin-1 bytes, or UTF-8 past U+00FF). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>
  readonly body?: Buffer | undefined
}

export interface FuzzResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  /**
   * The server may have taken the request before this answer: an earlier try went out and got
   * no answer (under faults, ./target.ts outlastingFaults), or was answered
   * PIPELINE_BROKER_UNCONFIRMED (handed to the broker, no ack in time).
   */
  readonly uncertain?: boolean
}

export interface Target {
  /** `inject` or the base URL. */
  readonly name: string
  readonly live: boolean
  send(request: FuzzRequest): Promise<FuzzResponse>
  close(): Promise<void>
}

export function injectTarget(app: FastifyInstance): Target {
  return {
    name: 'inject',
    live: false,
    async send(request) {
      const headers: Record<string, string | string[]> = {}
      for (const [k, v] of Object.entries(request.headers)) headers[k] = typeof v === 'string' ? v : [...v]
      const res = await app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers,
        ...(request.body === undefined ? {} : { payload: request.body }),
      })
      const out: Record<string, string> = {}
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v)
      return { status: res.statusCode, headers: out, body: res.rawPayload }
    },
    close: () => app.close(),
  }
}

/** Latin-1 bytes for a value that fits, else its UTF-8 bytes (what a careless client writes). */
function headerBytes(value: string): Buffer {
  return [...value].every((c) => c.charCodeAt(0) <= 0xff) ? Buffer.from(value, 'latin1') : Buffer.from(value, 'utf8')
}

export function serialize(request: FuzzRequest, host: string): { bytes: Buffer; ownFraming: boolean } {
  const names = Object.keys(request.headers)
  const ownFraming = names.includes('content-length') || names.includes('transfer-encoding')
  const lines: Buffer[] = [Buffer.from(`${request.method} `, 'latin1'), headerBytes(request.url), Buffer.from(` HTTP/1.1\r\nhost: ${host}\r\n`, 'latin1')]
  for (const [name, value] of Object.entries(request.headers)) {
    for (const v of typeof value === 'string' ? [value] : value) lines.push(Buffer.from(`${name}: `, 'latin1'), headerBytes(v), Buffer.from('\r\n'))
  }
  const body = request.body ?? Buffer.alloc(0)
  if (!ownFraming && (request.body !== undefined || request.method === 'POST')) lines.push(Buffer.from(`content-length: ${body.length}\r\n`))
  if (ownFraming) lines.push(Buffer.from('connection: close\r\n'))
  lines.push(Buffer.from('\r\n'))
  // A chunked request of the case's own is sent as one chunk.
  const chunked = /chunked\s*$/i.test(String(request.headers['transfer-encoding'] ?? ''))
  lines.push(chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body)
  return { bytes: Buffer.concat(lines), ownFraming }
}

interface Parsed { readonly response: FuzzResponse; readonly rest: Buffer; readonly close: boolean }

/** One response off the front of `data`; undefined while it is incomplete (`ended`: the server closed; `head`: an answer to HEAD, which has no body). */
export function parseResponse(data: Buffer, ended: boolean, head = false): Parsed | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN)
  // An interim answer (100 Continue to an Expect) comes before the one that counts.
  if (status >= 100 && status < 200) return parseResponse(data.subarray(end + 4), ended, head)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    if (i > 0) {
      const name = line.slice(0, i).trim().toLowerCase()
      const value = line.slice(i + 1).trim()
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
    }
  }
  const close = /close/i.test(headers['connection'] ?? '')
  const start = end + 4
  if (head) return { response: { status, headers, body: Buffer.alloc(0) }, rest: data.subarray(start), close }
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length'])
    if (data.length < start + length) return undefined
    return { response: { status, headers, body: data.subarray(start, start + length) }, rest: data.subarray(start + length), close }
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = []
    let at = start
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at)
      if (lineEnd < 0) return undefined
      const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
      if (data.length < lineEnd + 2 + size + 2) return undefined
      if (size === 0) return { response: { status, headers, body: Buffer.concat(chunks) }, rest: data.subarray(lineEnd + 4), close }
      chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
      at = lineEnd + 2 + size + 2
    }
  }
  // Neither: the body runs to the end of the connection.
  return ended ? { response: { status, headers, body: data.subarray(start) }, rest: Buffer.alloc(0), close: true } : undefined
}

/** A live server; `timeoutMs` bounds each request (an answer that never comes fails the property). */
export function liveTarget(baseUrl: string, { timeoutMs = 15_000 } = {}): Target {
  const url = new URL(baseUrl)
  const port = Number(url.port || 80)
  let shared: Socket | undefined
  // One exchange at a time on the kept-alive connection: requests sent meanwhile (targets fuzzed
  // at once) get a connection of their own, or their bytes would interleave on one socket.
  let sharedBusy = false

  /** `stale`: the request went out on a kept-alive connection the server may have closed meanwhile. */
  function exchange(bytes: Buffer, keepAlive: boolean, head: boolean): Promise<FuzzResponse> {
    return new Promise((resolve, reject) => {
      const reuse = keepAlive && !sharedBusy
      const stale = reuse && shared !== undefined && !shared.destroyed
      const socket = stale && shared !== undefined ? shared : connect(port, url.hostname)
      socket.setNoDelay(true)
      if (reuse) {
        shared = socket
        sharedBusy = true
      }
      let data = Buffer.alloc(0)
      let settled = false
      const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      const finish = (err: Error | undefined, parsed?: Parsed) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (reuse) sharedBusy = false
        socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onEnd)
        if (err !== undefined || parsed === undefined || parsed.close || !reuse || parsed.rest.length > 0) {
          socket.destroy()
          if (shared === socket) shared = undefined
        }
        if (parsed !== undefined) resolve(parsed.response)
        else reject(Object.assign(err ?? new Error('connection closed without an answer'), { stale: stale && data.length === 0 }))
      }
      const tryParse = (ended: boolean) => {
        const parsed = parseResponse(data, ended, head)
        if (parsed !== undefined) finish(undefined, parsed)
        else if (ended) finish(new Error(`connection closed without a whole answer (${data.length} bytes: ${JSON.stringify(data.subarray(0, 80).toString('latin1'))})`))
      }
      const onData = (chunk: Buffer) => {
        data = Buffer.concat([data, chunk])
        tryParse(false)
      }
      const onEnd = () => tryParse(true)
      // A write refused because the server already answered and closed (413 before the body) is not a failure: its answer counts.
      const onError = () => tryParse(true)
      socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onEnd)
      socket.write(bytes, () => undefined)
    })
  }

  return {
    name: baseUrl,
    live: true,
    async send(request) {
      const { bytes, ownFraming } = serialize(request, url.host)
      const head = request.method === 'HEAD'
      try {
        return await exchange(bytes, !ownFraming, head)
      } catch (err) {
        // A kept-alive connection the server closed while idle, before any answer: once more on a fresh one.
        if ((err as { stale?: boolean }).stale !== true) throw err
        return exchange(bytes, true, head)
      }
    },
    async close() {
      shared?.destroy()
      shared = undefined
    },
  }
}

/**
 * A live target while faults are injected (npm run test:faults -- --fuzz N): a request that got
 * no answer (the server killed, stalled past the client's timeout, restarting) is sent again,
 * every 500 ms until `deadlineMs` after the first try, and its answer is then `uncertain`. What
 * still fails after the deadline is thrown, as without faults.
 */
export function outlastingFaults(target: Target, deadlineMs: number): Target {
  return {
    name: `${target.name} (outlasting faults)`,
    live: target.live,
    async send(request) {
      const deadline = Date.now() + deadlineMs
      for (let uncertain = false; ; uncertain = true) {
        try {
          const res = await target.send(request)
          return uncertain ? { ...res, uncertain } : res
        } catch (err) {
          if (Date.now() >= deadline) throw err
          await new Promise((resolve) => setTimeout(resolve, 500))
        }
      }
    },
    close: () => target.close(),
  }
}

/** How long a live property waits out answers that are not the input's doing. */
export interface Settle {
  readonly isRetry: (res: FuzzResponse) => boolean
  /** Tries in all (each after Retry-After, at most 2 s). */
  readonly attempts: number
}

const UNCONFIRMED = /"code"\s*:\s*"PIPELINE_BROKER_UNCONFIRMED"/

/**
 * Sends, and on a live server waits out what is not the input's doing (backpressure, admission,
 * a rate limit: 429/503 with a retriable code, `isRetry`) for up to `attempts` tries, after
 * Retry-After (at most 2 s). The last answer counts, whatever it is; it is `uncertain` if any
 * try was.
 */
export async function sendSettled(target: Target, request: FuzzRequest, isRetry: (res: FuzzResponse) => boolean, attempts = 20): Promise<FuzzResponse> {
  let uncertain = false
  for (let i = 1; ; i++) {
    const res = await target.send(request)
    uncertain ||= res.uncertain === true || (res.status === 503 && UNCONFIRMED.test(res.body.toString('utf8')))
    if (!target.live || i >= attempts || !isRetry(res)) return uncertain ? { ...res, uncertain } : res
    const seconds = Number(res.headers['retry-after'] ?? 1)
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, Number.isFinite(seconds) ? seconds * 1000 : 1000)))
  }
}
