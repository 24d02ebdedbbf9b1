/**
 * POST /events and POST /events/batch under fuzzed input (producer-api/test/fuzz/events.ts),
 * through inject() with the app's real plugins and a recording sender: a modest number of
 * inputs here; `npm run fuzz` runs many. FUZZ_SEED replays a run, FUZZ_RUNS changes its size.
 */
import { test } from 'node:test'
import { assertFuzz } from '../../../../lib/test/fuzz/runner.js'
import { unitEventsProperties } from '../../fuzz/harness.js'

const runs = Number(process.env.FUZZ_RUNS ?? 1500)
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)

test('every fuzzed request is a 2xx or a coded 4xx problem; what is produced is valid and as sent; a 4xx produces nothing', async (t) => {
  const properties = await unitEventsProperties()
  t.after(async () => { for (const p of properties) await p.close?.() })
  for (const p of properties) await t.test(p.name, async () => { await assertFuzz(p, { runs, seed }) })
})
