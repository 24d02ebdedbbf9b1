/** The load-test report people read: totals, per-client table, latency, drain, verification. */
import type { ClientVerification } from '../parallel/verify.js'
import type { Plan } from '../parallel/args.js'

export interface Counts {
  offered: number
  accepted: number
  throttled: number
  failed: number
  rejected: number
  skipped: number
}

export interface TimelinePoint extends Counts {
  readonly second: number
  readonly p50: number
  readonly p99: number
  readonly lag: number | null
}

export interface RunSummary {
  readonly runId: string
  readonly plan: Plan
  readonly startedAt: string
  readonly durationSeconds: number
  readonly totals: Counts
  readonly acceptedPerSecond: number
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number }
  /** From the last completed request until the sink's lag was 0 (null: it did not drain in time). */
  readonly drainMs: number | null
  readonly clients: readonly (ClientVerification & { readonly counts: Counts })[]
  readonly verification: { readonly lost: number; readonly duplicated: number; readonly unackedPresent: number; readonly ok: boolean }
  readonly timeline: readonly TimelinePoint[]
}

const n = (v: number) => v.toLocaleString('en-US')

export function renderMarkdown(s: RunSummary): string {
  const { plan } = s
  const target = (plan.clients * plan.eventsPerMinute) / 60
  const lines = [
    `# Load test ${s.runId}`,
    '',
    `\`npm run load-test:parallel ${plan.clients} ${plan.eventsPerMinute} ${plan.seconds}${plan.batchSize > 1 ? ` --batch ${plan.batchSize}` : ''}\` against ${plan.url}, started ${s.startedAt}.`,
    '',
    `**${s.verification.ok ? 'PASS' : 'FAIL'}**: ${n(s.totals.accepted)} events acknowledged, ${n(s.verification.lost)} lost, ${n(s.verification.duplicated)} duplicated` +
      `; drained ${s.drainMs === null ? 'NOT within the timeout' : `${n(s.drainMs)} ms after the last request`}.`,
    '',
    '## Totals',
    '',
    '| | events |',
    '| --- | ---: |',
    `| target rate | ${n(Math.round(target))}/s (${plan.clients} clients × ${n(plan.eventsPerMinute)}/min, ${plan.batchSize} per request) |`,
    `| achieved (acknowledged) rate | ${n(Math.round(s.acceptedPerSecond))}/s |`,
    `| offered | ${n(s.totals.offered)} |`,
    `| accepted (202) | ${n(s.totals.accepted)} |`,
    `| throttled (429/503 answers, retried) | ${n(s.totals.throttled)} |`,
    `| failed (gave up after retries) | ${n(s.totals.failed)} |`,
    `| rejected (4xx) | ${n(s.totals.rejected)} |`,
    `| skipped (client saturated) | ${n(s.totals.skipped)} |`,
    '',
    '## Latency (ms, from the scheduled send time to the final answer)',
    '',
    '| p50 | p90 | p99 | p99.9 | max |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${s.latencyMs.p50} | ${s.latencyMs.p90} | ${s.latencyMs.p99} | ${s.latencyMs.p999} | ${s.latencyMs.max} |`,
    '',
    '## Per client, verified in Postgres',
    '',
    '| client | service | offered | accepted | throttled | failed | lost | duplicated | unacknowledged but stored |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...s.clients.map((c) =>
      `| ${c.index} | ${c.service} | ${n(c.counts.offered)} | ${n(c.acked)} | ${n(c.counts.throttled)} | ${n(c.counts.failed)} | ${n(c.lost)} | ${n(c.duplicated)} | ${n(c.unackedPresent)} |`),
    `| **all** | | ${n(s.totals.offered)} | ${n(s.totals.accepted)} | ${n(s.totals.throttled)} | ${n(s.totals.failed)} | ${n(s.verification.lost)} | ${n(s.verification.duplicated)} | ${n(s.verification.unackedPresent)} |`,
    '',
    '![timeline](timeline.svg)',
    '',
    'The old manual check still works:',
    '',
    '```sql',
    "SELECT service, COUNT(*) FROM events WHERE service LIKE 'parallel-load-test-%' GROUP BY service;",
    '```',
    '',
    '(it counts every run; this report counts this run\'s event ids only.)',
    '',
  ]
  return lines.join('\n')
}
