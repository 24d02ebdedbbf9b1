/**
 * The producer API keys this instance serves from, in memory: read at start, then again every
 * `refreshMs` on an unref'd timer, so that a key created or revoked in Postgres takes effect
 * within that bound. A read that fails leaves the last set in place (the write path never
 * waits for Postgres); the outage is logged once, counted, and its end logged.
 */
import type { ActiveApiKey } from '../../../lib/src/api-keys/store.js'
import { bearerToken, keyMatches, parseApiKey, serviceMatcher } from '../../../lib/src/api-keys/key.js'
import { PipelineError } from '../../../lib/src/errors.js'
import type { Logger } from '../../../lib/src/logger.js'
import type { ApiKeyMetrics } from '../../../lib/src/metrics.js'
import { repeatEvery, type Repeating } from '../../../lib/src/repeat.js'

/** The key a request was authenticated with (no secret in it). */
export interface Principal {
  readonly id: string
  readonly name: string
  /** Requests per second across all instances. */
  readonly rateLimit: number
  readonly mayWrite: (service: string) => boolean
}

interface Entry {
  readonly principal: Principal
  readonly hash: Buffer
}

export type Verification =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly code: 'PIPELINE_API_KEY_MISSING' | 'PIPELINE_API_KEY_INVALID' }

export interface KeySet {
  /** Reads the set once; rejects (PIPELINE_API_KEYS_UNAVAILABLE) if it cannot. Then refreshes on its timer. */
  start(): Promise<void>
  /** The request's Authorization header → the key's principal, or why not. No I/O. */
  verify(authorization: string | undefined): Verification
  /** Keys in the set now. */
  readonly size: number
  /** When the set was last read (ms since the epoch), undefined before the first read. */
  readonly refreshedAt: number | undefined
  /** Stops the timer and waits for a read in flight; idempotent. */
  close(): Promise<void>
}

export interface KeySetDeps {
  readonly load: () => Promise<readonly ActiveApiKey[]>
  readonly refreshMs: number
  /** Requests per second of a key created without one (API_KEY_RATE_LIMIT). */
  readonly defaultRateLimit: number
  readonly logger: Logger
  readonly metrics: ApiKeyMetrics
  readonly clock?: () => number
  /** For tests: the digest comparison (crypto.timingSafeEqual). */
  readonly compare?: (a: Buffer, b: Buffer) => boolean
}

export function createKeySet(deps: KeySetDeps): KeySet {
  const clock = deps.clock ?? Date.now
  let entries = new Map<string, Entry>()
  let refreshedAt: number | undefined
  let failing = false
  let repeating: Repeating | undefined
  let closed = false

  const toEntries = (keys: readonly ActiveApiKey[]) => new Map(keys.map((k) => [k.id, {
    hash: k.hash,
    principal: { id: k.id, name: k.name, rateLimit: k.rateLimit ?? deps.defaultRateLimit, mayWrite: serviceMatcher(k.services) },
  }]))

  const read = async (): Promise<void> => {
    entries = toEntries(await deps.load())
    refreshedAt = clock()
    deps.metrics.loaded.set(entries.size)
    deps.metrics.refreshed.set(refreshedAt / 1000)
  }

  const refresh = async (): Promise<void> => {
    try {
      await read()
      if (failing) deps.logger.info({ keys: entries.size }, 'api keys readable again')
      failing = false
    } catch (err) {
      deps.metrics.refreshErrors.inc()
      if (!failing) {
        deps.logger.warn({ err, keys: entries.size, refreshedAt: refreshedAt === undefined ? null : new Date(refreshedAt).toISOString() },
          'api keys cannot be read: serving with the last set read')
      }
      failing = true
    }
  }

  return {
    async start() {
      try {
        await read()
      } catch (err) {
        deps.metrics.refreshErrors.inc()
        throw new PipelineError('PIPELINE_API_KEYS_UNAVAILABLE', `cannot read the producer API keys from Postgres: ${(err as Error).message}`, { cause: err })
      }
      if (!closed) repeating = repeatEvery(deps.refreshMs, refresh)
    },
    verify(authorization) {
      const token = bearerToken(authorization)
      if (token === undefined) return { ok: false, code: 'PIPELINE_API_KEY_MISSING' }
      const parsed = parseApiKey(token)
      if (parsed === undefined) return { ok: false, code: 'PIPELINE_API_KEY_INVALID' }
      // One digest and one constant-time comparison whether or not the id is known.
      const entry = entries.get(parsed.id)
      if (!keyMatches(parsed.key, entry?.hash, deps.compare) || entry === undefined) return { ok: false, code: 'PIPELINE_API_KEY_INVALID' }
      return { ok: true, principal: entry.principal }
    },
    get size() {
      return entries.size
    },
    get refreshedAt() {
      return refreshedAt
    },
    async close() {
      closed = true
      await repeating?.stop()
    },
  }
}

/** What a start with `size` keys does: serve, serve with a warning (development), or refuse (production). */
export function startVerdict(size: number, requireKeys: boolean): 'serve' | 'warn' | 'refuse' {
  if (size > 0) return 'serve'
  return requireKeys ? 'refuse' : 'warn'
}
