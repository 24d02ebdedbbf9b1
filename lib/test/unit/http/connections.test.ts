import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { limitConnections } from '../../../src/http/connections.js'
import { createConnectionMetrics, createRegistry } from '../../../src/metrics.js'

/** One raw connection; resolves with what the server answered to a GET before it closed or 500 ms passed. */
function exchange(port: number, keep: Socket[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    let text = ''
    const done = () => resolve(text)
    socket.on('data', (d) => {
      text += String(d)
      if (text.includes('\r\n\r\nok')) done()
    })
    socket.on('error', done)
    socket.on('close', done)
    keep.push(socket)
  })
}

test('beyond HTTP_MAX_CONNECTIONS a connection is closed at once, counted; the others are served, and room comes back', async (t) => {
  const registry = createRegistry('test')
  const metrics = createConnectionMetrics(registry)
  const server = createServer((_req, res) => res.end('ok'))
  limitConnections(server, 3, metrics)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const sockets: Socket[] = []
  t.after(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy()
    server.close(() => r())
  }))
  const { port } = server.address() as { port: number }

  const held = await Promise.all([1, 2, 3].map(() => exchange(port, sockets)))
  assert.ok(held.every((r) => r.startsWith('HTTP/1.1 200')), 'three keep-alive connections served')
  assert.equal(await exchange(port, sockets), '', 'the fourth is closed without an answer')
  const text = await registry.metrics()
  assert.match(text, /pipeline_http_connections_refused_total\{service="test"\} 1/)
  assert.match(text, /pipeline_http_connections_open\{service="test"\} 3/)
  assert.match(text, /pipeline_http_connections_max\{service="test"\} 3/)

  sockets[0]?.destroy()
  await new Promise((r) => setTimeout(r, 50))
  assert.match(await exchange(port, sockets), /^HTTP\/1.1 200/, 'a closed connection makes room')
})
