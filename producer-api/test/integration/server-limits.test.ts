/**
 * producer-api listening (in this process, port 0) against slow and abusive clients: the
 * HTTP_* bounds of its config (lib/test/helpers/abusive-clients.ts).
 */
import type { Server } from 'node:http'
import { serverLimitTests } from '../../../lib/test/helpers/abusive-clients.js'
import { producerHarness, UNIT_LIMITS } from '../fuzz/harness.js'

serverLimitTests('producer-api', async (server) => {
  const h = await producerHarness(UNIT_LIMITS, server)
  await h.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = h.app.server.address() as { port: number }
  return { port, server: h.app.server as Server, close: () => h.app.close() }
}, { path: '/health' })
