import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AggregatorRegistry } from 'prom-client'
import { createApiKeyMetrics, createIngestMetrics, createLagMetrics, createRegistry } from '../../src/metrics.js'

/** Two workers of one service, as lib/src/cluster.ts sums them for a scrape. */
async function twoWorkers(set: (w: { ingest: ReturnType<typeof createIngestMetrics>; lag: ReturnType<typeof createLagMetrics>; keys: ReturnType<typeof createApiKeyMetrics> }, i: number) => void) {
  const registries = [0, 1].map((i) => {
    const registry = createRegistry('producer-api')
    set({ ingest: createIngestMetrics(registry), lag: createLagMetrics(registry), keys: createApiKeyMetrics(registry) }, i)
    return registry
  })
  const summed = AggregatorRegistry.aggregate(await Promise.all(registries.map((r) => r.getMetricsAsJSON())))
  return async (name: string) => (await summed.getSingleMetric(name)?.get())?.values.map((v) => v.value)
}

test('summed over workers: counters add up; what each worker reads from the same source is not multiplied', async () => {
  const value = await twoWorkers((w, i) => {
    w.ingest.accepted.inc(10 + i)
    w.lag.members.set({ group: 'sink', role: 'throttle' }, 1)
    w.lag.lagTotal.set({ group: 'sink', role: 'throttle' }, 500 + i)
    w.lag.state.set(i)
    w.lag.threshold.set({ kind: 'soft' }, 100_000)
    w.keys.loaded.set(3)
    w.keys.refreshed.set(1000 + i)
  })
  assert.deepEqual(await value('pipeline_events_accepted_total'), [21])
  assert.deepEqual(await value('pipeline_consumer_group_members'), [1])
  assert.deepEqual(await value('pipeline_consumer_lag_total'), [501], 'the later read of the two')
  assert.deepEqual(await value('pipeline_backpressure_state'), [1], 'the worse state')
  assert.deepEqual(await value('pipeline_backpressure_threshold'), [100_000])
  assert.deepEqual(await value('pipeline_api_keys_loaded'), [3])
  assert.deepEqual(await value('pipeline_api_keys_refreshed_timestamp_seconds'), [1000], 'the staler set')
})
