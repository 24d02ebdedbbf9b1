/**
 * The summary.json that each `npm run load-test:read -- --scenario …` run writes
 * (kind "load-test-read", version 1): its type, and the one check of a parsed file.
 */
import { Ajv } from 'ajv'
import { SCENARIO_NAMES, type ScenarioName } from '../../k6/lib/scenarios.js'
import type { ReadSummary, TimelinePoint } from '../read/summary.js'

// The contract is the runner's (../read/summary.ts); this file only checks files against it.
export type { Machine, ReadParams, ReadSummary, ReadTotals } from '../read/summary.js'
export type Scenario = ScenarioName
export type TimelineSecond = TimelinePoint
export const SCENARIOS: readonly Scenario[] = SCENARIO_NAMES

export type Checked =
  | { readonly outcome: 'summary'; readonly summary: ReadSummary }
  /** Not a load-test-read summary at all (the older runner's, without `kind`, or another tool's). */
  | { readonly outcome: 'foreign' }
  | { readonly outcome: 'invalid'; readonly reason: string }

const count = { type: 'number', minimum: 0 } as const
const fraction = { type: 'number', minimum: 0, maximum: 1 } as const
const nullableMs = { type: 'number', minimum: 0, nullable: true } as const
const counts = { type: 'object', required: [], additionalProperties: count } as const
const text = { type: 'string' } as const

// The JSON schema of ReadSummary (kept beside it: ajv's JSONSchemaType cannot express `number | null`).
// Extra fields are allowed (a v1 runner may add some); the ones listed are required and checked.
const schema = {
  type: 'object',
  required: ['kind', 'version', 'scenario', 'model', 'startedAt', 'endedAt', 'params', 'machine', 'totals', 'timeline', 'processes'],
  properties: {
    kind: { type: 'string', const: 'load-test-read' },
    version: { type: 'number', const: 1 },
    scenario: { type: 'string', enum: SCENARIOS },
    model: { type: 'string', enum: ['open', 'closed'] },
    startedAt: text,
    endedAt: text,
    params: {
      type: 'object',
      required: ['users', 'durationSeconds', 'warmupSeconds', 'legacySignatures', 'seed', 'queryUrl'],
      properties: {
        users: count, durationSeconds: count, warmupSeconds: count,
        vus: { ...count, nullable: true },
        stages: {
          type: 'array', nullable: true,
          items: { type: 'object', required: ['durationSeconds', 'target'], properties: { durationSeconds: count, target: count } },
        },
        rate: { ...count, nullable: true },
        zipfS: { type: 'number', nullable: true },
        legacySignatures: { type: 'boolean' },
        seed: { type: 'number' },
        queryUrl: text,
      },
    },
    machine: {
      type: 'object',
      required: ['hostname', 'cpuModel', 'cpus', 'memoryGiB', 'node', 'os'],
      properties: { hostname: text, cpuModel: text, cpus: count, memoryGiB: count, node: text, os: text },
    },
    totals: {
      type: 'object',
      required: ['requests', 'requestsPerSecond', 'statuses', 'errors', 'errorRate', 'latencyMs', 'cache', 'hitRate'],
      properties: {
        requests: count, requestsPerSecond: count, statuses: counts, errors: count, errorRate: fraction,
        latencyMs: {
          type: 'object',
          required: ['p50', 'p90', 'p95', 'p99', 'max', 'mean'],
          properties: { p50: count, p90: count, p95: count, p99: count, max: count, mean: count },
        },
        cache: counts,
        hitRate: { ...fraction, nullable: true },
      },
    },
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        required: ['t', 'requests', 'errors', 'p50', 'p95', 'p99', 'hitRate'],
        properties: {
          t: count, requests: count, errors: count, p50: nullableMs, p95: nullableMs, p99: nullableMs,
          hitRate: { ...fraction, nullable: true },
        },
      },
    },
    processes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'pid', 'cpuPercent', 'cpuPercentMax', 'rssMb', 'rssMbMax'],
        properties: { name: text, pid: count, cpuPercent: count, cpuPercentMax: count, rssMb: count, rssMbMax: count },
      },
    },
  },
}

const validate = new Ajv({ allErrors: false }).compile<ReadSummary>(schema)

/** Judges one parsed summary.json; never throws. */
export function checkSummary(data: unknown): Checked {
  if (data === null || typeof data !== 'object' || !('kind' in data) || data.kind !== 'load-test-read') return { outcome: 'foreign' }
  if ('version' in data && data.version !== 1) return { outcome: 'invalid', reason: `unknown version ${JSON.stringify(data.version)} (this report reads version 1)` }
  if (!validate(data)) {
    const e = validate.errors?.[0]
    if (e === undefined) return { outcome: 'invalid', reason: 'does not match the v1 shape' }
    const allowed: unknown = e.params.allowedValues
    const values = Array.isArray(allowed) ? ` (${allowed.join(', ')})` : ''
    return { outcome: 'invalid', reason: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${values}` }
  }
  const started = Date.parse(data.startedAt)
  const ended = Date.parse(data.endedAt)
  if (Number.isNaN(started) || Number.isNaN(ended)) return { outcome: 'invalid', reason: 'startedAt/endedAt must be ISO dates' }
  if (ended < started) return { outcome: 'invalid', reason: 'endedAt is before startedAt' }
  return { outcome: 'summary', summary: data }
}
