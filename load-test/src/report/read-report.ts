/**
 * The read-path load test report, in Markdown: verdict, the latest run of each scenario graded
 * against the old targets, the old system's throughput, the rules, the machine, then one
 * section per scenario with its plot.
 */
import { int, times } from './format.js'
import { GRADING_RULES, NOT_GRADABLE, OLD_SYSTEM_RPS, FIGURE_KEYS } from './grading.js'
import type { Chart } from './read-charts.js'
import { figures, load, MARK, overall, type Figure } from './read-figures.js'
import type { RunScan } from './read-runs.js'
import { cell, scenarioSection, source } from './read-sections.js'
import { SCENARIOS, type Machine, type ReadSummary } from './read-summary.js'

export interface ReadReportInput {
  readonly scan: RunScan
  readonly charts: readonly Chart[]
  readonly generatedAt: Date
}

const runCommand = (scenario: string) => `\`npm run load-test:read -- --scenario ${scenario}\``

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`
}

function problems(s: ReadSummary): string {
  const phrase = (f: Figure) => `${f.label} (${f.value}, target ${f.target})`
  const bad = figures(s).filter((f) => f.grade === 'fail' || f.grade === 'warn')
  const fails = bad.filter((f) => f.grade === 'fail').map(phrase)
  const warns = bad.filter((f) => f.grade === 'warn').map(phrase)
  return [fails.length > 0 ? `fails on ${list(fails)}` : '', warns.length > 0 ? `warns on ${list(warns)}` : ''].filter(Boolean).join(' and ')
}

function machines(runs: RunScan['latest']): { machine: Machine; scenarios: string[] }[] {
  const byKey = new Map<string, { machine: Machine; scenarios: string[] }>()
  for (const { summary: s } of runs) {
    const key = JSON.stringify([s.machine.hostname, s.machine.cpuModel, s.machine.cpus, s.machine.memoryGiB, s.machine.node, s.machine.os])
    const entry = byKey.get(key) ?? { machine: s.machine, scenarios: [] }
    entry.scenarios.push(s.scenario)
    byKey.set(key, entry)
  }
  return [...byKey.values()]
}

/** An open-model run that answered (nearly) all it was offered. */
function keptUp(s: ReadSummary): boolean {
  return s.model === 'open' && s.params.rate !== undefined && s.totals.requestsPerSecond >= s.params.rate * 0.99
}

export function verdict(scan: RunScan): string {
  const runs = scan.latest.map((r) => r.summary)
  const ok = runs.filter((s) => overall(s) === 'pass' || overall(s) === 'n/a')
  const notGradable = runs.flatMap((s) => figures(s).filter((f) => f.grade === 'n/a').map((f) => `${s.scenario}'s ${f.label}`))
  const caveat = notGradable.length > 0 ? ` (${list(notGradable)}: not gradable, see the notes)` : ''
  const everyone = runs.length === SCENARIOS.length ? 'All five scenarios meet' : runs.length === 1 ? 'The one scenario run meets' : `All ${runs.length} scenarios run meet`
  const sentences = [ok.length === runs.length
    ? `${everyone} every old target${caveat}.`
    : `${ok.length} of the ${runs.length} scenarios run meet${ok.length === 1 ? 's' : ''} every old target; ${runs.filter((s) => !ok.includes(s)).map((s) => `${s.scenario} ${problems(s)}`).join('; ')}.`]
  const peak = runs.reduce<ReadSummary | undefined>((best, s) => (best === undefined || s.totals.requestsPerSecond > best.totals.requestsPerSecond ? s : best), undefined)
  if (peak !== undefined) {
    sentences.push(`The highest throughput was ${int(peak.totals.requestsPerSecond)} req/s (${peak.scenario}, ${load(peak)}), ` +
      `${times(peak.totals.requestsPerSecond / OLD_SYSTEM_RPS.to)} the ${int(OLD_SYSTEM_RPS.to)} req/s the old system was expected to reach at most` +
      `${keptUp(peak) ? ' (all it was offered: a floor of the capacity, not its ceiling)' : ''}.`)
  }
  const realistic = runs.find((s) => s.scenario === 'realistic')
  if (realistic !== undefined) {
    const f = Object.fromEntries(figures(realistic).map((x) => [x.key, x.value]))
    const zipf = realistic.params.zipfS === undefined ? '' : `Zipf s = ${realistic.params.zipfS} `
    sentences.push(`The realistic scenario (${load(realistic)}, ${zipf}over ${int(realistic.params.users)} users) ` +
      `did ${f.throughput} and held p95 ${f.p95}, p99 ${f.p99}, with ${f.errorRate} errors and a cache hit rate of ${f.hitRate}.`)
  }
  if (scan.missing.length > 0) sentences.push(`Not run yet: ${list(scan.missing)}.`)
  if (machines(scan.latest).length > 1) sentences.push('The runs were not all made on the same machine (see Machine).')
  return sentences.join(' ')
}

