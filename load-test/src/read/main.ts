/**
 * npm run load-test:read [-- --scenario cache|baseline|normal|high|stress|realistic|all ...]
 * (options: args.ts USAGE)
 *
 * --scenario cache (the default, as before): seeds users through the write path, then the
 * cache scenarios hot, cold, stampede and unknown → results/load-test-read-<time>/.
 * --scenario baseline|normal|high|stress|realistic: the old system's read scenarios
 * (load-test/k6/lib/scenarios.js, the same definitions as the k6 scripts) on users that must
 * already exist (`npm run generate:test-data N`, or --first-user/--users on seeded ones), each
 * → results/load-test-read-<time>-<scenario>/{summary.json,report.md}. A missed target is
 * reported, not a failure: the exit status is non-zero only when the stack is not ready (2)
 * or the command line is wrong (2). Needs `npm start` and the same QUERY_SIGNING_SECRET as
 * query-api, if set.
 */
import { TARGETS } from '../../k6/lib/scenarios.js'
import { USAGE, UsageError, parseReadArgs, type ReadPlan } from './args.js'
import { runCacheScenarios } from './cache-run.js'
import { ReadSetupError, readRunConnections, runReadScenario, writeReadResults, type ReadRunOptions } from './run-read-scenario.js'

let plan: ReadPlan
try {
  plan = parseReadArgs(process.argv.slice(2))
} catch (err) {
  if (!(err instanceof UsageError)) throw err
  console.error(`${err.message}\n\n${USAGE}`)
  process.exit(2)
}
const producerUrl = (process.env.PRODUCER_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '')
const queryUrl = (process.env.QUERY_URL ?? 'http://127.0.0.1:3002').replace(/\/$/, '')
const secret = process.env.QUERY_SIGNING_SECRET ?? 'local-development-signing-secret'

async function ready(url: string): Promise<boolean> {
  return fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false)
}

if (plan.mode === 'cache') {
  for (const url of [producerUrl, queryUrl]) {
    if (!(await ready(url))) {
      console.error(`${url} is not ready: start the pipeline with \`npm start\``)
      process.exit(2)
    }
  }
  const dir = await runCacheScenarios({ producerUrl, queryUrl, secret }, plan, (line) => console.log(line))
  console.log(`\nwritten to ${dir}/{summary.json,report.md}`)
} else {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const seed = plan.seed ?? 1 + Math.floor(Math.random() * 2 ** 31) // one seed for all scenarios of the run
  for (const scenario of plan.scenarios) {
    const { scenarios: _all, mode: _mode, ...rest } = plan
    const options: ReadRunOptions = { ...rest, scenario, queryUrl, secret, seed, log: (line) => console.log(line) }
    const connections = readRunConnections(options)
    console.log(`\n== ${scenario}: users ${plan.firstUser}..${plan.firstUser + plan.users - 1}, seed ${seed}, ${connections} connections → ${queryUrl}`)
    try {
      const s = await runReadScenario(options)
      const dir = writeReadResults(s, { stamp })
      const t = s.totals
      const generator = s.processes.find((p) => p.name === 'load-generator')
      console.log(`  ${t.requests.toLocaleString('en-US')} requests, ${t.requestsPerSecond.toLocaleString('en-US')} req/s (> ${TARGETS.requestsPerSecond}), ` +
        `p50 ${t.latencyMs.p50} ms (< ${TARGETS.p50Ms}), p95 ${t.latencyMs.p95} ms (< ${TARGETS.p95Ms}), p99 ${t.latencyMs.p99} ms (< ${TARGETS.p99Ms}), ` +
        `errors ${(t.errorRate * 100).toFixed(3)} % (< 0.1), hit rate ${t.hitRate === null ? 'n/a' : `${(t.hitRate * 100).toFixed(1)} %`} (> 90)` +
        (t.repeatRate == null ? '' : `; repeats ${(t.repeatRate * 100).toFixed(1)} % (the most a cache empty at the start could hit)`))
      console.log(`  statuses ${JSON.stringify(t.statuses)}; load generator CPU ${generator?.cpuPercent ?? '?'} % (max ${generator?.cpuPercentMax ?? '?'} %)`)
      console.log(`  written to ${dir}/{summary.json,report.md}`)
    } catch (err) {
      // Not measured: the stack is not ready, or the options do not fit (a warm-up as long as the run).
      if (!(err instanceof ReadSetupError || err instanceof RangeError)) throw err
      console.error(err.message)
      process.exit(2)
    }
  }
}
