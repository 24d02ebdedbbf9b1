/**
 * Producer API keys for tests that build the app with buildApp(): a key set held in memory
 * (the real createKeySet, loading from a list instead of Postgres) and a rate limiter that
 * allows everything unless told otherwise. Every test that posts to the app sends `headers`.
 */
import type { TestContext } from 'node:test'
import type { Registry } from 'prom-client'
import { generateApiKey, hashApiKey } from '../../../lib/src/api-keys/key.js'
import type { ActiveApiKey } from '../../../lib/src/api-keys/store.js'
import { createLogger } from '../../../lib/src/logger.js'
import { createApiKeyMetrics, type ApiKeyMetrics } from '../../../lib/src/metrics.js'
import { createKeySet, type KeySet } from '../../src/auth/key-set.js'
import type { RateDecision, RateLimiter } from '../../src/auth/rate-limiter.js'

export interface TestKeySpec {
  readonly name?: string
  readonly services?: readonly string[]
  readonly rateLimit?: number | null
}

/** A new key and the record Postgres would hold for it. */
export function testKey(spec: TestKeySpec = {}): { readonly key: string; readonly record: ActiveApiKey } {
  const { id, key } = generateApiKey()
  return {
    key,
    record: {
      id, name: spec.name ?? 'test', hash: hashApiKey(key), services: spec.services ?? ['*'],
      rateLimit: spec.rateLimit ?? null, createdAt: new Date(0), revokedAt: null,
    },
  }
}

export const allowAll: RateLimiter = { take: async (): Promise<RateDecision> => ({ outcome: 'allowed' }) }

export interface TestAuth {
  readonly auth: { readonly keys: KeySet; readonly limiter: RateLimiter }
  readonly apiKeys: ApiKeyMetrics
  /** A key that may write any service. */
  readonly key: string
  /** `{ authorization: 'Bearer <key>' }` */
  readonly headers: Readonly<Record<string, string>>
}

export interface TestAuthOptions {
  /** The key `headers` carry (default: a new one for any service). */
  readonly key?: ReturnType<typeof testKey>
  /** More keys in the set. */
  readonly extra?: readonly ActiveApiKey[]
  readonly limiter?: RateLimiter
}

/** A started key set holding `key` (plus `extra`), closed after the test. */
export async function testAuth(t: TestContext, registry: Registry, o: TestAuthOptions = {}): Promise<TestAuth> {
  const { key, record } = o.key ?? testKey()
  const apiKeys = createApiKeyMetrics(registry)
  const keys = createKeySet({
    load: async () => [record, ...(o.extra ?? [])],
    refreshMs: 60_000,
    defaultRateLimit: 1000,
    logger: createLogger({ level: 'silent' }, 'test'),
    metrics: apiKeys,
  })
  await keys.start()
  t.after(() => keys.close())
  return { auth: { keys, limiter: o.limiter ?? allowAll }, apiKeys, key, headers: { authorization: `Bearer ${key}` } }
}
