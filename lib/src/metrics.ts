/**
 * Every pipeline_* metric, defined once. Each deployable creates its own registry (default
 * process metrics on) and the metrics it uses; labels are bounded (route, status, reason,
 * group, partition, never an event or user id). Several workers of one service (lib/src/cluster.ts)
 * are summed for a scrape: a gauge that each of them reads from the same source (a group's
 * lag, the key set) says how it is combined instead (`aggregator`: max, min or first).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** Seconds, from 0.5 ms to 10 s: what HTTP, produce and COPY latencies actually span here. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
export const SIZE_BUCKETS = [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000]

export function createRegistry(service: string): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  return registry
}

export function createHttpMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'pipeline_http_requests_total', help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const, registers: [registry],
    }),
    duration: new Histogram({
      name: 'pipeline_http_request_duration_seconds', help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
    }),
  }
}

/** Errors nobody caught (lib/src/process-errors.ts); `code` is bounded (errno names, PIPELINE_* codes, other, none). */
export function createProcessMetrics(registry: Registry) {
  return {
    errors: new Counter({
      name: 'pipeline_process_errors_total',
      help: 'Errors nobody caught (uncaught exceptions, unhandled rejections, failed background work), by kind and code',
      labelNames: ['kind', 'code'] as const, registers: [registry],
    }),
  }
}

export type ProcessMetrics = ReturnType<typeof createProcessMetrics>

/** Open HTTP connections against HTTP_MAX_CONNECTIONS (lib/src/http/connections.ts). */
export function createConnectionMetrics(registry: Registry) {
  return {
    open: new Gauge({ name: 'pipeline_http_connections_open', help: 'Open HTTP connections', registers: [registry] }),
    max: new Gauge({ name: 'pipeline_http_connections_max', help: 'HTTP_MAX_CONNECTIONS: connections beyond it are refused', registers: [registry] }),
    refused: new Counter({
      name: 'pipeline_http_connections_refused_total', help: 'Connections closed at once because HTTP_MAX_CONNECTIONS were open', registers: [registry],
    }),
  }
}

export type ConnectionMetrics = ReturnType<typeof createConnectionMetrics>

