/**
 * Who may write, end to end: producer-api and the sink as child processes on a fresh topic,
 * keys in the real Postgres, the rate limit in the real Redis. What was refused (401, 403,
 * 429) is never in Postgres; revocation with `npm run keys -- revoke` takes effect within
 * API_KEYS_REFRESH_MS; without any key, production refuses to start and development answers 401.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { createTestKey, testPgDatabase } from '../../../lib/test/helpers/keys.js'
import { genericEvent, post } from '../../../lib/test/helpers/load.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { assertExactlyOnce, countByEventId, createTestTopic, testPool, waitFor } from '../../../lib/test/helpers/services.js'

const run = promisify(execFile)

test('202 with a key for the service; 401, 403 and 429 write nothing to Postgres', async (t) => {
  const topic = await createTestTopic(t, 1) // one partition: an event stored after the refused ones means they would be there by now
  const pool = testPool(t)
  await startService(t, 'consumer', topic.env)
  const web = await createTestKey(t, { services: ['e2e-web', 'e2e-shop-*'] })
  const slow = await createTestKey(t, { services: ['*'], rateLimit: 2 })
  const api = await startService(t, 'producer-api', topic.env)

  const accepted = [genericEvent('e2e-web'), genericEvent('e2e-shop-eu')]
  for (const e of accepted) assert.equal((await post(`${api.url}/events`, e, web.key)).status, 202)

  const refused: { id: string; status: number; code: unknown }[] = []
  const refuse = async (path: string, body: { event_id: string } | { events: { event_id: string }[] }, key: string | undefined) => {
    const res = await post(`${api.url}${path}`, body, key)
    for (const id of 'events' in body ? body.events.map((e) => e.event_id) : [body.event_id]) refused.push({ id, status: res.status, code: res.body.code })
    return res
  }
  await refuse('/events', genericEvent('e2e-web'), undefined)
  await refuse('/events', genericEvent('e2e-web'), `${web.key.slice(0, -4)}AAAA`)
  await refuse('/events', genericEvent('e2e-billing'), web.key)
  const forbidden = await refuse('/events/batch', { events: [genericEvent('e2e-web'), genericEvent('e2e-billing')] }, web.key)
  assert.deepEqual(forbidden.body.errors, [{ index: 1, path: '/service', message: `API key ${web.record.id} (${web.record.name}) may not write service "e2e-billing"` }])
  const burst = await Promise.all(Array.from({ length: 6 }, () => genericEvent('e2e-slow')).map(async (e) => ({ e, res: await post(`${api.url}/events`, e, slow.key) })))
  for (const { e, res } of burst) {
    if (res.status === 202) accepted.push(e)
    else refused.push({ id: e.event_id, status: res.status, code: res.body.code })
  }
  assert.ok(burst.filter((b) => b.res.status === 202).length <= 2, `at most 2 per second: ${JSON.stringify(burst.map((b) => b.res.status))}`)
  assert.ok(burst.some((b) => b.res.status === 429 && b.res.retryAfter === 1), 'a 429 with Retry-After')

  assert.deepEqual(refused.map((r) => [r.status, r.code]).slice(0, 5), [
    [401, 'PIPELINE_API_KEY_MISSING'], [401, 'PIPELINE_API_KEY_INVALID'], [403, 'PIPELINE_SERVICE_FORBIDDEN'],
    [403, 'PIPELINE_SERVICE_FORBIDDEN'], [403, 'PIPELINE_SERVICE_FORBIDDEN'],
  ])
  assert.ok(refused.slice(5).every((r) => r.status === 429 && r.code === 'PIPELINE_RATE_LIMITED'), JSON.stringify(refused.slice(5)))
  const barrier = genericEvent('e2e-web')
  assert.equal((await post(`${api.url}/events`, barrier, web.key)).status, 202)
  await assertExactlyOnce(pool, [...accepted, barrier].map((e) => e.event_id))
  assert.equal((await countByEventId(pool, refused.map((r) => r.id))).size, 0, 'nothing refused is stored')
  const metrics = await (await fetch(`${api.url}/metrics`)).text()
  assert.match(metrics, /pipeline_api_key_failures_total\{reason="PIPELINE_SERVICE_FORBIDDEN",service="producer-api"\} 2/)
  assert.match(metrics, /pipeline_api_keys_loaded\{service="producer-api"\} [1-9]/)
})

test('npm run keys -- revoke: the key is refused within API_KEYS_REFRESH_MS', async (t) => {
  const topic = await createTestTopic(t, 1)
  await startService(t, 'consumer', topic.env)
  const { key, record } = await createTestKey(t)
  const api = await startService(t, 'producer-api', { ...topic.env, API_KEYS_REFRESH_MS: '500' })
  assert.equal((await post(`${api.url}/events`, genericEvent('e2e-revoke'), key)).status, 202)
  const { stderr } = await run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'keys.ts'), 'revoke', record.id], { cwd: PROJECT_ROOT })
  assert.match(stderr, new RegExp(`revoked ${record.id}`))
  const revokedAt = Date.now()
  let status = 202
  await waitFor(async () => (status = (await post(`${api.url}/events`, genericEvent('e2e-revoke'), key)).status) === 401, { timeoutMs: 5000, intervalMs: 25, message: '401 after revoke' })
  const took = Date.now() - revokedAt
  t.diagnostic(`revoke → 401: ${took} ms (API_KEYS_REFRESH_MS 500)`)
  assert.equal(status, 401)
  assert.ok(took <= 500 + 1000, `within the refresh bound: ${took} ms`)
})

test('no key in the table: NODE_ENV=production refuses to start with the command to make one; development starts and answers 401', async (t) => {
  const empty = await testPgDatabase(t)
  const topic = await createTestTopic(t, 1)
  await assert.rejects(startService(t, 'producer-api', { ...topic.env, ...empty.env, NODE_ENV: 'production' }), (err: Error) => {
    assert.match(err.message, /exited during start/)
    assert.match(err.message, /no producer API keys .* NODE_ENV=production: not starting/)
    assert.match(err.message, /npm run keys -- create --name <name> --services <service,...>/)
    return true
  })
  const dev = await startService(t, 'producer-api', { ...topic.env, ...empty.env })
  assert.match(dev.log(), /no producer API keys yet: every POST \/events is 401/)
  const res = await post(`${dev.url}/events`, genericEvent('e2e-nokeys'), undefined)
  assert.equal(res.status, 401)
  assert.equal((await post(`${dev.url}/events`, genericEvent('e2e-nokeys'), (await createTestKey(t)).key)).status, 401, 'a key of another database is unknown here')
})
