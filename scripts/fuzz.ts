/**
 * npm run fuzz -- [--runs N] [--seed S] [--live] [--only TEXT] [--keep-going] [--faults] [--ledger-file F] [--writer-services LIST] [--parallel]
 *
 * The fuzz properties of the unit tests (producer-api/test/fuzz, query-api/test/fuzz), many
 * more times: N inputs per target (default 10,000), each target with its own seed (S, S+1, …;
 * default: new ones), printed with the count, the seed and, on failure, fast-check's shrunk
 * counterexample. Without --live they run through inject() against apps built in this process;
 * with --live, over HTTP against the running stack (PRODUCER_URL, default http://127.0.0.1:3000;
 * QUERY_URL, http://127.0.0.1:3002; QUERY_SIGNING_SECRET, else the local default; PRODUCER_API_KEY,
 * else the local key npm start made), and then Postgres is checked: every acknowledged event
 * stored once, none of the refused ones. --keep-going: a failure does not end a target's run; it
 * goes on with the next seed, and each distinct failure is printed once. Exit code 1 if anything failed.
 * --faults (live, while npm run test:faults breaks the stack): a request without an answer is
 * sent again for up to 120 s, and every retriable 429/503 of the error table is waited out.
 * --ledger-file F: instead of checking Postgres, the run's ids and results are written to F (the
 * fault run checks them once its consumers caught up). --writer-services LIST: the services the
 * writer key may write (as `npm run keys` takes them; default `*`): a mutated event of another
 * service is to be refused with 403. --parallel: the targets at once instead of one after another.
 * SIGINT or SIGTERM: each target stops after the stretch of 100 inputs under way, and what ran
 * is reported and checked as usual (the fault run stops it so when its faults are over).
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { serviceMatcher } from '../lib/src/api-keys/key.js'
import { resolveApiKey } from '../lib/src/api-keys/local.js'
import { loadCatalog } from '../lib/src/avro/catalog.js'
import { parsePostgresConfig } from '../lib/src/config.js'
import { createLogger } from '../lib/src/logger.js'
import { createPgPool } from '../lib/src/pg/pool.js'
import { fuzzIds } from '../lib/test/fuzz/ids.js'
import { formatCampaign, newSeed, runCampaign, type Campaign, type FuzzProperty } from '../lib/test/fuzz/runner.js'
import { isRetriable } from '../lib/test/fuzz/answer.js'
import { liveTarget, outlastingFaults, type Settle, type Target } from '../lib/test/fuzz/target.js'
import { MAX_USER_ID } from '../producer-api/src/events/envelope.js'
import { eventsProperties, type IdLedger } from '../producer-api/test/fuzz/events.js'
import { DEFAULT_LIMITS, unitEventsProperties } from '../producer-api/test/fuzz/harness.js'
import { checkLedger, formatLedger, ledgerHolds, type FuzzLedgerFile } from '../producer-api/test/fuzz/ledger.js'
import { LOCAL_SIGNING_SECRET } from '../query-api/src/config.js'
import { unitUserDataProperty } from '../query-api/test/fuzz/harness.js'
import { userDataProperty } from '../query-api/test/fuzz/user-data.js'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' }, seed: { type: 'string' }, live: { type: 'boolean', default: false }, only: { type: 'string' },
    'keep-going': { type: 'boolean', default: false }, faults: { type: 'boolean', default: false }, 'ledger-file': { type: 'string' },
    'writer-services': { type: 'string', default: '*' }, parallel: { type: 'boolean', default: false },
  },
})
const runs = Number(args.runs)
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got ${args.runs}`)
const firstSeed = args.seed === undefined ? newSeed() : Number(args.seed)
const env = process.env
/** Under faults: no answer is retried for this long, and a retriable 429/503 waited out as long (60 tries, at most 2 s apart). */
const FAULT_DEADLINE_MS = 120_000
const settle: Settle | undefined = args.faults ? { isRetry: isRetriable, attempts: 60 } : undefined
const target = (url: string): Target => (args.faults ? outlastingFaults(liveTarget(url), FAULT_DEADLINE_MS) : liveTarget(url))

/** Whether producer-api at `url` asks for a key: a request without one is 401 then. */
async function requiresKey(url: string): Promise<boolean> {
  const res = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  return res.status === 401
}

