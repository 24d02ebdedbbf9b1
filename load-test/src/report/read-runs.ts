/**
 * Finds the load-test:read runs under a results folder (`load-test-read-*\/summary.json`),
 * checks each summary, and keeps the latest run (by `startedAt`) of each scenario.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkSummary, SCENARIOS, type ReadSummary, type Scenario } from './read-summary.js'

export interface FoundRun {
  readonly file: string
  readonly summary: ReadSummary
}

export interface RunScan {
  /** The latest run of each scenario that has one, in the order of SCENARIOS. */
  readonly latest: readonly FoundRun[]
  readonly missing: readonly Scenario[]
  /** Valid runs that a later run of the same scenario replaced. */
  readonly superseded: number
  /** Summaries of the older runner or of other tools (no `kind: "load-test-read"`), ignored. */
  readonly foreign: number
  /** One line per file skipped as invalid, naming it. */
  readonly warnings: readonly string[]
}

const RUN_DIR = /^load-test-read-/

function readJson(file: string): { ok: true; data: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, data: JSON.parse(readFileSync(file, 'utf8')) }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) }
  }
}

/** Later start first; equal starts: later end, then the later file name. */
function newerFirst(a: FoundRun, b: FoundRun): number {
  return Date.parse(b.summary.startedAt) - Date.parse(a.summary.startedAt) ||
    Date.parse(b.summary.endedAt) - Date.parse(a.summary.endedAt) ||
    b.file.localeCompare(a.file)
}

export function scanReadRuns(resultsDir: string): RunScan {
  const dirs = existsSync(resultsDir)
    ? readdirSync(resultsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && RUN_DIR.test(d.name)).map((d) => d.name).sort()
    : []
  const runs: FoundRun[] = []
  const warnings: string[] = []
  let foreign = 0
  for (const dir of dirs) {
    const file = join(resultsDir, dir, 'summary.json')
    if (!existsSync(file)) continue
    const read = readJson(file)
    if (!read.ok) {
      warnings.push(`skipped ${file}: not JSON (${read.reason})`)
      continue
    }
    const checked = checkSummary(read.data)
    switch (checked.outcome) {
      case 'summary': runs.push({ file, summary: checked.summary }); break
      case 'foreign': foreign++; break
      case 'invalid': warnings.push(`skipped ${file}: ${checked.reason}`); break
      default: { const never: never = checked; throw new Error(`unexpected ${String(never)}`) }
    }
  }
  runs.sort(newerFirst)
  const latest = SCENARIOS.flatMap((s) => runs.find((r) => r.summary.scenario === s) ?? [])
  return {
    latest,
    missing: SCENARIOS.filter((s) => !latest.some((r) => r.summary.scenario === s)),
    superseded: runs.length - latest.length,
    foreign,
    warnings,
  }
}
