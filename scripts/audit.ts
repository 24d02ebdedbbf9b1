/**
 * npm test's audit step: `npm audit --omit=dev` fails the run on a high or critical advisory
 * for anything the services ship. Where the registry has no advisory endpoint (a mirror: this
 * machine's answers 405), it says so and the step passes unchecked; it never passes silently.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

interface AuditJson {
  readonly metadata?: { readonly vulnerabilities?: Readonly<Record<string, number>> }
  readonly statusCode?: number
  readonly message?: string
  readonly error?: { readonly summary?: string }
}

const { stdout } = await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], { maxBuffer: 64 * 1024 * 1024 })
  .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }))
let report: AuditJson
try {
  report = JSON.parse(stdout) as AuditJson
} catch {
  report = { message: `npm audit printed no JSON: ${stdout.slice(0, 200)}` }
}
const counts = report.metadata?.vulnerabilities
if (counts === undefined) {
  console.error(`audit: not checked, the registry's advisory endpoint did not answer (${report.message ?? report.error?.summary ?? 'no report'})`)
} else {
  const serious = (counts.high ?? 0) + (counts.critical ?? 0)
  console.error(`audit: ${Object.entries(counts).map(([level, n]) => `${n} ${level}`).join(', ')} (production dependencies)`)
  if (serious > 0) {
    console.error('audit: high or critical advisories: see npm audit --omit=dev')
    process.exitCode = 1
  }
}
