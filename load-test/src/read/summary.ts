/**
 * The summary.json of one read-scenario run (`kind: load-test-read`, version 1), the contract
 * with `npm run load-test:report`: change a field only with a new version.
 */
import { cpus, hostname, release, totalmem, type as osType } from 'node:os'
import type { ScenarioName, Stage } from '../../k6/lib/scenarios.js'
import type { ProcessStats } from '../procstat.js'
import type { LatencyFigures } from './recorder.js'

export interface ReadParams {
  /** MAX_USER_ID: the run reads ids firstUser..firstUser + users - 1 (1..users by default). */
  readonly users: number
  readonly durationSeconds: number
  readonly warmupSeconds: number
  readonly vus?: number
  readonly stages?: readonly { readonly durationSeconds: number; readonly target: number }[]
  readonly rate?: number
  readonly zipfS?: number
  readonly legacySignatures: boolean
  readonly seed: number
  readonly queryUrl: string
  /** The first user id read (beyond the v1 contract's required fields; the runner always writes it). */
  readonly firstUser?: number
  /** HTTP connections of the load generator (idem). */
  readonly connections?: number
}

export interface Machine {
  readonly hostname: string
  readonly cpuModel: string
  readonly cpus: number
  readonly memoryGiB: number
  readonly node: string
  readonly os: string
}

export interface ReadTotals {
  /** Sent (open model: due) after the warm-up, including those dropped or never answered. */
  readonly requests: number
  /** Answered (any HTTP status) per second after the warm-up: the throughput, whatever was offered. */
  readonly requestsPerSecond: number
  readonly statuses: Readonly<Record<string, number>>
  readonly errors: number
  /** errors / requests; errors are non-200 answers, no answer ("error") and "dropped" (open model: too many in flight). */
  readonly errorRate: number
  readonly latencyMs: LatencyFigures
  readonly cache: Readonly<Record<string, number>>
  /** (local + hit) / (local + hit + miss + shared + bypass); null without lookups. */
  readonly hitRate: number | null
  /**
   * Of the requests after the warm-up, the share for a user this run had asked for already
   * (warm-up included): the hit rate of an unbounded cache that started the run empty
   * (./repeats.ts). Absent in summaries written before it was added.
   */
  readonly repeatRate?: number | null
}

export interface TimelinePoint {
  /** Seconds since the start: the point covers (t - 1, t]. */
  readonly t: number
  readonly requests: number
  readonly errors: number
  /** Null in a second without answers. */
  readonly p50: number | null
  readonly p95: number | null
  readonly p99: number | null
  readonly hitRate: number | null
}

export type ProcessFigures = ProcessStats

export interface ReadSummary {
  readonly kind: 'load-test-read'
  readonly version: 1
  readonly scenario: ScenarioName
  readonly model: 'open' | 'closed'
  readonly startedAt: string
  readonly endedAt: string
  readonly params: ReadParams
  readonly machine: Machine
  /** After the warm-up. */
  readonly totals: ReadTotals
  /** One point per second of the whole run, warm-up and drain included. */
  readonly timeline: readonly TimelinePoint[]
  readonly processes: readonly ProcessFigures[]
}

export function machine(): Machine {
  const cores = cpus()
  return {
    hostname: hostname(),
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpus: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}`,
  }
}

export const stagesOf = (stages: readonly Stage[] | undefined) =>
  stages?.map((s) => ({ durationSeconds: Math.round(s.durationSeconds * 1000) / 1000, target: s.target }))
