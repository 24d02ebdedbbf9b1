import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import Fastify from 'fastify'
import { registerProblemHandlers } from '../../../../lib/src/http/problem.js'
import { admission } from '../../../src/plugins/admission.js'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Sends a request's head over a raw socket and goes away before any answer. */
async function abandon(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  await new Promise((r) => socket.once('connect', r))
  socket.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n')
  await tick(20)
  socket.destroy()
}

test('admission: a client that left while an earlier hook waited holds no share of the bound', async (t) => {
  const app = Fastify()
  registerProblemHandlers(app)
  // An earlier onRequest hook that waits, as the API key's rate limit waits on Redis.
  app.addHook('onRequest', async () => { await tick(100) })
  admission(app, { maxRequests: 2, maxBytes: 1_000_000, bodyLimit: 10_000, retryAfterSeconds: 1 })
  app.post('/x', async () => 'ok')
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => app.close())
  const { port } = app.server.address() as { port: number }

  for (let i = 0; i < 5; i++) await abandon(port)
  await tick(200) // every abandoned request has passed the hooks
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(res.status, 200, `request ${i} after 5 abandoned ones: ${await res.text()}`)
  }
})
