/**
 * Reads, every `intervalMs`, each required group's committed offsets, the topic's high
 * watermarks and the groups' live members (one kafkajs admin connection, reused), derives
 * lag, drain rate and growth, and keeps the latest decision of the policy in memory for the
 * request path to read. A failed read keeps the last snapshot for `staleAfterMs`, then the
 * state becomes unknown (never zero lag). Sampling runs on an unref'd timer and never overlaps.
 */
import type { Admin } from '../../../lib/src/kafka/types.js'
import type { LagMetrics } from '../../../lib/src/metrics.js'
import type { Logger } from '../../../lib/src/logger.js'
import { repeatEvery, type Repeating } from '../../../lib/src/repeat.js'
import { decide, worst, type Decision, type PressureState, type Thresholds } from './policy.js'

export interface PartitionLag {
  readonly partition: number
  readonly committed: number
  readonly high: number
  readonly lag: number
}

export interface GroupLag {
  readonly group: string
  /** Whether this group's lag decides backpressure (else it is only observed). */
  readonly throttles: boolean
  readonly groupState: string
  readonly members: number
  readonly totalLag: number
  readonly drainRate: number
  readonly growing: boolean
  readonly partitions: readonly PartitionLag[]
  readonly decision: Decision
}

export interface LagSnapshot {
  /**
   * When the read of the offsets began (ms since epoch): the log's end is read after it, so a
   * zero lag read at T covers every event acknowledged before T. Undefined before the first
   * good read.
   */
  readonly readAt: number | undefined
  readonly groups: readonly GroupLag[]
  readonly decision: Decision
  readonly error: string | undefined
}

export interface LagMonitorDeps {
  readonly admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets' | 'describeGroups'>
  readonly topic: string
  readonly groups: readonly string[]
  /** Read and reported like `groups`, never throttling. */
  readonly observedGroups?: readonly string[]
  readonly thresholds: Thresholds
  readonly intervalMs: number
  readonly staleAfterMs: number
  readonly metrics?: LagMetrics
  readonly logger: Logger
  readonly clock?: () => number
}

export interface LagMonitor {
  /** Reads once (so that the first decision is real), then every intervalMs. */
  start(): Promise<void>
  snapshot(): LagSnapshot
  close(): void
}

const STATE_VALUE: Readonly<Record<PressureState, number>> = { ok: 0, throttle: 1, reject: 2, unknown: 3 }
const GROWTH_WINDOW_MS = 3000
const DRAIN_SMOOTHING = 0.3

interface History {
  committedSum: number
  at: number
  drainRate: number
  lags: { at: number; lag: number }[]
  state: PressureState
}

export function createLagMonitor(deps: LagMonitorDeps): LagMonitor {
  const clock = deps.clock ?? Date.now
  const history = new Map<string, History>()
  let repeating: Repeating | undefined
  let closed = false
  let lastGoodAt: number | undefined
  let current: LagSnapshot = {
    readAt: undefined, groups: [], error: 'not read yet',
    decision: decide('unknown', undefined, deps.thresholds),
  }

  const allGroups = [...deps.groups, ...(deps.observedGroups ?? [])]

  async function read(): Promise<GroupLag[]> {
    const [offsets, described] = await Promise.all([
      deps.admin.fetchTopicOffsets(deps.topic),
      deps.admin.describeGroups(allGroups),
    ])
    const now = clock()
    const out: GroupLag[] = []
    for (const group of allGroups) {
      const committed = await deps.admin.fetchOffsets({ groupId: group, topics: [deps.topic] })
      const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]))
      const partitions = offsets.map((o) => {
        const high = Number(o.high)
        const stored = byPartition.get(o.partition) ?? -1
        // A group that never committed a partition has all of it (from the log start) to read.
        const position = stored < 0 ? Number(o.low) : stored
        return { partition: o.partition, committed: stored, high, lag: Math.max(0, high - position) }
      }).sort((a, b) => a.partition - b.partition)
      const totalLag = partitions.reduce((s, p) => s + p.lag, 0)
      const committedSum = partitions.reduce((s, p) => s + Math.max(0, p.committed), 0)
      const info = described.groups.find((g) => g.groupId === group)
      const members = info?.members.length ?? 0

      const h = history.get(group) ?? { committedSum, at: now, drainRate: 0, lags: [], state: 'unknown' as PressureState }
      const dt = (now - h.at) / 1000
      if (dt > 0) {
        const rate = Math.max(0, (committedSum - h.committedSum) / dt)
        h.drainRate = h.drainRate === 0 ? rate : h.drainRate + DRAIN_SMOOTHING * (rate - h.drainRate)
      }
      h.committedSum = committedSum
      h.at = now
      h.lags = [...h.lags.filter((l) => now - l.at <= GROWTH_WINDOW_MS), { at: now, lag: totalLag }]
      const growing = h.lags.length > 1 && totalLag > (h.lags[0]?.lag ?? totalLag)
      const decision = decide(h.state, { totalLag, members, drainRate: h.drainRate, growing }, deps.thresholds)
      h.state = decision.state
      history.set(group, h)
      out.push({ group, throttles: deps.groups.includes(group), groupState: info?.state ?? 'Unknown', members, totalLag, drainRate: Math.round(h.drainRate), growing, partitions, decision })
    }
    return out
  }

  function publish(snapshot: LagSnapshot): void {
    current = snapshot
    const m = deps.metrics
    if (!m) return
    m.state.set(STATE_VALUE[snapshot.decision.state])
    m.shedShare.set(snapshot.decision.shedShare)
    for (const g of snapshot.groups) {
      const labels = { group: g.group, role: g.throttles ? 'throttle' : 'observe' }
      m.lagTotal.set(labels, g.totalLag)
      m.members.set(labels, g.members)
      m.drainRate.set(labels, g.drainRate)
      for (const p of g.partitions) m.lag.set({ ...labels, partition: String(p.partition) }, p.lag)
    }
  }

  async function sample(): Promise<void> {
    try {
      const startedAt = clock()
      const groups = await read()
      lastGoodAt = clock()
      publish({ readAt: startedAt, groups, error: undefined, decision: worst(groups.filter((g) => g.throttles).map((g) => g.decision)) })
    } catch (err) {
      deps.metrics?.readErrors.inc()
      const message = (err as Error).message
      const stale = lastGoodAt === undefined || clock() - lastGoodAt > deps.staleAfterMs
      if (stale) {
        if (current.decision.state !== 'unknown') deps.logger.warn({ err }, 'consumer lag unreadable: backpressure state unknown')
        for (const h of history.values()) h.state = 'unknown'
        publish({ ...current, error: message, decision: decide('unknown', undefined, deps.thresholds) })
      } else {
        current = { ...current, error: message }
      }
    }
  }

  deps.metrics?.threshold.set({ kind: 'soft' }, deps.thresholds.soft)
  deps.metrics?.threshold.set({ kind: 'hard' }, deps.thresholds.hard)

  return {
    async start() {
      await sample()
      if (!closed) repeating = repeatEvery(deps.intervalMs, sample)
    },
    snapshot: () => current,
    close() {
      closed = true
      void repeating?.stop()
    },
  }
}
