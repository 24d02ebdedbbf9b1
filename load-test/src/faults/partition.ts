/**
 * A TCP proxy that can cut a service off from a server the way a network partition does: while
 * cut, no byte crosses in either direction and new connections wait (they are accepted and
 * held, as a SYN to an unreachable host hangs); healed, the held bytes flow again, as TCP's
 * retransmissions would deliver them. The sink reaches Postgres through it.
 */
import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface Partition {
  readonly port: number
  cut(): void
  heal(): void
  close(): Promise<void>
}

export async function createPartition(target: { readonly host: string; readonly port: number }): Promise<Partition> {
  let isCut = false
  const pairs = new Set<[Socket, Socket]>()
  const waiting: Array<() => void> = []

  const pipe = (client: Socket): void => {
    const upstream = connect(target.port, target.host)
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const end = () => { pairs.delete(pair); client.destroy(); upstream.destroy() }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream)
    upstream.pipe(client)
    if (isCut) { client.pause(); upstream.pause() }
  }

  const server = createServer({ pauseOnConnect: true }, (client) => {
    client.on('error', () => client.destroy())
    if (isCut) waiting.push(() => { client.resume(); pipe(client) })
    else { client.resume(); pipe(client) }
  })
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()) })

  let closing: Promise<void> | undefined
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      isCut = true
      // pause() stops reading; pipe() may resume a socket when the other side drains, so unpipe too.
      for (const [a, b] of pairs) { a.unpipe(b); b.unpipe(a); a.pause(); b.pause() }
    },
    heal: () => {
      isCut = false
      for (const [a, b] of pairs) { a.pipe(b); b.pipe(a); a.resume(); b.resume() }
      for (const go of waiting.splice(0)) go()
    },
    close: () => (closing ??= new Promise<void>((resolve) => {
      for (const [a, b] of pairs) { a.destroy(); b.destroy() }
      server.close(() => resolve())
    })),
  }
}
