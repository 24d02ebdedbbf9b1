/**
 * What one answer of producer-api says about the events of its request:
 * - acknowledged: 202, the broker has them (acks=all): they must reach Postgres exactly once;
 * - rejected: refused before they were handed to the broker (a 4xx, backpressure's 429/503,
 *   PIPELINE_BROKER_UNAVAILABLE, shutting down): they must not be anywhere;
 * - unknown: no answer (timeout, reset), PIPELINE_BROKER_UNCONFIRMED (handed over, no ack in
 *   time) or anything unexpected: each may be stored, at most once.
 */
export type Outcome = 'acknowledged' | 'rejected' | 'unknown'

/** 503 codes that producer-api answers before an event reaches the broker (lib/src/errors.ts). */
const NOT_HANDED_OVER = new Set([
  'PIPELINE_BROKER_UNAVAILABLE', 'PIPELINE_SHUTTING_DOWN', 'PIPELINE_LAG_CRITICAL', 'PIPELINE_LAG_UNKNOWN', 'PIPELINE_OVERLOADED',
  'PIPELINE_SCHEMA_REGISTRY_UNAVAILABLE',
])

export function classify(status: number | undefined, code: string | undefined): Outcome {
  if (status === 202) return 'acknowledged'
  if (status === undefined) return 'unknown'
  if (status >= 400 && status < 500) return 'rejected'
  if (status === 503 && code !== undefined && NOT_HANDED_OVER.has(code)) return 'rejected'
  return 'unknown'
}
