/**
 * A store that no retry can mend (here: a database without the sink's tables) stops the
 * consumer with the reason and exit code 1, instead of retrying its partition forever.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import pg from 'pg'
import { parsePostgresConfig } from '../../../lib/src/config.js'
import { createTestKey } from '../../../lib/test/helpers/keys.js'
import { startService } from '../../../lib/test/helpers/processes.js'
import { createTestTopic, waitFor } from '../../../lib/test/helpers/services.js'
import { genericEvent, post } from '../../../lib/test/helpers/load.js'

test('a missing table stops the sink with the reason and exit code 1, no retry loop', async (t) => {
  const base = new URL(parsePostgresConfig(process.env).url)
  const name = `aurore_t_${randomUUID().slice(0, 8)}`
  const admin = new pg.Client({ connectionString: base.toString() })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`) // no migrations: no events, no sink_offsets
  t.after(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })
  const empty = new URL(base)
  empty.pathname = `/${name}`

  const topic = await createTestTopic(t, 1)
  const { key } = await createTestKey(t)
  const api = await startService(t, 'producer-api', topic.env)
  const sink = await startService(t, 'consumer', { ...topic.env, DATABASE_URL: empty.toString() })
  assert.equal((await post(`${api.url}/events`, genericEvent('e2e-permanent'), key)).status, 202)
  let code: number | null | undefined
  void sink.exited.then((c) => { code = c })
  await waitFor(() => code !== undefined, { timeoutMs: 30_000, message: 'the sink to stop' })
  assert.equal(code, 1)
  const log = sink.log()
  assert.match(log, /no retry mends: stopping/)
  assert.match(log, /relation \\"sink_offsets\\" does not exist|42P01/)
  assert.doesNotMatch(log, /batch write failed: retrying/)
})
