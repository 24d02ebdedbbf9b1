/**
 * producer-api built with buildApp() for inject(): a recording sender in place of the broker,
 * lag that says ok unless told otherwise, and the key check of helpers/auth.ts (or one the
 * test builds on the real Postgres and Redis).
 */
import type { TestContext } from 'node:test'
import type { Registry } from 'prom-client'
import { loadCatalog } from '../../../lib/src/avro/catalog.js'
import type { OutgoingRecord } from '../../../lib/src/kafka/record-producer.js'
import { createLogger } from '../../../lib/src/logger.js'
import { createHttpMetrics, createIngestMetrics, createRegistry, type ApiKeyMetrics } from '../../../lib/src/metrics.js'
import { buildApp, type AppDeps } from '../../src/app.js'
import { createEventValidator } from '../../src/events/validate.js'
import type { LagSnapshot } from '../../src/lag/monitor.js'
import type { Decision, Thresholds } from '../../src/lag/policy.js'
import { testAuth, type TestAuthOptions } from './auth.js'

export const thresholds: Thresholds = { soft: 100, hard: 1000, hysteresis: 0.2, minShedShare: 0.1, maxRetryAfterSeconds: 60, unknownRetryAfterSeconds: 5 }
export const OK: Decision = { state: 'ok', shedShare: 0, retryAfterSeconds: 0, reason: 'fine' }
const validate = createEventValidator(loadCatalog())

export interface TestAppOptions {
  readonly send?: (messages: readonly OutgoingRecord[]) => Promise<void>
  readonly maxRequests?: number
  /** The in-memory key set of helpers/auth.ts, with these options. */
  readonly keys?: TestAuthOptions
  /** Or a key check of the test's own (real Postgres, real Redis), with its metrics in `registry`. */
  readonly auth?: (registry: Registry) => Promise<{ readonly auth: AppDeps['auth']; readonly apiKeys: ApiKeyMetrics }>
  readonly overrides?: Partial<AppDeps>
}

export async function testApp(t: TestContext, o: TestAppOptions = {}) {
  const sent: OutgoingRecord[] = []
  const lag = { decision: OK }
  const registry = createRegistry('test')
  const send = o.send ?? (async () => undefined)
  const { auth, apiKeys } = o.auth === undefined ? await testAuth(t, registry, o.keys) : await o.auth(registry)
  const app = await buildApp({
    logger: createLogger({ level: 'silent' }, 'test'),
    accept: { validate, clock: () => 1_000_000, sender: { send: async (m) => { await send(m); sent.push(...m) } } },
    ready: async () => ({ ready: true, checks: {} }),
    bodyLimit: 4096,
    maxBatchEvents: 3,
    lag: { snapshot: (): LagSnapshot => ({ readAt: 1, groups: [], decision: lag.decision, error: undefined }), thresholds },
    admission: { maxRequests: o.maxRequests ?? 100, maxBytes: 1_000_000, maxEventLoopDelayMs: 0, retryAfterSeconds: 1 },
    auth,
    metrics: { registry, http: createHttpMetrics(registry), ingest: createIngestMetrics(registry), apiKeys },
    random: () => 0.5,
    ...o.overrides,
  })
  t.after(() => app.close())
  return { app, sent, lag, registry }
}

/** A POST for inject(): JSON unless `payload` is already text, with the given headers. */
export const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url,
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  headers: { 'content-type': 'application/json', ...headers },
})
