/**
 * A TCP proxy of the test's own in front of a real server (Postgres, Redis), so that a test
 * can take the server away from one client, and give it back, without touching the shared
 * server other tests and people use. `cut()` closes the listener and every connection through
 * it; `restore()` listens on the same port again; `hang()` keeps connections open but passes
 * nothing (a server that stopped answering).
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { TestContext } from 'node:test'

export interface TestProxy {
  readonly port: number
  cut(): Promise<void>
  restore(): Promise<void>
  hang(): void
}

export async function startProxy(t: TestContext, targetPort: number, targetHost = '127.0.0.1'): Promise<TestProxy> {
  const sockets = new Set<Socket>()
  const pairs = new Set<[Socket, Socket]>()
  let hanging = false
  let server: Server | undefined
  const open = (port: number) => new Promise<number>((resolve, reject) => {
    const s = createServer((client) => {
      sockets.add(client)
      client.on('error', () => client.destroy())
      client.on('close', () => sockets.delete(client))
      if (hanging) return
      const upstream = connect(targetPort, targetHost)
      sockets.add(upstream)
      upstream.on('error', () => { upstream.destroy(); client.destroy() })
      upstream.on('close', () => { sockets.delete(upstream); client.destroy() })
      const pair: [Socket, Socket] = [client, upstream]
      pairs.add(pair)
      client.on('close', () => { upstream.destroy(); pairs.delete(pair) })
      client.pipe(upstream).pipe(client)
    })
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => {
      server = s
      const address = s.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
  const cut = async () => {
    const s = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    sockets.clear()
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  const port = await open(0)
  t.after(cut)
  return {
    port,
    cut,
    restore: async () => {
      hanging = false
      if (server === undefined) await open(port)
    },
    hang: () => {
      hanging = true
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream)
        upstream.unpipe(client)
        client.pause()
        upstream.pause()
      }
    },
  }
}
