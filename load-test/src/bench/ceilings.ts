/**
 * The machine's own ceilings, measured in the same run as our figures so that ratios mean
 * something on a shared, noisy machine: raw COPY into the same Postgres (same columns, same
 * primary key, one connection), and a no-op Fastify route under the same load generator.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import autocannon from 'autocannon'
import { hammer } from './ingest.js'

export async function copyCeiling(databaseUrl: string, rows = 300_000): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const table = `bench_copy_${randomUUID().slice(0, 8)}`
  try {
    await client.query(`CREATE TABLE ${table} (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
    const payload = JSON.stringify({ kind: 'bench', text: 'x'.repeat(160), n: 42, ok: true })
    function* lines(): Generator<string> {
      let chunk = ''
      for (let i = 0; i < rows; i++) {
        chunk += `${randomUUID()}\tbench-copy\tgeneric\t1\t1\t\\N\t2026-01-01T00:00:00.000000Z\t2026-01-01T00:00:00.000000Z\t0\t${i}\t${payload}\n`
        if (chunk.length > 65_536) {
          yield chunk
          chunk = ''
        }
      }
      if (chunk) yield chunk
    }
    const started = performance.now()
    await pipeline(Readable.from(lines()), client.query(copyFrom(
      `COPY ${table} (event_id, service, event_type, schema_version, schema_id, user_id, occurred_at, received_at, kafka_partition, kafka_offset, payload) FROM STDIN`)))
    const seconds = (performance.now() - started) / 1000
    return { rows, seconds, rowsPerSecond: Math.round(rows / seconds) }
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined)
    await client.end()
  }
}

const NOOP_SERVER = `
import Fastify from 'fastify'
const app = Fastify()
app.post('/noop', { schema: { body: { type: 'object' } } }, async (_req, reply) => reply.code(202).send({ ok: true }))
await app.listen({ host: '127.0.0.1', port: 0 })
process.send({ port: app.server.address().port })
`

/**
 * A GET route that answers one Redis GET (ioredis, auto-pipelining): the read path's ceiling.
 * Also at /api/user-data (headers ignored) with a /health/ready, so that the read scenarios'
 * runner can drive it exactly as it drives query-api.
 */
export const REDIS_GET_SERVER = `
import Fastify from 'fastify'
import { Redis } from 'ioredis'
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:56379', { enableAutoPipelining: true })
await redis.set('bench:ceiling', JSON.stringify({ user_id: 1, trx_count: 3, total_amount: 303, top_category: 'groceries' }))
const app = Fastify()
const get = async (_req, reply) => reply.type('application/json').send(await redis.get('bench:ceiling'))
app.get('/get', get)
app.get('/api/user-data', get)
app.get('/health/ready', async () => ({ status: 'ready' }))
await app.listen({ host: '127.0.0.1', port: 0 })
process.send({ port: app.server.address().port })
`

/** Starts `server` (an ES module source) in a child process and runs `drive` against its port. */
export async function withServer<T>(server: string, drive: (port: number) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', server], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: process.cwd() })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port))
      child.once('exit', (code) => reject(new Error(`ceiling server exited (${code})`)))
    })
    return await drive(port)
  } finally {
    child.kill('SIGTERM')
  }
}

/** Requests/s of a Fastify route that parses and validates a JSON body and answers 202. */
export async function noopCeiling(body: string, connections: number, seconds: number): Promise<{ requestsPerSecond: number; p50: number; p99: number }> {
  return withServer(NOOP_SERVER, async (port) => {
    const result = await hammer(`http://127.0.0.1:${port}/noop`, body, connections, seconds)
    return { requestsPerSecond: Math.round(result.requests.total / seconds), p50: result.latency.p50, p99: result.latency.p99 }
  })
}

/** Requests/s of a Fastify GET answering one Redis GET, under the same load generator. */
export async function redisGetCeiling(connections: number, seconds: number): Promise<{ requestsPerSecond: number; p50: number; p99: number }> {
  return withServer(REDIS_GET_SERVER, async (port) => {
    const result = await autocannon({ url: `http://127.0.0.1:${port}/get`, connections, duration: seconds })
    return { requestsPerSecond: Math.round(result.requests.total / seconds), p50: result.latency.p50, p99: result.latency.p99 }
  })
}
