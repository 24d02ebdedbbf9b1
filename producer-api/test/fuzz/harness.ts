/**
 * producer-api as its unit tests build it (buildApp with its real plugins), with a sender that
 * records what would be produced instead of a broker, for the fuzz properties through inject().
 */
import { serviceMatcher } from '../../../lib/src/api-keys/key.js'
import { loadCatalog, type Catalog } from '../../../lib/src/avro/catalog.js'
import type { HttpServerConfig } from '../../../lib/src/config.js'
import type { OutgoingRecord } from '../../../lib/src/kafka/record-producer.js'
import { createLogger } from '../../../lib/src/logger.js'
import { createApiKeyMetrics, createHttpMetrics, createIngestMetrics, createRegistry } from '../../../lib/src/metrics.js'
import type { FastifyInstance } from 'fastify'
import fc from 'fast-check'
import { fuzzIds } from '../../../lib/test/fuzz/ids.js'
import type { FuzzProperty } from '../../../lib/test/fuzz/runner.js'
import { injectTarget, type Target } from '../../../lib/test/fuzz/target.js'
import { buildApp } from '../../src/app.js'
import { createKeySet } from '../../src/auth/key-set.js'
import { MAX_USER_ID } from '../../src/events/envelope.js'
import { createEventValidator, DEFAULT_PAYLOAD_MAX_DEPTH } from '../../src/events/validate.js'
import type { LagSnapshot } from '../../src/lag/monitor.js'
import { OK, thresholds } from '../helpers/app.js'
import { allowAll, testKey } from '../helpers/auth.js'
import type { EventCase } from './cases.js'
import { eventsProperties } from './events.js'
import type { ProducerLimits } from './oracle.js'

/** Small limits, so that bodies around them stay cheap to build. */
export const UNIT_LIMITS: ProducerLimits = { bodyLimit: 16 * 1024, maxBatchEvents: 20, maxPayloadDepth: DEFAULT_PAYLOAD_MAX_DEPTH }
/** producer-api's defaults (BODY_LIMIT_BYTES, BATCH_MAX_EVENTS, PAYLOAD_MAX_DEPTH), which the live stack runs with. */
export const DEFAULT_LIMITS: ProducerLimits = { bodyLimit: 1024 * 1024, maxBatchEvents: 1000, maxPayloadDepth: DEFAULT_PAYLOAD_MAX_DEPTH }

/** The receive time the app's clock gives (microseconds): an event without occurred_at gets it. */
export const RECEIVED_AT = 1_795_533_568_239_000

export interface ProducerHarness {
  /** The app, for a test that listens. */
  readonly app: FastifyInstance
  readonly target: Target
  readonly catalog: Catalog
  readonly limits: ProducerLimits
  /** An unlimited key of `services` (default: every service). */
  readonly writerKey: string
  /** What the app handed to the sender since the last call. */
  drainProduced(): OutgoingRecord[]
}

/** `server`: the HTTP_* bounds (their defaults when absent), for a test that listens; `services`: what the writer key may write. */
export async function producerHarness(limits: ProducerLimits = UNIT_LIMITS, server?: HttpServerConfig, services: readonly string[] = ['*']): Promise<ProducerHarness> {
  const catalog = loadCatalog()
  let produced: OutgoingRecord[] = []
  const registry = createRegistry('fuzz')
  const logger = createLogger({ level: 'silent' }, 'fuzz')
  const apiKeyMetrics = createApiKeyMetrics(registry)
  const { key, record } = testKey({ name: 'fuzz', services })
  const keys = createKeySet({ load: async () => [record], refreshMs: 3_600_000, defaultRateLimit: 1_000_000, logger, metrics: apiKeyMetrics })
  await keys.start()
  const ok: LagSnapshot = { readAt: 1, groups: [], decision: OK, error: undefined }
  const app = await buildApp({
    logger,
    accept: {
      validate: createEventValidator(catalog, { maxPayloadDepth: limits.maxPayloadDepth }),
      clock: () => RECEIVED_AT,
      sender: { send: async (messages) => { produced.push(...messages) } },
    },
    ready: async () => ({ ready: true, checks: {} }),
    bodyLimit: limits.bodyLimit,
    maxBatchEvents: limits.maxBatchEvents,
    lag: { snapshot: () => ok, thresholds },
    ...(server === undefined ? {} : { server }),
    admission: { maxRequests: 1000, maxBytes: 1024 * 1024 * 1024, maxEventLoopDelayMs: 0, retryAfterSeconds: 1 },
    auth: { keys, limiter: allowAll },
    metrics: { registry, http: createHttpMetrics(registry), ingest: createIngestMetrics(registry), apiKeys: apiKeyMetrics },
  })
  app.addHook('onClose', () => keys.close())
  return {
    app,
    target: injectTarget(app),
    writerKey: key,
    catalog,
    limits,
    drainProduced() {
      const out = produced
      produced = []
      return out
    },
  }
}

/** The unit fuzz's key may write every service but those that begin with Z or _: some events are someone else's (403). */
const WRITER_SERVICES = [...'ABCDEFGHIJKLMNOPQRSTUVWXYabcdefghijklmnopqrstuvwxyz0123456789.-'].map((c) => `${c}*`)

/** The properties of both routes against the app in this process (the unit tests and `npm run fuzz`). */
export async function unitEventsProperties(): Promise<FuzzProperty<EventCase>[]> {
  const h = await producerHarness(UNIT_LIMITS, undefined, WRITER_SERVICES)
  return eventsProperties({
    target: h.target, catalog: h.catalog, limits: h.limits, ids: fuzzIds('f0220000'), writerKey: h.writerKey, mayWrite: serviceMatcher(WRITER_SERVICES),
    service: fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/), userId: fc.integer({ min: 1, max: MAX_USER_ID }),
    drainProduced: h.drainProduced, receivedAtMicros: RECEIVED_AT,
  })
}
