/**
 * npm run load-test:parallel [clients] [events_per_min_per_client] [seconds=60] [options]
 * Exit code: 0 verified, 1 something acknowledged was lost or duplicated (or the sink did not
 * drain), 2 bad arguments or nothing to test against.
 */
import { parsePlan, UsageError, USAGE } from './args.js'
import { RunError, runLoadTest } from './runner.js'

try {
  const summary = await runLoadTest(parsePlan(process.argv.slice(2), process.env))
  process.exitCode = summary.verification.ok ? 0 : 1
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`error: ${err.message}\n\n${USAGE}`)
    process.exitCode = 2
  } else if (err instanceof RunError) {
    console.error(`error: ${err.message}`)
    process.exitCode = 2
  } else {
    throw err
  }
}
