/**
 * npm run load-test:report [-- --results DIR --out FILE]
 *
 * Reads the latest load-test:read run of each scenario under DIR (default: results/), grades it
 * against the old read system's targets and writes one Markdown report with its SVG plots beside
 * it (default: DIR/load-test-report-<time>/report.md). Exit code: 0 written, 2 bad arguments or
 * no run to report on.
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { buildReadReport, summaryTable, writeReadReport } from './read-output.js'
import { scanReadRuns } from './read-runs.js'
import { SCENARIOS } from './read-summary.js'

const USAGE = `usage: npm run load-test:report [-- --results DIR --out FILE]
  --results DIR  where the load-test:read runs are (default: results/ at the repository's root)
  --out FILE     the report to write (default: DIR/load-test-report-<time>/report.md); its SVGs go beside it`

function options(): { results?: string; out?: string; help?: boolean } {
  try {
    return parseArgs({ options: { results: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } }).values
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`)
    process.exit(2)
  }
}

const values = options()
if (values.help === true) {
  console.log(USAGE)
  process.exit(0)
}

const now = new Date()
const resultsDir = resolve(values.results ?? join(PROJECT_ROOT, 'results'))
const scan = scanReadRuns(resultsDir)
for (const warning of scan.warnings) console.error(`warning: ${warning}`)
if (scan.latest.length === 0) {
  console.error(`error: no load-test:read run found in ${resultsDir}.\n` +
    `Run the scenarios first, e.g.\n${SCENARIOS.map((s) => `  npm run load-test:read -- --scenario ${s}`).join('\n')}`)
  process.exit(2)
}

const outFile = resolve(values.out ?? join(resultsDir, `load-test-report-${now.toISOString().replace(/[:.]/g, '-')}`, 'report.md'))
const written = writeReadReport(outFile, buildReadReport(scan, now))
console.log(summaryTable(scan))
if (scan.missing.length > 0) console.log(`not run yet: ${scan.missing.join(', ')}`)
console.log(`\nreport: ${outFile} (+ ${written.length - 1} SVG)`)
