import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Admin } from '../../../../lib/src/kafka/types.js'
import { quietLogger } from '../../../../lib/test/helpers/services.js'
import { createLagMonitor } from '../../../src/lag/monitor.js'
import type { Thresholds } from '../../../src/lag/policy.js'

const thresholds: Thresholds = { soft: 1000, hard: 10_000, hysteresis: 0.2, minShedShare: 0.1, maxRetryAfterSeconds: 60, unknownRetryAfterSeconds: 5 }

/** Offsets as an admin would report them: one partition, high watermark 50,000. */
function admin(committed: Readonly<Record<string, number>>): Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets' | 'describeGroups'> {
  return {
    fetchTopicOffsets: async () => [{ partition: 0, offset: '50000', high: '50000', low: '0' }],
    fetchOffsets: async ({ groupId }) => [{ topic: 't', partitions: [{ partition: 0, offset: String(committed[groupId] ?? -1), metadata: null }] }],
    describeGroups: async (groups) => ({
      groups: groups.map((groupId) => ({ groupId, state: 'Stable', members: [{ memberId: 'm' }], protocol: '', protocolType: '', errorCode: 0 })),
    }) as unknown as Awaited<ReturnType<Admin['describeGroups']>>,
  }
}

/** One reading of a monitor of group `sink` (throttling) and `projector` (observed). */
async function readOnce(committed: Readonly<Record<string, number>>) {
  const monitor = createLagMonitor({
    admin: admin(committed), topic: 't', groups: ['sink'], observedGroups: ['projector'],
    thresholds, intervalMs: 60_000, staleAfterMs: 5000, logger: quietLogger,
  })
  await monitor.start()
  monitor.close()
  return monitor.snapshot()
}

test('an observed group is reported with its lag but never throttles ingestion', async () => {
  const snap = await readOnce({ sink: 49_990, projector: 0 })
  assert.deepEqual(snap.groups.map((g) => [g.group, g.throttles, g.totalLag]), [['sink', true, 10], ['projector', false, 50_000]])
  assert.equal(snap.decision.state, 'ok', 'the projector is 50,000 behind (over hard), ingestion still ok')
})

test('the throttling group alone decides: over hard is reject', async () => {
  assert.equal((await readOnce({ sink: 0, projector: 50_000 })).decision.state, 'reject')
})
