/**
 * Runs a fuzz property a given number of times (fast-check) and says what happened: inputs
 * tried, the seed that replays them, and on failure fast-check's shrunk counterexample. The
 * unit tests run few inputs (`assertFuzz`), `npm run fuzz` many (`runFuzz`, scripts/fuzz.ts).
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'

export interface FuzzOptions {
  readonly runs: number
  /** Replays a run; default: a new one. */
  readonly seed?: number | undefined
}

export interface FuzzResult {
  readonly name: string
  readonly runs: number
  readonly seed: number
  readonly failed: boolean
  readonly durationMs: number
  /** fast-check's report: the seed, the path and the shrunk counterexample with its error. */
  readonly report: string | undefined
  /** The error of the shrunk counterexample. */
  readonly error: string | undefined
}

/** A property over one kind of input; `close` releases what it holds (an app, a connection). */
export interface FuzzProperty<T> {
  readonly name: string
  readonly property: fc.IAsyncPropertyWithHooks<[T]>
  readonly close?: () => Promise<void>
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** A seed fast-check takes (a 32-bit integer), new on each call. */
export const newSeed = (): number => Math.floor(Math.random() * 0x7fffffff)

export async function runFuzz<T>(p: FuzzProperty<T>, options: FuzzOptions): Promise<FuzzResult> {
  const seed = options.seed ?? newSeed()
  const started = performance.now()
  const details = await fc.check(p.property, { numRuns: options.runs, seed })
  return {
    name: p.name,
    runs: details.numRuns,
    seed,
    failed: details.failed,
    durationMs: Math.round(performance.now() - started),
    report: details.failed ? `${fc.defaultReportMessage(details) ?? ''}\nError: ${errorText(details.errorInstance)}` : undefined,
    error: details.failed ? errorText(details.errorInstance) : undefined,
  }
}

/** For node:test: fails with fast-check's report (seed, shrunk counterexample, error) when the property does. */
export async function assertFuzz<T>(p: FuzzProperty<T>, options: FuzzOptions): Promise<FuzzResult> {
  const result = await runFuzz(p, options)
  assert.ok(!result.failed, `${p.name}: ${result.report ?? ''}`)
  return result
}

export interface Campaign {
  readonly name: string
  readonly runs: number
  readonly seeds: readonly number[]
  readonly durationMs: number
  /** Every failing run, in order (with --keep-going there may be several). */
  readonly failures: readonly FuzzResult[]
}

/** How a campaign's seeds follow from its first: replaying seed k replays that stretch of inputs. */
const SEED_STEP = 7919
const nthSeed = (first: number, k: number): number => (first + k * SEED_STEP) % 0x7fffffff

export interface CampaignOptions extends FuzzOptions {
  readonly keepGoing: boolean
  /** Aborted: the campaign ends after the stretch of inputs under way (`chunk` of them at most). */
  readonly signal?: AbortSignal
  /** With a signal: inputs per stretch (default 100), each with a seed of its own. */
  readonly chunk?: number
}

/**
 * `runs` inputs of a property; with `keepGoing`, a failure (reported, shrunk) does not end the
 * campaign: it goes on with the next seed for the inputs left, so that one bug does not hide
 * the rest of a long run. With a `signal`, the inputs go in stretches of `chunk`, and an abort
 * ends the campaign between two: what ran is reported as usual.
 */
export async function runCampaign<T>(p: FuzzProperty<T>, o: CampaignOptions): Promise<Campaign> {
  const first = o.seed ?? newSeed()
  const chunk = o.signal === undefined ? Infinity : o.chunk ?? 100
  const seeds: number[] = []
  const failures: FuzzResult[] = []
  let done = 0
  let durationMs = 0
  while (done < o.runs) {
    // A turn of the event loop between stretches: a signal's handler (the abort) gets its turn
    // even when the inputs never wait for I/O (inject()).
    if (o.signal !== undefined) await new Promise((resolve) => setImmediate(resolve))
    if (o.signal?.aborted === true) break
    const seed = nthSeed(first, seeds.length)
    seeds.push(seed)
    const r = await runFuzz(p, { runs: Math.min(chunk, o.runs - done), seed })
    done += r.runs
    durationMs += r.durationMs
    if (!r.failed) continue
    failures.push(r)
    if (!o.keepGoing) break
  }
  return { name: p.name, runs: done, seeds, durationMs, failures }
}

export function formatCampaign(c: Campaign): string {
  const seeds = c.seeds.length === 1 ? `seed ${c.seeds[0]}`
    : c.seeds.length <= 5 ? `seeds ${c.seeds.join(', ')}`
    : `${c.seeds.length} seeds from ${c.seeds[0]} (+ k × ${SEED_STEP})`
  const head = `${c.failures.length > 0 ? 'FAIL' : 'ok  '} ${c.name}: ${c.runs} inputs in ${(c.durationMs / 1000).toFixed(1)} s, ${seeds}`
  if (c.failures.length === 0) return head
  // Each distinct error once, with the first shrunk counterexample that showed it.
  const byError = new Map<string, { count: number; report: string }>()
  for (const f of c.failures) {
    const key = f.error ?? ''
    const seen = byError.get(key)
    byError.set(key, { count: (seen?.count ?? 0) + 1, report: seen?.report ?? f.report ?? '' })
  }
  return [head, ...[...byError].map(([error, { count, report }]) => `--- ${count} × ${error}\n${report}`)].join('\n')
}

export function formatResult(r: FuzzResult): string {
  const head = `${r.failed ? 'FAIL' : 'ok  '} ${r.name}: ${r.runs} inputs in ${(r.durationMs / 1000).toFixed(1)} s, seed ${r.seed}`
  return r.report === undefined ? head : `${head}\n${r.report}`
}
