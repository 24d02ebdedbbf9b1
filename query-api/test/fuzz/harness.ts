/**
 * query-api as built for production (buildQueryApp with its real plugins), with an in-memory
 * read model in place of Redis and MySQL, a fixed clock, and a record of what was read: for the
 * fuzz properties through inject().
 */
import type { FastifyInstance } from 'fastify'
import type { HttpServerConfig } from '../../../lib/src/config.js'
import { createLogger } from '../../../lib/src/logger.js'
import { createHttpMetrics, createQueryMetrics, createRegistry } from '../../../lib/src/metrics.js'
import type { FuzzProperty } from '../../../lib/test/fuzz/runner.js'
import { injectTarget, type Target } from '../../../lib/test/fuzz/target.js'
import { buildQueryApp } from '../../src/app.js'
import type { SignatureConfig } from '../../src/auth/signature.js'
import { LOCAL_SIGNING_SECRET } from '../../src/config.js'
import { userDataProperty, type ReadCase } from './user-data.js'

/** The server's clock (ms since the epoch), fixed. */
export const NOW_MS = 1_795_533_568_239

export const UNIT_SIGNATURE: SignatureConfig = { secret: LOCAL_SIGNING_SECRET, maxSkewMs: 300_000, legacy: false }

/** Users the read model has: every third id. */
export const knownUser = (userId: number): boolean => userId % 3 === 0
export const userJson = (userId: number): string => JSON.stringify({ user_id: userId, trx_count: 1, total_amount: 5, refund_count: 0, refunded_amount: 0, net_amount: 5, first_trx_at: null, last_trx_at: null, top_category: null, updated_at: '2026-01-01T00:00:00.000000Z' })

export interface QueryHarness {
  /** The app, for a test that listens. */
  readonly app: FastifyInstance
  readonly target: Target
  /** The user ids the route asked the read model for since the last call. */
  drainReads(): number[]
}

/** `server`: the HTTP_* bounds (their defaults when absent), for a test that listens. */
export async function queryHarness(signature: SignatureConfig = UNIT_SIGNATURE, server?: HttpServerConfig): Promise<QueryHarness> {
  let reads: number[] = []
  const registry = createRegistry('fuzz')
  const app = await buildQueryApp({
    logger: createLogger({ level: 'silent' }, 'fuzz'),
    ready: async () => ({ ready: true, checks: {} }),
    userData: {
      cache: { getJson: async (userId) => { reads.push(userId); return knownUser(userId) ? userJson(userId) : undefined } },
      signature,
      clock: () => NOW_MS,
      retryAfterSeconds: 1,
    },
    metrics: { registry, http: createHttpMetrics(registry), query: createQueryMetrics(registry) },
    ...(server === undefined ? {} : { server }),
  })
  return {
    app,
    target: injectTarget(app),
    drainReads() {
      const out = reads
      reads = []
      return out
    },
  }
}

/** The property against the app in this process (the unit test and `npm run fuzz`). */
export async function unitUserDataProperty(): Promise<FuzzProperty<ReadCase>> {
  const h = await queryHarness()
  return userDataProperty({ target: h.target, ...UNIT_SIGNATURE, now: () => NOW_MS, marginMs: 0, drainReads: h.drainReads, knownUser, userJson })
}
