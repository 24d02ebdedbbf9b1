/**
 * The cluster test's figures from its sends and what Postgres holds: events acknowledged,
 * rejected and unknown; acknowledged ones lost or stored more than once; unknown and rejected
 * ones stored; how long after each fault every partition acknowledged again. Written to
 * results/cluster-<time>/ (summary.json, report.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import type { Outcome } from './outcome.js'
import type { Send } from './load.js'

export interface Fault {
  readonly name: string
  readonly at: number
  /** ms until every partition acknowledged a send started after `at`; undefined: never within the run. */
  recoveryMs?: number | undefined
  note?: string
}

/** The longest time, over partitions, from `at` to the first acknowledgment of a send started at or after it. */
export function recoveryMs(sends: readonly Send[], at: number, partitions: number): number | undefined {
  let worst = 0
  for (let p = 0; p < partitions; p++) {
    let first = Infinity
    for (const s of sends) if (s.partition === p && s.outcome === 'acknowledged' && s.startedAt >= at && s.endedAt < first) first = s.endedAt
    if (first === Infinity) return undefined
    worst = Math.max(worst, first - at)
  }
  return worst
}

export type Counts = Record<Outcome, number>

export function eventsByOutcome(sends: readonly Send[]): Counts {
  const counts: Counts = { acknowledged: 0, rejected: 0, unknown: 0 }
  for (const s of sends) counts[s.outcome] += s.ids.length
  return counts
}

export function errorCodes(sends: readonly Send[]): Record<string, number> {
  const codes: Record<string, number> = {}
  for (const s of sends) for (const c of new Set(s.codes)) codes[`${s.outcome}:${c}`] = (codes[`${s.outcome}:${c}`] ?? 0) + 1
  return codes
}

export interface Verdict {
  /** Acknowledged, not in Postgres. */
  readonly lost: readonly string[]
  /** Stored more than once (any outcome). */
  readonly duplicated: readonly string[]
  readonly unknownStored: number
  readonly rejectedStored: readonly string[]
  /** Rows whose id this run never sent (must be none: the database is the test's own). */
  readonly foreign: number
}

/** `stored`: rows per event id in the test's own events table. */
export function verdict(sends: readonly Send[], stored: ReadonlyMap<string, number>): Verdict {
  const lost: string[] = []
  const duplicated: string[] = []
  const rejectedStored: string[] = []
  let unknownStored = 0
  for (const s of sends) {
    for (const id of s.ids) {
      const n = stored.get(id) ?? 0
      if (n > 1) duplicated.push(id)
      if (s.outcome === 'acknowledged' && n === 0) lost.push(id)
      if (s.outcome === 'unknown' && n > 0) unknownStored++
      if (s.outcome === 'rejected' && n > 0) rejectedStored.push(id)
    }
  }
  const known = new Set(sends.flatMap((s) => s.ids))
  const foreign = [...stored.keys()].filter((id) => !known.has(id)).length
  return { lost, duplicated, unknownStored, rejectedStored, foreign }
}

export interface ClusterSummary {
  readonly startedAt: string
  readonly brokers: readonly string[]
  readonly topic: string
  readonly partitions: number
  readonly replication: { readonly factor: number; readonly minInsync: number }
  readonly producers: readonly string[]
  readonly sinks: number
  readonly seconds: number
  readonly sends: number
  readonly events: Counts
  readonly byProducer: Record<string, Counts>
  readonly lost: number
  readonly duplicated: number
  readonly unknownStored: number
  readonly rejectedStored: number
  readonly recordsInLog: number
  readonly rowsStored: number
  readonly ackedWhileTwoDown: number
  readonly probe: readonly { readonly partition: number; readonly outcome: Outcome; readonly codes: readonly string[]; readonly ms: number }[]
  readonly faults: readonly Fault[]
  readonly errorCodes: Record<string, number>
  readonly sinkRestarts: number
  /** For a post-mortem: the sends with acknowledged events missing, or rejected events stored. */
  readonly suspectSends: readonly SendReport[]
}

export interface SendReport {
  readonly producer: string
  readonly partition: number
  readonly outcome: Outcome
  readonly codes: readonly string[]
  readonly startedAt: string
  readonly endedAt: string
  readonly ids: readonly string[]
}

/** The sends holding any of `ids`, with those ids. */
export function sendsWith(sends: readonly Send[], ids: readonly string[]): SendReport[] {
  const wanted = new Set(ids)
  return sends.filter((s) => s.ids.some((id) => wanted.has(id))).map((s) => ({
    producer: s.producer, partition: s.partition, outcome: s.outcome, codes: s.codes,
    startedAt: new Date(s.startedAt).toISOString(), endedAt: new Date(s.endedAt).toISOString(), ids: s.ids.filter((id) => wanted.has(id)),
  }))
}

function markdown(s: ClusterSummary): string {
  const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`
  const ms = (v: number | undefined) => (v === undefined ? 'not within the run' : `${(v / 1000).toFixed(1)} s`)
  return [
    `# Cluster failover run, ${s.startedAt}`,
    '',
    `${s.brokers.length} brokers (${s.brokers.join(', ')}), topic \`${s.topic}\`: ${s.partitions} partitions, replication factor ${s.replication.factor}, min.insync.replicas ${s.replication.minInsync}.`,
    `${s.producers.length} producer instances (acks=all), ${s.sinks} sink processes, ${s.seconds.toFixed(0)} s of load, ${s.sends} sends.`,
    '',
    row(['', 'events']), row(['---', '---:']),
    row(['acknowledged', s.events.acknowledged]), row(['rejected (never written)', s.events.rejected]), row(['unknown (may be written)', s.events.unknown]),
    row(['**lost** (acknowledged, not in Postgres)', s.lost]), row(['**duplicated** (stored more than once)', s.duplicated]),
    row(['unknown, stored once', s.unknownStored]), row(['rejected, stored', s.rejectedStored]),
    row(['records in the log / rows in Postgres', `${s.recordsInLog} / ${s.rowsStored}`]),
    row(['acknowledged while two brokers were down', s.ackedWhileTwoDown]),
    row(['sink restarts', s.sinkRestarts]),
    '',
    row(['fault', 'every partition acknowledging again after']), row(['---', '---']),
    ...s.faults.map((f) => row([f.name + (f.note ? ` (${f.note})` : ''), ms(f.recoveryMs)])),
    '',
    `Probe with two brokers down (one record per partition, acks=all, no retries): ${s.probe.map((p) => `p${p.partition} ${p.outcome} ${p.codes.join('+')} in ${p.ms} ms`).join('; ')}.`,
    '',
    'Send errors (sends, by outcome and code):',
    '',
    ...Object.entries(s.errorCodes).sort().map(([code, n]) => `- ${code}: ${n}`),
    '',
  ].join('\n')
}

export function writeClusterResults(summary: ClusterSummary): string {
  const dir = join(PROJECT_ROOT, 'results', `cluster-${summary.startedAt.replace(/[:.]/g, '-')}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)
  writeFileSync(join(dir, 'report.md'), markdown(summary))
  return dir
}
