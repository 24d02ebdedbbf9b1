/**
 * `npm run load-test:read` (--scenario cache, the default): seeds users through the write path
 * (producer-api → projector → MySQL), then runs the cache scenarios of scenarios.ts (cold, hot,
 * stampede, unknown) against query-api, prints a table and writes
 * results/load-test-read-<stamp>/{summary.json,report.md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bearerHeader } from '../../../lib/src/api-keys/key.js'
import { resolveApiKey } from '../../../lib/src/api-keys/local.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { runScenario, seedUsers, type ReadTarget, type ScenarioResult } from './scenarios.js'

export async function runCacheScenarios(
  target: ReadTarget, o: { readonly users: number; readonly connections: number; readonly seconds: number }, log: (line: string) => void,
): Promise<string> {
  const { users, connections, seconds } = o
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const base = 5_000_000_000 + Math.floor(Math.random() * 1_000_000) * 10_000 // this run's users
  const seeded = Array.from({ length: users }, (_, i) => base + i)
  log(`load-test:read ${stamp}: ${users} users, ${connections} connections, ${seconds} s per scenario → ${target.queryUrl}`)
  await seedUsers(target, seeded, 3, (line) => log(`  ${line}`))

  const results: ScenarioResult[] = []
  const run = async (name: string, pick: () => number, r: { connections: number; seconds?: number; amount?: number }) => {
    const result = await runScenario(target, name, pick, r)
    log(`  ${name}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, statuses ${JSON.stringify(result.statuses)}, cache ${JSON.stringify(result.cache)}`)
    results.push(result)
  }

  let coldNext = 0
  await run('cold (each user read once: misses)', () => seeded[coldNext++ % seeded.length] ?? base, { connections, amount: users })
  await run('hot (users read again and again)', () => seeded[Math.floor(Math.random() * seeded.length)] ?? base, { connections, seconds })
  // Stampede: the hottest user's entry is invalidated before each burst, as the projector does after a commit.
  const hotUser = seeded[0] ?? base
  const stampedes: ScenarioResult[] = []
  const auth = bearerHeader(resolveApiKey(process.env)) // the producer API key, as the seeding's client sends it
  for (let burst = 0; burst < 5; burst++) {
    await fetch(`${target.producerUrl}/events`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ service: 'load-test-read', event_type: 'trx.created', user_id: hotUser, payload: { trx_id: `stampede-${burst}`, amount: 1, currency: 'EUR', category: 'groceries', merchant: 'x' } }),
    })
    await new Promise((r) => setTimeout(r, 500)) // the projector folds and invalidates
    stampedes.push(await runScenario(target, 'stampede', () => hotUser, { connections: 200, amount: 200 }))
  }
  const shared = stampedes.reduce((s, r) => s + (r.cache.shared ?? 0), 0)
  const misses = stampedes.reduce((s, r) => s + (r.cache.miss ?? 0), 0)
  log(`  stampede: 5 bursts of 200 concurrent reads of one invalidated user → ${misses} MySQL loads, ${shared} reads joined a load in flight`)
  results.push(...stampedes)
  let unknownNext = 0
  await run('unknown users (404)', () => 9_000_000_000 + (unknownNext++ % 100), { connections, seconds })

  const dir = join(PROJECT_ROOT, 'results', `load-test-read-${stamp}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ stamp, target: { ...target, secret: '[redacted]' }, users, connections, seconds, results }, null, 2))
  const md = [
    `# load-test:read ${stamp}`, '',
    `${users} seeded users; ${connections} connections; query-api ${target.queryUrl}.`, '',
    '| scenario | connections | requests | req/s | p50 ms | p99 ms | max ms | statuses | cache (local/hit/miss/shared/bypass) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...results.map((r) => `| ${r.name} | ${r.connections} | ${r.requests} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${r.cache.local ?? 0}/${r.cache.hit ?? 0}/${r.cache.miss ?? 0}/${r.cache.shared ?? 0}/${r.cache.bypass ?? 0} |`),
    '', `Stampede: 5 bursts of 200 concurrent reads of one just-invalidated user → ${misses} MySQL loads, ${shared} reads shared a load in flight.`, '',
  ].join('\n')
  writeFileSync(join(dir, 'report.md'), md)
  return dir
}
