/**
 * After a 413 answered before the body was read, producer-api reads and drops what still
 * arrives for HTTP_LINGER_MS, then closes (lib/src/http/server-options.ts, lingerBeforeClose;
 * that every client then reads its 413 is the e2e test, producer-api/test/e2e/linger.test.ts).
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { parseHttpServerConfig } from '../../../lib/src/config.js'
import { producerHarness, UNIT_LIMITS } from '../fuzz/harness.js'

async function listening(env: Record<string, string> = {}) {
  const h = await producerHarness(UNIT_LIMITS, parseHttpServerConfig(env))
  await h.app.listen({ host: '127.0.0.1', port: 0 })
  return { h, port: (h.app.server.address() as { port: number }).port }
}

test('a client that stops sending after the 413 is closed after HTTP_LINGER_MS', async (t) => {
  const { h, port } = await listening({ HTTP_LINGER_MS: '300' })
  t.after(() => h.app.close())
  const connections = () => new Promise<number>((resolve, reject) => h.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }) // it keeps its side open after the server's FIN
  t.after(() => socket.destroy())
  socket.on('error', () => undefined)
  await new Promise((r) => socket.once('connect', r))
  socket.write(`POST /events/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${h.writerKey}\r\nContent-Length: 10000000\r\n\r\n{"events":[`)
  const answer = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))))
  const answeredAt = Date.now()
  assert.match(answer, /^HTTP\/1\.1 413 /)
  assert.equal(await connections(), 1, 'still reading what the client sends')
  while (await connections() > 0) await new Promise((r) => setTimeout(r, 20))
  const ms = Date.now() - answeredAt
  assert.ok(ms >= 250 && ms < 2000, `closed ${ms} ms after the answer`)
})

test('a client that asked for Connection: close and is refused before its body (401) is lingered for too, then closed', async (t) => {
  const { h, port } = await listening({ HTTP_LINGER_MS: '300' })
  t.after(() => h.app.close())
  const connections = () => new Promise<number>((resolve, reject) => h.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  t.after(() => socket.destroy())
  socket.on('error', () => undefined)
  await new Promise((r) => socket.once('connect', r))
  // No key: refused by the first hook, before any of the 10 MB is read.
  socket.write('POST /events/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 10000000\r\n\r\n{"events":[')
  const answer = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))))
  const answeredAt = Date.now()
  assert.match(answer, /^HTTP\/1\.1 401 /)
  assert.equal(await connections(), 1, 'still reading what the client sends')
  socket.write('x'.repeat(64 * 1024)) // read and dropped, not reset
  while (await connections() > 0) await new Promise((r) => setTimeout(r, 20))
  const ms = Date.now() - answeredAt
  assert.ok(ms >= 250 && ms < 2000, `closed ${ms} ms after the answer`)
})
