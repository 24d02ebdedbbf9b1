/** GET /health/lag (and /health/buffer, the same body for old scripts): lag, drain, state. */
import type { FastifyInstance } from 'fastify'
import type { LagSnapshot } from '../lag/monitor.js'
import type { Thresholds } from '../lag/policy.js'

export interface LagRoutesOptions {
  readonly snapshot: () => LagSnapshot
  readonly thresholds: Thresholds
}

export function lagBody(snapshot: LagSnapshot, thresholds: Thresholds) {
  const { decision } = snapshot
  return {
    state: decision.state,
    reason: decision.reason,
    shed_ratio: decision.shedShare,
    retry_after_seconds: decision.retryAfterSeconds,
    thresholds: { soft: thresholds.soft, hard: thresholds.hard, hysteresis: thresholds.hysteresis },
    total_lag: snapshot.groups.reduce((s, g) => (g.throttles ? Math.max(s, g.totalLag) : s), 0),
    read_at: snapshot.readAt === undefined ? null : new Date(snapshot.readAt).toISOString(),
    error: snapshot.error ?? null,
    groups: snapshot.groups.map((g) => ({
      group: g.group,
      throttles: g.throttles,
      group_state: g.groupState,
      members: g.members,
      lag: g.totalLag,
      drain_rate: g.drainRate,
      growing: g.growing,
      state: g.decision.state,
      partitions: g.partitions.map((p) => ({ partition: p.partition, committed_offset: p.committed, high_watermark: p.high, lag: p.lag })),
    })),
  }
}

export async function lagRoutes(app: FastifyInstance, { snapshot, thresholds }: LagRoutesOptions): Promise<void> {
  const handler = async () => lagBody(snapshot(), thresholds)
  app.get('/health/lag', handler)
  app.get('/health/buffer', handler)
}
