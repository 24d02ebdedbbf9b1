/**
 * GET /api/user-data under fuzzed signatures, timestamps, user ids and headers
 * (query-api/test/fuzz/user-data.ts), through inject() with the app's real plugins and an
 * in-memory read model: a modest number of inputs here; `npm run fuzz` runs many.
 * FUZZ_SEED replays a run, FUZZ_RUNS changes its size.
 */
import { test } from 'node:test'
import { assertFuzz } from '../../../../lib/test/fuzz/runner.js'
import { unitUserDataProperty } from '../../fuzz/harness.js'

const runs = Number(process.env.FUZZ_RUNS ?? 2000)
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)

test('every fuzzed read is a 2xx or a coded 4xx problem; only a valid fresh signature reads, and only its user', async (t) => {
  const property = await unitUserDataProperty()
  t.after(() => property.close?.())
  await assertFuzz(property, { runs, seed })
})
