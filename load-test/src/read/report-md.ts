/** report.md beside a read scenario's summary.json: the figures against the old system's targets. */
import { TARGETS } from '../../k6/lib/scenarios.js'
import type { ReadSummary } from './summary.js'

const n = (v: number) => v.toLocaleString('en-US')
const pct = (v: number | null, digits = 1) => (v === null ? 'n/a' : `${(v * 100).toFixed(digits)} %`)
const mark = (ok: boolean) => (ok ? '✓' : '✗ missed')

export function renderReadReport(s: ReadSummary): string {
  const { params: p, totals: t } = s
  const first = p.firstUser ?? 1
  const last = first + p.users - 1
  const load = s.model === 'open'
    ? `open model, ${n(p.rate ?? 0)} requests/s offered${p.stages ? ' at the peak of the stages' : ''} (latency from the scheduled send time)`
    : `closed model, ${n(p.vus ?? 0)} VUs${p.stages ? ' at the peak of the stages' : ''} (each sends, waits, sends again)`
  const hitOk = t.hitRate !== null && t.hitRate > TARGETS.hitRate
  const hitAcceptable = t.hitRate !== null && t.hitRate > TARGETS.hitRateAcceptable
  const lines = [
    `# load-test:read ${s.scenario} — ${s.startedAt}`,
    '',
    `${load}; ${p.durationSeconds} s (first ${p.warmupSeconds} s warm-up, left out of the totals); users ${n(first)}..${n(last)}` +
      `${p.zipfS !== undefined ? ` by Zipf popularity (s = ${p.zipfS})` : ' uniformly'}; ${p.legacySignatures ? 'legacy base64' : 'HMAC'} signatures; seed ${p.seed}; ` +
      `${p.connections ?? '?'} connections to ${p.queryUrl}.`,
    `Machine: ${s.machine.cpus} × ${s.machine.cpuModel}, ${s.machine.memoryGiB} GiB, ${s.machine.os}, Node ${s.machine.node} (the whole stack and the load generator share it).`,
    '',
    '| | measured | old target |',
    '| --- | ---: | --- |',
    `| requests after the warm-up${s.model === 'open' ? ' (offered)' : ''} | ${n(t.requests)} | |`,
    `| answered requests/s | ${n(t.requestsPerSecond)} | > ${n(TARGETS.requestsPerSecond)} ${mark(t.requestsPerSecond > TARGETS.requestsPerSecond)} |`,
    `| p50 | ${t.latencyMs.p50} ms | < ${TARGETS.p50Ms} ms ${mark(t.latencyMs.p50 < TARGETS.p50Ms)} |`,
    `| p90 | ${t.latencyMs.p90} ms | |`,
    `| p95 | ${t.latencyMs.p95} ms | < ${TARGETS.p95Ms} ms ${mark(t.latencyMs.p95 < TARGETS.p95Ms)} |`,
    `| p99 | ${t.latencyMs.p99} ms | < ${TARGETS.p99Ms} ms ${mark(t.latencyMs.p99 < TARGETS.p99Ms)} |`,
    `| max / mean | ${t.latencyMs.max} / ${t.latencyMs.mean} ms | |`,
    `| errors | ${n(t.errors)} (${pct(t.errorRate, 3)}) | < ${pct(TARGETS.errorRate)} ${mark(t.errorRate < TARGETS.errorRate)} |`,
    `| cache hit rate | ${pct(t.hitRate)} | > ${pct(TARGETS.hitRate, 0)} ${hitOk ? '✓' : hitAcceptable ? `(> ${pct(TARGETS.hitRateAcceptable, 0)}: acceptable)` : '✗ missed'} |`,
    ...(t.repeatRate == null ? [] : [`| repeats (requests for a user this run had asked for already: the most a cache empty at the start could hit; above it, earlier runs warmed the cache) | ${pct(t.repeatRate)} | |`]),
    '',
    `Statuses: ${Object.entries(t.statuses).map(([k, v]) => `${k}: ${n(v)}`).join(', ') || 'none'}. ` +
      `Cache lookups (query-api's counters, all its readers): ${Object.entries(t.cache).map(([k, v]) => `${k} ${n(v)}`).join(', ')}.`,
    '',
    '## Processes (CPU: 100 % = one core)',
    '',
    '| process | pid | CPU avg | CPU max | RSS avg | RSS max |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...s.processes.map((q) => `| ${q.name} | ${q.pid} | ${q.cpuPercent} % | ${q.cpuPercentMax} % | ${q.rssMb} MB | ${q.rssMbMax} MB |`),
    '',
    '## Per second',
    '',
    '| t (s) | requests | errors | p50 ms | p95 ms | p99 ms | hit rate |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...s.timeline.map((x) => `| ${x.t} | ${n(x.requests)} | ${n(x.errors)} | ${x.p50 ?? '–'} | ${x.p95 ?? '–'} | ${x.p99 ?? '–'} | ${pct(x.hitRate)} |`),
    '',
  ]
  return lines.join('\n')
}
