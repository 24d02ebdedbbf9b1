/** One scenario's section of the read report: its parameters, figures, processes and plot. */
import { basename, dirname } from 'node:path'
import { int, ms, pct } from './format.js'
import type { FoundRun } from './read-runs.js'
import { load, MARK, overall } from './read-figures.js'
import type { ReadSummary } from './read-summary.js'

/** Escapes what would break a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** `load-test-read-…-baseline/summary.json`: the run's folder names it. */
export function source(file: string): string {
  return `${basename(dirname(file))}/${basename(file)}`
}

/** "200: 9,990 · 404: 10" */
export function counters(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts)
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}: ${int(v)}`).join(' · ')
}

function stages(s: ReadSummary): string | undefined {
  const list = s.params.stages ?? []
  if (list.length === 0) return undefined
  let from = s.params.vus ?? 0
  return list.map((st) => {
    const step = st.target === from ? `hold ${int(from)} VUs for ${int(st.durationSeconds)} s` : `${int(from)} → ${int(st.target)} VUs in ${int(st.durationSeconds)} s`
    from = st.target
    return step
  }).join(', ')
}

function paramRows(s: ReadSummary): string[] {
  const p = s.params
  const rows: [string, string][] = [
    ['model', s.model === 'open'
      ? 'open (requests start at a fixed rate, whatever the answers)'
      : 'closed loop (each VU sends its next request when the previous one is answered)'],
    ['load', load(s)],
  ]
  const ramp = stages(s)
  if (ramp !== undefined) rows.push(['stages', ramp])
  rows.push(
    ['users', int(p.users)],
    ['popularity', p.zipfS === undefined ? 'uniform' : `Zipf-like, s = ${p.zipfS}`],
    ['duration', `${int(p.durationSeconds)} s; the first ${int(p.warmupSeconds)} s are warm-up, left out of the figures`],
    ['signatures', p.legacySignatures ? 'legacy base64 scheme (QUERY_LEGACY_SIGNATURES=true)' : 'HMAC-SHA256'],
    ['seed', String(p.seed)],
    ['query-api', p.queryUrl],
    ['ran', `${s.startedAt} to ${s.endedAt}`],
  )
  return rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)
}

function processTable(s: ReadSummary): string[] {
  if (s.processes.length === 0) return ['No process was sampled.']
  return [
    'CPU in % of one core (100 % = one core busy), averaged over the run; RSS in MB.',
    '',
    '| process | pid | CPU avg | CPU max | RSS avg | RSS max |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...s.processes.map((p) =>
      `| ${cell(p.name)} | ${p.pid} | ${+p.cpuPercent.toFixed(1)} % | ${+p.cpuPercentMax.toFixed(1)} % | ${int(p.rssMb)} | ${int(p.rssMbMax)} |`),
  ]
}

/** `chartFile`: the SVG beside report.md, or undefined when there is none. */
export function scenarioSection(run: FoundRun, chartFile: string | undefined): string[] {
  const s = run.summary
  const t = s.totals
  const l = t.latencyMs
  const grade = overall(s)
  return [
    `## ${s.scenario}: ${load(s)}, ${MARK[grade]} ${grade}`,
    '',
    `From \`${source(run.file)}\`.`,
    '',
    '| parameter | value |',
    '| --- | --- |',
    ...paramRows(s),
    '',
    'After the warm-up:',
    '',
    '| requests | req/s | errors | error rate | p50 | p90 | p95 | p99 | max | mean |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${int(t.requests)} | ${int(t.requestsPerSecond)} | ${int(t.errors)} | ${pct(t.errorRate)} | ${ms(l.p50)} ms | ${ms(l.p90)} ms | ${ms(l.p95)} ms | ${ms(l.p99)} ms | ${ms(l.max)} ms | ${ms(l.mean)} ms |`,
    '',
    ...(s.model === 'open' && s.params.rate !== undefined && s.params.rate > 0
      ? [`- offered ${int(s.params.rate)} req/s, answered ${int(t.requestsPerSecond)} req/s (${pct(t.requestsPerSecond / s.params.rate)})`]
      : []),
    `- statuses: ${counters(t.statuses)}`,
    `- cache: ${counters(t.cache)}; hit rate ${t.hitRate === null ? 'n/a (no lookups counted)' : pct(t.hitRate)}`,
    '',
    ...processTable(s),
    '',
    ...(chartFile === undefined ? [] : [`![${s.scenario}: latency, throughput and hit rate over time](${chartFile})`, '']),
  ]
}
