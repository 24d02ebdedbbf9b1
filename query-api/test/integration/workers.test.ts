/**
 * QUERY_WORKERS=2 on the real MySQL and Redis: one port served by two worker processes; GET
 * /metrics counts the requests of both whichever answers; a worker killed with -9 is replaced
 * and reads go on; SIGTERM to the primary stops every worker and exits 0.
 */
import assert from 'node:assert/strict'
import { get } from 'node:http'
import { test } from 'node:test'
import { signedHeaders } from '../../../lib/src/signature.js'
import { alive, childPids as children, startService } from '../../../lib/test/helpers/processes.js'
import { uniqueUserId, waitFor } from '../../../lib/test/helpers/services.js'

const SECRET = 'integration-workers-signing-secret'

/** A signed read on a connection of its own (no keep-alive): the primary hands each new connection to the next worker. */
function readOnNewConnection(url: string, userId: number): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${url}/api/user-data`, { agent: false, headers: signedHeaders(SECRET, userId) }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
    }).once('error', reject)
  })
}

const userDataRequests = async (url: string): Promise<number> => {
  const text = await fetch(`${url}/metrics`).then((r) => r.text())
  return [...text.matchAll(/^pipeline_http_requests_total\{[^}]*route="\/api\/user-data"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
}

test('QUERY_WORKERS=2: two workers on one port, metrics of both, a killed worker replaced, SIGTERM stops them all', async (t) => {
  const query = await startService(t, 'query-api', { QUERY_WORKERS: '2', QUERY_SIGNING_SECRET: SECRET })
  const primary = query.proc.pid ?? 0
  await waitFor(async () => children(primary).length === 2, { timeoutMs: 30_000, message: 'two workers' })
  const workers = children(primary)

  const user = uniqueUserId() // no recap: 404, counted like any answer
  const statuses = await Promise.all(Array.from({ length: 20 }, () => readOnNewConnection(query.url, user)))
  assert.deepEqual([...new Set(statuses)], [404])
  assert.equal(await userDataRequests(query.url), 20, 'every worker\'s requests, whichever worker answered /metrics')

  process.kill(workers[0] ?? 0, 'SIGKILL')
  await waitFor(async () => {
    const now = children(primary)
    return now.length === 2 && !now.includes(workers[0] ?? 0)
  }, { timeoutMs: 30_000, message: 'a new worker in place of the killed one' })
  const replaced = children(primary)
  await waitFor(() => (query.log().match(/"query-api listening"/g) ?? []).length === 3, { timeoutMs: 30_000, message: 'the new worker listening' })
  assert.match(query.log(), /a worker exited: starting another/)
  const after = await Promise.all(Array.from({ length: 8 }, () => readOnNewConnection(query.url, user)))
  assert.deepEqual([...new Set(after)], [404])

  query.kill('SIGTERM')
  assert.equal(await query.exited, 0)
  for (const pid of replaced) assert.equal(alive(pid), false, `worker ${pid} stopped with its primary`)
  assert.equal((query.log().match(/"shut down cleanly"/g) ?? []).length, 2, 'each worker drained and closed')
})
