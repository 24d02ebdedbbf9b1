/**
 * The command line of `npm run load-test:read` → a checked plan: the cache scenarios (the
 * default, as before) or the old system's read scenarios.
 */
import { parseArgs } from 'node:util'
import { SCENARIO_NAMES, type ScenarioName } from '../../k6/lib/scenarios.js'
import { UsageError, wholeNumber } from '../cli.js'

export { UsageError }

export const USAGE = `usage: npm run load-test:read [-- options]
  --scenario NAME      cache (default): seed users, then hot/cold/stampede/unknown (autocannon)
                       baseline | normal | high | stress | realistic: the old system's scenarios
                       (load-test/k6/lib/scenarios.js); several with commas, or all
cache scenarios:       --users N (2000, seeded) --connections N (50) --seconds S (10 per scenario)
old scenarios:
  --users N            MAX_USER_ID: ids first-user .. first-user + N - 1 are read (10000000);
                       all must exist (npm run generate:test-data N): a 404 is an error
  --first-user N       the first id (1)
  --duration S         seconds (baseline 30, normal 60, high 60, stress 180 in stages, realistic 60)
  --vus N              closed model: VUs (stress: its peak; realistic without --rate: closed,
                       its users as fast as query-api answers: saturation)
  --rate R             open model at R requests/s (realistic: 2000 by default; stress: its peak)
  --zipf-s S           realistic: Zipf exponent of user popularity (1.1)
  --warmup S           the first S seconds are left out of the totals (0)
  --seed N             seed of the user draws (random; printed and recorded)
  --legacy             legacy base64 signatures (query-api needs QUERY_LEGACY_SIGNATURES=true)
  --connections N      HTTP connections (closed: one per VU; open: 64)
env: QUERY_URL (http://127.0.0.1:3002), PRODUCER_URL (http://127.0.0.1:3000), QUERY_SIGNING_SECRET`

export interface CachePlan {
  readonly mode: 'cache'
  readonly users: number
  readonly connections: number
  readonly seconds: number
}

export interface ScenariosPlan {
  readonly mode: 'scenarios'
  readonly scenarios: readonly ScenarioName[]
  readonly users: number
  readonly firstUser: number
  readonly durationSeconds?: number
  readonly vus?: number
  readonly rate?: number
  readonly zipfS?: number
  readonly warmupSeconds: number
  readonly seed?: number
  readonly legacy: boolean
  readonly connections?: number
}

export type ReadPlan = CachePlan | ScenariosPlan

function decimal(name: string, raw: string | undefined, o: { zero: boolean }): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!/^\d+(\.\d+)?$/.test(raw) || !(o.zero ? n >= 0 : n > 0)) throw new UsageError(`--${name} must be a number ${o.zero ? '≥ 0' : '> 0'}, got "${raw}"`)
  return n
}

const SCENARIO_FLAGS = ['first-user', 'duration', 'vus', 'rate', 'zipf-s', 'warmup', 'seed', 'legacy'] as const

export function parseReadArgs(argv: readonly string[]): ReadPlan {
  let values
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string', default: 'cache' },
        users: { type: 'string' }, connections: { type: 'string' }, seconds: { type: 'string' },
        'first-user': { type: 'string' }, duration: { type: 'string' }, vus: { type: 'string' }, rate: { type: 'string' },
        'zipf-s': { type: 'string' }, warmup: { type: 'string' }, seed: { type: 'string' }, legacy: { type: 'boolean' },
      },
    }).values
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const connections = wholeNumber('--connections', values.connections, { min: 1 })
  if (values.scenario === 'cache') {
    const misplaced = SCENARIO_FLAGS.filter((f) => values[f] !== undefined)
    if (misplaced.length > 0) throw new UsageError(`--${misplaced.join(', --')}: only for the old read scenarios (--scenario baseline|normal|high|stress|realistic)`)
    return {
      mode: 'cache',
      users: wholeNumber('--users', values.users, { min: 1 }) ?? 2000,
      connections: connections ?? 50,
      seconds: wholeNumber('--seconds', values.seconds, { min: 1 }) ?? 10,
    }
  }
  if (values.seconds !== undefined) throw new UsageError('--seconds is for the cache scenarios; use --duration')
  const names = values.scenario === 'all' ? [...SCENARIO_NAMES] : (values.scenario ?? '').split(',').map((s) => s.trim())
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n))
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`unknown scenario "${unknown.join(',')}": choose cache, ${SCENARIO_NAMES.join(', ')} or all`)
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>))
  return {
    mode: 'scenarios',
    scenarios: names as ScenarioName[],
    users: wholeNumber('--users', values.users, { min: 1 }) ?? 10_000_000,
    firstUser: wholeNumber('--first-user', values['first-user'], { min: 1 }) ?? 1,
    ...optional('durationSeconds', decimal('duration', values.duration, { zero: false })),
    ...optional('vus', wholeNumber('--vus', values.vus, { min: 1 })),
    ...optional('rate', decimal('rate', values.rate, { zero: false })),
    ...optional('zipfS', decimal('zipf-s', values['zipf-s'], { zero: false })),
    warmupSeconds: decimal('warmup', values.warmup, { zero: true }) ?? 0,
    ...optional('seed', wholeNumber('--seed', values.seed, { min: 0 })),
    legacy: values.legacy ?? false,
    ...optional('connections', connections),
  }
}
