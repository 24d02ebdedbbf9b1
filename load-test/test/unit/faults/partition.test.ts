import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { createPartition } from '../../../src/faults/partition.js'

const echo = async (t: { after(fn: () => unknown): void }) => {
  const sockets = new Set<Socket>()
  const server = createServer((s) => { sockets.add(s); s.on('error', () => undefined).pipe(s) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r) }))
  return (server.address() as AddressInfo).port
}

const reader = (socket: Socket) => {
  let got = ''
  socket.on('data', (d: Buffer) => { got += d.toString() })
  return () => got
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('while cut, nothing crosses and new connections wait; healed, the held bytes arrive', async (t) => {
  const partition = await createPartition({ host: '127.0.0.1', port: await echo(t) })
  t.after(() => partition.close())
  const a = connect(partition.port, '127.0.0.1')
  t.after(() => a.destroy())
  await once(a, 'connect')
  const gotA = reader(a)
  a.write('one')
  for (let i = 0; i < 50 && gotA() !== 'one'; i++) await sleep(10)
  assert.equal(gotA(), 'one')

  partition.cut()
  a.write('two')
  const b = connect(partition.port, '127.0.0.1')
  t.after(() => b.destroy())
  const gotB = reader(b)
  b.write('three')
  await sleep(200)
  assert.equal(gotA(), 'one', 'nothing crosses while cut')
  assert.equal(gotB(), '', 'a new connection waits')

  partition.heal()
  for (let i = 0; i < 100 && (gotA() !== 'onetwo' || gotB() !== 'three'); i++) await sleep(10)
  assert.equal(gotA(), 'onetwo')
  assert.equal(gotB(), 'three')
})