export function createIngestMetrics(registry: Registry) {
  return {
    accepted: new Counter({ name: 'pipeline_events_accepted_total', help: 'Events acknowledged by the broker (202)', registers: [registry] }),
    rejected: new Counter({
      name: 'pipeline_events_rejected_total', help: 'Events not accepted, by reason (error code)',
      labelNames: ['reason'] as const, registers: [registry],
    }),
    sendBatchSize: new Histogram({
      name: 'pipeline_producer_batch_size', help: 'Events per produce request', buckets: SIZE_BUCKETS, registers: [registry],
    }),
    sendDuration: new Histogram({
      name: 'pipeline_producer_send_duration_seconds', help: 'Produce request latency until acks=all',
      labelNames: ['outcome'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
    }),
    throttled: new Counter({
      name: 'pipeline_http_throttled_total', help: 'Requests refused by backpressure or admission control',
      labelNames: ['status', 'reason'] as const, registers: [registry],
    }),
  }
}

/** Producer API keys (producer-api/src/auth/): who was refused, the key set's freshness, the rate limiter's health. */
export function createApiKeyMetrics(registry: Registry) {
  return {
    failures: new Counter({
      name: 'pipeline_api_key_failures_total', help: 'Requests refused by the API key check, by reason (error code: missing, invalid, forbidden service)',
      labelNames: ['reason'] as const, registers: [registry],
    }),
    loaded: new Gauge({ name: 'pipeline_api_keys_loaded', help: 'Producer API keys (not revoked) in the set this instance serves from', aggregator: 'max', registers: [registry] }),
    refreshed: new Gauge({
      name: 'pipeline_api_keys_refreshed_timestamp_seconds', help: 'When the key set was last read from Postgres (Unix time)', aggregator: 'min', registers: [registry],
    }),
    refreshErrors: new Counter({
      name: 'pipeline_api_keys_refresh_errors_total', help: 'Failed reads of the key set (the last set read keeps serving)', registers: [registry],
    }),
    rateLimitBypassed: new Counter({
      name: 'pipeline_rate_limit_bypassed_total', help: 'Requests admitted without a rate-limit check because Redis was unavailable (fail open)', registers: [registry],
    }),
  }
}

export type ApiKeyMetrics = ReturnType<typeof createApiKeyMetrics>

/** API key refusal reasons, created at 0 with the other series. */
export const API_KEY_FAILURE_REASONS = ['PIPELINE_API_KEY_MISSING', 'PIPELINE_API_KEY_INVALID', 'PIPELINE_SERVICE_FORBIDDEN'] as const

export function createLagMetrics(registry: Registry) {
  return {
    lag: new Gauge({
      name: 'pipeline_consumer_lag', help: 'Records not yet committed by the group, per partition (role: throttle = decides backpressure, observe = reported only)',
      labelNames: ['group', 'role', 'partition'] as const, aggregator: 'max', registers: [registry],
    }),
    lagTotal: new Gauge({ name: 'pipeline_consumer_lag_total', help: 'Total lag of the group', labelNames: ['group', 'role'] as const, aggregator: 'max', registers: [registry] }),
    members: new Gauge({ name: 'pipeline_consumer_group_members', help: 'Live members of the group', labelNames: ['group', 'role'] as const, aggregator: 'max', registers: [registry] }),
    drainRate: new Gauge({
      name: 'pipeline_consumer_drain_rate', help: 'Records per second the group commits (smoothed)',
      labelNames: ['group', 'role'] as const, aggregator: 'max', registers: [registry],
    }),
    state: new Gauge({
      name: 'pipeline_backpressure_state', help: 'Backpressure state: 0 ok, 1 throttling (429), 2 rejecting (503), 3 unknown (lag unreadable)',
      aggregator: 'max', registers: [registry],
    }),
    shedShare: new Gauge({ name: 'pipeline_backpressure_shed_ratio', help: 'Share of requests answered 429', aggregator: 'max', registers: [registry] }),
    threshold: new Gauge({
      name: 'pipeline_backpressure_threshold', help: 'Backpressure lag thresholds', labelNames: ['kind'] as const, aggregator: 'first', registers: [registry],
    }),
    readErrors: new Counter({ name: 'pipeline_lag_read_errors_total', help: 'Failed reads of offsets by the lag monitor', registers: [registry] }),
  }
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>
export type IngestMetrics = ReturnType<typeof createIngestMetrics>
export type LagMetrics = ReturnType<typeof createLagMetrics>

export function createSinkMetrics(registry: Registry) {
  return {
    rows: new Counter({ name: 'pipeline_sink_rows_written_total', help: 'Rows inserted into Postgres events', registers: [registry] }),
    duplicates: new Counter({
      name: 'pipeline_sink_duplicates_total', help: 'Records skipped because their event id was already stored (client retries, replays)', registers: [registry],
    }),
    batchSize: new Histogram({ name: 'pipeline_sink_batch_size', help: 'Records per written batch', buckets: SIZE_BUCKETS, registers: [registry] }),
    copyDuration: new Histogram({
      name: 'pipeline_sink_copy_duration_seconds', help: 'Duration of one batch transaction (COPY, insert, offset)', buckets: LATENCY_BUCKETS, registers: [registry],
    }),
    retries: new Counter({ name: 'pipeline_sink_retries_total', help: 'Batch writes retried after a transient failure', registers: [registry] }),
    deadLetters: new Counter({
      name: 'pipeline_dead_letters_total', help: 'Records sent to the dead-letter topic, by reason', labelNames: ['reason'] as const, registers: [registry],
    }),
  }
}

export type SinkMetrics = ReturnType<typeof createSinkMetrics>

export function createProjectorMetrics(registry: Registry) {
  return {
    events: new Counter({
      name: 'pipeline_projector_events_total',
      help: 'Records seen by user-recap-projector: applied (folded), duplicate (id already folded), skipped (not trx.*), undecodable (left to the sink\'s DLQ)',
      labelNames: ['outcome'] as const, registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'pipeline_projector_batch_duration_seconds', help: 'Duration of one read-model transaction', buckets: LATENCY_BUCKETS, registers: [registry],
    }),
    retries: new Counter({ name: 'pipeline_projector_retries_total', help: 'Read-model batch writes retried after a transient failure', registers: [registry] }),
    pruned: new Counter({
      name: 'pipeline_projector_dedupe_pruned_total', help: 'Folded event ids deleted after the dedupe retention', registers: [registry],
    }),
    invalidations: new Counter({
      name: 'pipeline_projector_cache_invalidations_total', help: 'Users whose cache entry was invalidated after a commit, by result',
      labelNames: ['result'] as const, registers: [registry],
    }),
  }
}

export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>

export function createQueryMetrics(registry: Registry) {
  return {
    cache: new Counter({
      name: 'pipeline_query_cache_total', help: 'Read-model lookups by result: local (near cache, in the process), hit (Redis), miss (loaded from MySQL), shared (joined a load in flight), bypass (Redis unavailable)',
      labelNames: ['result'] as const, registers: [registry],
    }),
    loadDuration: new Histogram({
      name: 'pipeline_query_mysql_duration_seconds', help: 'MySQL read-model query latency', buckets: LATENCY_BUCKETS, registers: [registry],
    }),
    authFailures: new Counter({
      name: 'pipeline_query_auth_failures_total', help: 'Requests refused by the signature check, by reason (error code)',
      labelNames: ['reason'] as const, registers: [registry],
    }),
  }
}

export type QueryMetrics = ReturnType<typeof createQueryMetrics>

/** Dead-letter and rejection reasons, created at 0 so that rates and alerts see a series from the start. */
export const DEAD_LETTER_REASONS = ['PIPELINE_RECORD_UNDECODABLE', 'PIPELINE_SCHEMA_UNKNOWN', 'PIPELINE_ROW_REJECTED'] as const
export const REJECTION_REASONS = ['PIPELINE_EVENT_INVALID', 'PIPELINE_PAYLOAD_TOO_DEEP', 'PIPELINE_BROKER_UNAVAILABLE', 'PIPELINE_BROKER_UNCONFIRMED', 'PIPELINE_SHUTTING_DOWN'] as const

export function initialiseLabels(metrics: {
  readonly deadLetters?: SinkMetrics['deadLetters']; readonly rejected?: IngestMetrics['rejected']; readonly apiKeyFailures?: ApiKeyMetrics['failures']
  readonly throttled?: IngestMetrics['throttled']
}): void {
  for (const reason of DEAD_LETTER_REASONS) metrics.deadLetters?.inc({ reason }, 0)
  for (const reason of REJECTION_REASONS) metrics.rejected?.inc({ reason }, 0)
  for (const reason of API_KEY_FAILURE_REASONS) metrics.apiKeyFailures?.inc({ reason }, 0)
  metrics.throttled?.inc({ status: '429', reason: 'PIPELINE_RATE_LIMITED' }, 0)
}
