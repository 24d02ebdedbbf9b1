/**
 * The usual e2e setup: a fresh topic and group, the consumer, a producer API key for any
 * service (made before producer-api starts, which reads its keys then), then producer-api;
 * all closed or deleted after the test.
 */
import type { TestContext } from 'node:test'
import { createTestKey } from './keys.js'
import { startService } from './processes.js'
import { createTestTopic, testPool } from './services.js'

export async function startPipeline(t: TestContext, { partitions = 3, env = {} }: { partitions?: number; env?: Record<string, string> } = {}) {
  const topic = await createTestTopic(t, partitions)
  const pool = testPool(t)
  const consumer = await startService(t, 'consumer', { ...topic.env, ...env })
  const key = await createTestKey(t)
  const api = await startService(t, 'producer-api', { ...topic.env, ...env })
  return { topic, pool, consumer, api, apiKey: key.key }
}
