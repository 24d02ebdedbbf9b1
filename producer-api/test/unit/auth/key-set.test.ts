import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { ActiveApiKey } from '../../../../lib/src/api-keys/store.js'
import { PipelineError } from '../../../../lib/src/errors.js'
import { pino } from 'pino'
import { createApiKeyMetrics, createRegistry } from '../../../../lib/src/metrics.js'
import { createKeySet, startVerdict, type KeySetDeps } from '../../../src/auth/key-set.js'
import { testKey } from '../../helpers/auth.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A key set over `source` (what Postgres would answer), with its log lines and metrics. */
async function keySet(t: TestContext, source: { keys: readonly ActiveApiKey[]; down?: boolean }, o: Partial<KeySetDeps> = {}) {
  const registry = createRegistry('test')
  const metrics = createApiKeyMetrics(registry)
  const lines: { level: number; msg: string }[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as { level: number; msg: string }) } })
  const set = createKeySet({
    load: async () => {
      if (source.down) throw new Error('connect ECONNREFUSED 127.0.0.1:55432')
      return source.keys
    },
    refreshMs: 20,
    defaultRateLimit: 1000,
    logger,
    metrics,
    ...o,
  })
  t.after(() => set.close())
  return { set, lines, registry }
}

const bearer = (key: string) => `Bearer ${key}`

test('a key of the set is verified to its principal; the default rate limit fills in', async (t) => {
  const a = testKey({ name: 'web', services: ['web', 'shop-*'] })
  const b = testKey({ name: 'batch', services: ['etl'], rateLimit: 50 })
  const { set } = await keySet(t, { keys: [a.record, b.record] })
  await set.start()
  const va = set.verify(bearer(a.key))
  assert.ok(va.ok)
  assert.deepEqual([va.principal.id, va.principal.name, va.principal.rateLimit], [a.record.id, 'web', 1000])
  assert.deepEqual(['web', 'shop-eu', 'etl'].map(va.principal.mayWrite), [true, true, false])
  const vb = set.verify(bearer(b.key))
  assert.ok(vb.ok)
  assert.equal(vb.principal.rateLimit, 50)
  assert.equal(set.size, 2)
})

test('missing, malformed, unknown and wrong-secret keys are refused with their code', async (t) => {
  const a = testKey()
  const { set } = await keySet(t, { keys: [a.record] })
  await set.start()
  const sameIdOtherSecret = `${a.key.slice(0, 21)}${'A'.repeat(43)}`
  const cases: [string | undefined, string][] = [
    [undefined, 'PIPELINE_API_KEY_MISSING'],
    ['Basic dXNlcjpwYXNz', 'PIPELINE_API_KEY_MISSING'],
    ['Bearer', 'PIPELINE_API_KEY_MISSING'],
    ['Bearer not-a-key', 'PIPELINE_API_KEY_INVALID'],
    [bearer(testKey().key), 'PIPELINE_API_KEY_INVALID'],
    [bearer(sameIdOtherSecret), 'PIPELINE_API_KEY_INVALID'],
  ]
  for (const [header, code] of cases) assert.deepEqual(set.verify(header), { ok: false, code }, String(header))
})

test('constant-time path: a well-formed key costs one digest comparison whether its id is known or not', async (t) => {
  const a = testKey()
  const compared: number[] = []
  const { set } = await keySet(t, { keys: [a.record] }, { compare: (x, y) => { compared.push(x.length + y.length); return x.equals(y) } })
  await set.start()
  set.verify(bearer(a.key)) // known id, right secret
  set.verify(bearer(`${a.key.slice(0, 21)}${'B'.repeat(43)}`)) // known id, wrong secret
  set.verify(bearer(testKey().key)) // unknown id
  assert.deepEqual(compared, [64, 64, 64])
  set.verify('Bearer nonsense') // not a key: refused on its (public) shape, nothing compared
  set.verify(undefined)
  assert.equal(compared.length, 3)
})

test('created and revoked keys take effect at the next refresh', async (t) => {
  const a = testKey()
  const b = testKey()
  const source = { keys: [a.record] as readonly ActiveApiKey[] }
  const { set } = await keySet(t, source)
  await set.start()
  assert.equal(set.verify(bearer(b.key)).ok, false)
  source.keys = [b.record] // b created, a revoked
  await sleep(80)
  assert.equal(set.verify(bearer(b.key)).ok, true)
  assert.equal(set.verify(bearer(a.key)).ok, false)
})

test('Postgres away: the last set keeps serving; the outage is logged once and counted, its end logged', async (t) => {
  const a = testKey()
  const source = { keys: [a.record] as readonly ActiveApiKey[], down: false }
  const { set, lines, registry } = await keySet(t, source)
  await set.start()
  source.down = true
  await sleep(120)
  assert.equal(set.verify(bearer(a.key)).ok, true, 'served from the last set')
  const warnings = lines.filter((l) => l.level === 40)
  assert.equal(warnings.length, 1, JSON.stringify(lines))
  assert.match(warnings[0]?.msg ?? '', /serving with the last set read/)
  const errors = (await registry.getSingleMetric('pipeline_api_keys_refresh_errors_total')?.get())?.values[0]?.value ?? 0
  assert.ok(errors >= 2, `refresh errors counted: ${errors}`)
  source.down = false
  await sleep(80)
  assert.ok(lines.some((l) => l.level === 30 && /readable again/.test(l.msg)))
  assert.equal((await registry.getSingleMetric('pipeline_api_keys_loaded')?.get())?.values[0]?.value, 1)
})

test('a start without Postgres is PIPELINE_API_KEYS_UNAVAILABLE; close is idempotent and stops the refresh', async (t) => {
  let loads = 0
  const { set } = await keySet(t, { keys: [], down: true })
  await assert.rejects(set.start(), (err: unknown) => err instanceof PipelineError && err.code === 'PIPELINE_API_KEYS_UNAVAILABLE' && /ECONNREFUSED/.test(err.message))
  const { set: counted } = await keySet(t, { keys: [] }, { load: async () => { loads++; return [] } })
  await counted.start()
  await sleep(60)
  await counted.close()
  await counted.close()
  const after = loads
  await sleep(60)
  assert.ok(after >= 2, `refreshed while open: ${after}`)
  assert.equal(loads, after, 'no refresh after close')
})

test('no key at start: serve with a warning in development, refuse in production', () => {
  assert.equal(startVerdict(1, true), 'serve')
  assert.equal(startVerdict(3, false), 'serve')
  assert.equal(startVerdict(0, false), 'warn')
  assert.equal(startVerdict(0, true), 'refuse')
})
