/**
 * npm run test:faults [-- --rounds N] [--minutes M] [--seed S] [--rate R] [--reads R] [--fuzz N]
 * Faults in rounds under load, on a stack of its own (./run.ts); prints the table and writes
 * results/faults-<time>/. Exits 1 when anything was lost, duplicated or left broken.
 */
import { parseArgs } from 'node:util'
import { UsageError, wholeNumber } from '../cli.js'
import { renderFaultReport, runFaults } from './run.js'

const USAGE = `usage: npm run test:faults [-- options]
  --rounds N    faults to inject (100), one after another, each followed by its recovery
  --minutes M   stop drawing faults after M minutes, even if fewer rounds ran
  --seed S      seed of the draw (random; printed: the same seed draws the same faults)
  --rate R      write requests per second offered, 30 % of them batches of 10 (150)
  --reads R     signed reads per second offered to query-api (50)
  --fuzz N      hostile inputs per fuzz target at most (POST /events, POST /events/batch and
                GET /api/user-data, all three at once), sent while the faults go on; the fuzz
                stops with the last fault (0: none)`

// Ctrl-C (or a SIGTERM): the fault under way ends, the fault stack is stopped, and nothing is checked.
const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping after the fault under way, with the fault stack …`)
    stop.abort()
  })
}

try {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, minutes: { type: 'string' }, seed: { type: 'string' }, rate: { type: 'string' }, reads: { type: 'string' }, fuzz: { type: 'string' } } })
  const minutes = wholeNumber('--minutes', values.minutes, { min: 1 })
  const report = await runFaults({
    rounds: wholeNumber('--rounds', values.rounds, { min: 1 }) ?? 100,
    ...(minutes === undefined ? {} : { minutes }),
    seed: wholeNumber('--seed', values.seed, { min: 0 }) ?? Math.floor(Math.random() * 2 ** 31),
    requestsPerSecond: wholeNumber('--rate', values.rate, { min: 1 }) ?? 150,
    readsPerSecond: wholeNumber('--reads', values.reads, { min: 1 }) ?? 50,
    fuzzRuns: wholeNumber('--fuzz', values.fuzz, { min: 0 }) ?? 0,
    log: (line) => console.error(line),
    signal: stop.signal,
  })
  console.log(renderFaultReport(report))
  console.log(`written to ${report.dir}`)
  process.exitCode = report.passed ? 0 : 1
} catch (err) {
  if (stop.signal.aborted) {
    console.error((err as Error).message)
    process.exitCode = 130
  } else if (err instanceof UsageError || String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(err as Error).message}\n\n${USAGE}`)
    process.exitCode = 2
  } else throw err
}