async function liveProperties(ledger: IdLedger, nonce: string): Promise<FuzzProperty<unknown>[]> {
  const producerUrl = env.PRODUCER_URL ?? 'http://127.0.0.1:3000'
  const queryUrl = env.QUERY_URL ?? 'http://127.0.0.1:3002'
  const writerKey = resolveApiKey(env)
  if (writerKey === undefined && await requiresKey(producerUrl)) throw new Error(`${producerUrl} asks for an API key: set PRODUCER_API_KEY (npm start makes a local one)`)
  const events = eventsProperties({
    target: target(producerUrl), catalog: loadCatalog(), limits: DEFAULT_LIMITS, ids: fuzzIds(nonce), writerKey,
    // The run's own services and users far above any fixture's, so that its rows are told apart.
    service: fc.constantFrom(`fuzz-${nonce}`, `fuzz-${nonce}.b`), userId: fc.integer({ min: 8e15, max: MAX_USER_ID }),
    mayWrite: serviceMatcher(args['writer-services'].split(',').map((x) => x.trim()).filter(Boolean)),
    ledger, liveSafe: true, ...(settle === undefined ? {} : { settle }),
  })
  const read = userDataProperty({
    target: target(queryUrl), secret: env.QUERY_SIGNING_SECRET ?? LOCAL_SIGNING_SECRET, maxSkewMs: Number(env.QUERY_MAX_SKEW_SECONDS ?? 300) * 1000,
    // A request retried under faults is sent that much later than it was signed.
    legacy: env.QUERY_LEGACY_SIGNATURES === 'true', now: Date.now, marginMs: 5000 + (args.faults ? FAULT_DEADLINE_MS : 0),
    ...(settle === undefined ? {} : { settle }),
  })
  return [...events, read] as FuzzProperty<unknown>[]
}

const ledger: IdLedger = { accepted: new Set(), rejected: new Set(), uncertainEvents: 0 }
const nonce = fuzzIds().nonce
const all = args.live ? await liveProperties(ledger, nonce) : [...await unitEventsProperties(), await unitUserDataProperty()] as FuzzProperty<unknown>[]
const properties = all.filter((p) => args.only === undefined || p.name.includes(args.only))

console.log(`fuzz: ${properties.length} targets × ${runs} inputs, ${args.live ? 'live (HTTP)' : 'inject()'}, first seed ${firstSeed}${args.live ? `, run ${nonce}` : ''}`)
const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`fuzz: ${signal}: stopping after the inputs under way`)
    stop.abort()
  })
}
const campaign = async (p: FuzzProperty<unknown>, i: number): Promise<Campaign> => {
  const result = await runCampaign(p, { runs, seed: firstSeed + i, keepGoing: args['keep-going'], signal: stop.signal })
  console.log(formatCampaign(result))
  return result
}
const results: Campaign[] = []
if (args.parallel) results.push(...await Promise.all(properties.map(campaign)))
else for (const [i, p] of properties.entries()) results.push(await campaign(p, i))
for (const p of all) await p.close?.()
const inputs = results.reduce((n, r) => n + r.runs, 0)
let failed = results.some((r) => r.failures.length > 0)
console.log(`fuzz: ${inputs} inputs in all, ${results.filter((r) => r.failures.length > 0).length} targets failed`)

if (args['ledger-file'] !== undefined) {
  const file: FuzzLedgerFile = {
    nonce, servicePrefix: `fuzz-${nonce}`, accepted: [...ledger.accepted], rejected: [...ledger.rejected], uncertainEvents: ledger.uncertainEvents,
    campaigns: results.map((r) => ({ name: r.name, runs: r.runs, failed: r.failures.length > 0, text: formatCampaign(r) })),
  }
  writeFileSync(args['ledger-file'], JSON.stringify(file))
  console.log(`fuzz: ledger of ${ledger.accepted.size} acknowledged and ${ledger.rejected.size} refused ids written to ${args['ledger-file']}`)
} else if (args.live) {
  const pool = createPgPool(parsePostgresConfig(env), createLogger({ level: 'error' }, 'fuzz'), 'fuzz')
  try {
    const report = await checkLedger(pool, ledger, { nonce, servicePrefix: `fuzz-${nonce}`, waitMs: 120_000 })
    console.log(formatLedger(report, `fuzz-${nonce}`))
    if (!ledgerHolds(report)) failed = true
  } finally {
    await pool.end()
  }
}
process.exitCode = failed ? 1 : 0
