/**
 * npm run load-test:read [-- --users N --connections N --seconds S]
 *
 * Seeds N users through the write path (producer-api → projector → MySQL), then runs the
 * read scenarios (hot, cold, stampede, unknown) against query-api, prints a table and writes
 * results/load-test-read-<time>/{summary.json,report.md}. Needs `npm start` (and the same
 * QUERY_SIGNING_SECRET as query-api, if set).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { runScenario, seedUsers, type ReadTarget, type ScenarioResult } from './scenarios.js'

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
  },
})
const num = (name: string, raw: string | undefined): number => {
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive whole number, got "${raw}"`)
    process.exit(2)
  }
  return n
}
const users = num('users', values.users)
const connections = num('connections', values.connections)
const seconds = num('seconds', values.seconds)
const target: ReadTarget = {
  producerUrl: (process.env.PRODUCER_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, ''),
  queryUrl: (process.env.QUERY_URL ?? 'http://127.0.0.1:3002').replace(/\/$/, ''),
  secret: process.env.QUERY_SIGNING_SECRET ?? 'local-development-signing-secret',
}
for (const url of [target.producerUrl, target.queryUrl]) {
  if (!(await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false))) {
    console.error(`${url} is not ready: start the pipeline with \`npm start\``)
    process.exit(2)
  }
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const base = 5_000_000_000 + Math.floor(Math.random() * 1_000_000) * 10_000 // this run's users
const seeded = Array.from({ length: users }, (_, i) => base + i)
console.log(`load-test:read ${stamp}: ${users} users, ${connections} connections, ${seconds} s per scenario → ${target.queryUrl}`)
await seedUsers(target, seeded, 3, (line) => console.log(`  ${line}`))

const results: ScenarioResult[] = []
const run = async (name: string, pick: () => number, o: { connections: number; seconds?: number; amount?: number }) => {
  process.stdout.write(`  ${name} … `)
  const r = await runScenario(target, name, pick, o)
  console.log(`${r.requestsPerSecond} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, statuses ${JSON.stringify(r.statuses)}, cache ${JSON.stringify(r.cache)}`)
  results.push(r)
}

let coldNext = 0
await run('cold (each user read once: misses)', () => seeded[coldNext++ % seeded.length] ?? base, { connections, amount: users })
await run('hot (users read again and again)', () => seeded[Math.floor(Math.random() * seeded.length)] ?? base, { connections, seconds })
// Stampede: the hottest user's entry is invalidated before each burst, as the projector does after a commit.
const hotUser = seeded[0] ?? base
const stampedes: ScenarioResult[] = []
for (let burst = 0; burst < 5; burst++) {
  await fetch(`${target.producerUrl}/events`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'load-test-read', event_type: 'trx.created', user_id: hotUser, payload: { trx_id: `stampede-${burst}`, amount: 1, currency: 'EUR', category: 'groceries', merchant: 'x' } }),
  })
  await new Promise((r) => setTimeout(r, 500)) // the projector folds and invalidates
  stampedes.push(await runScenario(target, 'stampede', () => hotUser, { connections: 200, amount: 200 }))
}
const shared = stampedes.reduce((s, r) => s + (r.cache.shared ?? 0), 0)
const misses = stampedes.reduce((s, r) => s + (r.cache.miss ?? 0), 0)
console.log(`  stampede: 5 bursts of 200 concurrent reads of one invalidated user → ${misses} MySQL loads, ${shared} reads joined a load in flight`)
results.push(...stampedes)
let unknownNext = 0
await run('unknown users (404)', () => 9_000_000_000 + (unknownNext++ % 100), { connections, seconds })

const dir = join(PROJECT_ROOT, 'results', `load-test-read-${stamp}`)
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'summary.json'), JSON.stringify({ stamp, target: { ...target, secret: '[redacted]' }, users, connections, seconds, results }, null, 2))
const md = [
  `# load-test:read ${stamp}`, '',
  `${users} seeded users; ${connections} connections; query-api ${target.queryUrl}.`, '',
  '| scenario | connections | requests | req/s | p50 ms | p99 ms | max ms | statuses | cache (hit/miss/shared/bypass) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ...results.map((r) => `| ${r.name} | ${r.connections} | ${r.requests} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${r.cache.hit ?? 0}/${r.cache.miss ?? 0}/${r.cache.shared ?? 0}/${r.cache.bypass ?? 0} |`),
  '', `Stampede: 5 bursts of 200 concurrent reads of one just-invalidated user → ${misses} MySQL loads, ${shared} reads shared a load in flight.`, '',
].join('\n')
writeFileSync(join(dir, 'report.md'), md)
console.log(`\nwritten to ${dir}/{summary.json,report.md}`)