function resultsTable(scan: RunScan): string[] {
  const notes: string[] = []
  const rows = scan.latest.map(({ summary: s }) => {
    const cells = figures(s).map((f) => {
      if (f.note !== undefined) notes.push(`${s.scenario} ${f.label}: ${f.note}.`)
      return `${MARK[f.grade]} ${f.value}`
    })
    const grade = overall(s)
    return `| ${s.scenario} | ${cell(load(s))} | ${cells.join(' | ')} | ${MARK[grade]} ${grade} |`
  })
  return [
    '| scenario | load | p50 | p95 | p99 | throughput | error rate | hit rate | overall |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| **old target** | | ${FIGURE_KEYS.map((k) => GRADING_RULES[k].target).join(' | ')} | |`,
    ...rows,
    '',
    `${MARK.pass} pass · ${MARK.warn} warn · ${MARK.fail} fail · ${MARK['n/a']} n/a (not gradable, see the rules). Figures are after the warm-up.`,
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
  ]
}

function oldSystem(scan: RunScan): string[] {
  const { from, to } = OLD_SYSTEM_RPS
  return [
    `The old guide expected the old system to reach ${int(from)}–${int(to)} req/s at most.`,
    '',
    `| scenario | load | throughput | vs ${int(from)} req/s | vs ${int(to)} req/s |`,
    '| --- | --- | ---: | ---: | ---: |',
    ...scan.latest.map(({ summary: s }) => {
      const rps = s.totals.requestsPerSecond
      return `| ${s.scenario} | ${cell(load(s))} | ${int(rps)} req/s | ${times(rps / from)} | ${times(rps / to)} |`
    }),
    '',
    'A closed-loop scenario does only as much as its VUs ask for, and an open-model one what it offers: only a run that saturates query-api (latency rising, or falling behind the offered rate) measures a ceiling. The others are floors.',
  ]
}

function rules(): string[] {
  return [
    '| figure | old target | ✅ pass | ⚠️ warn | ❌ fail |',
    '| --- | --- | --- | --- | --- |',
    ...FIGURE_KEYS.map((k) => GRADING_RULES[k]).map((r) => `| ${r.figure} | ${r.target} | ${r.pass} | ${r.warn} | ${r.fail} |`),
    '',
    ...NOT_GRADABLE.map((n) => `- ${n}`),
  ]
}

function machineSection(scan: RunScan): string[] {
  const all = machines(scan.latest)
  const row = ({ machine: m, scenarios }: { machine: Machine; scenarios: string[] }) =>
    `| ${cell(m.hostname)} | ${cell(m.cpuModel)} | ${m.cpus} | ${+m.memoryGiB.toFixed(1)} GiB | ${cell(m.node)} | ${cell(m.os)} | ${scenarios.join(', ')} |`
  return [
    all.length === 1 ? 'All the runs were made on one machine:' : `The runs were made on ${all.length} different machines: compare their figures with care.`,
    '',
    '| host | CPU | cores | memory | Node.js | OS | scenarios |',
    '| --- | --- | ---: | ---: | --- | --- | --- |',
    ...all.map(row),
  ]
}

export function renderReadReport({ scan, charts, generatedAt }: ReadReportInput): string {
  const chartOf = (scenario: string) => charts.find((c) => c.file === `${scenario}.svg`)?.file
  const comparison = charts.find((c) => c.file === 'comparison.svg')
  const starts = scan.latest.map((r) => r.summary.startedAt).sort()
  const lines = [
    '# Read path load test: GET /api/user-data against the old targets',
    '',
    `Generated ${generatedAt.toISOString()} from the latest run of each scenario (runs from ${starts[0] ?? '?'} to ${starts.at(-1) ?? '?'}).`,
    '',
    `**Verdict.** ${verdict(scan)}`,
    '',
    scan.missing.length === 0
      ? 'Scenarios not run: none, all five have a run.'
      : `Scenarios not run: ${scan.missing.join(', ')} (run ${scan.missing.map(runCommand).join(', ')}).`,
    '',
    '## Results against the old targets',
    '',
    ...resultsTable(scan),
    '',
    '## Compared with the old system',
    '',
    ...oldSystem(scan),
    '',
    '## Grading rules',
    '',
    ...rules(),
    '',
    '## Machine',
    '',
    ...machineSection(scan),
    '',
    ...(comparison === undefined ? [] : ['## The scenarios compared', '', `![${comparison.title}](${comparison.file})`, '']),
    ...scan.latest.flatMap((run) => scenarioSection(run, chartOf(run.summary.scenario))),
    '## Sources',
    '',
    ...scan.latest.map((r) => `- ${r.summary.scenario}: \`${source(r.file)}\``),
    `- older runs of these scenarios, superseded: ${scan.superseded}; summaries of the older runner or of other tools, ignored: ${scan.foreign}.`,
    ...scan.warnings.map((w) => `- ${cell(w)}`),
    '',
  ]
  return lines.join('\n')
}
