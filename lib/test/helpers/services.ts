/**
 * Test helpers for the real services of the local stack (scripts/stack.sh): unique topics
 * and groups per test, Postgres assertions by event id, polling. Every resource is closed in
 * t.after. They fail loudly when a service is missing: run `npm test` (it starts the stack).
 */
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { Admin } from '../../src/kafka/types.js'
import { countByEventId } from '../../src/pg/event-counts.js'
import type pg from 'pg'
import { parseKafkaConfig, parseMysqlConfig, parsePostgresConfig, parseRedisConfig, type KafkaConfig } from '../../src/config.js'
import { createKafka } from '../../src/kafka/client.js'
import { ensureTopics } from '../../src/kafka/topics.js'
import { createLogger } from '../../src/logger.js'
import { PROJECT_ROOT } from '../../src/paths.js'
import { createScratchDatabase } from '../../src/mysql/scratch.js'
import { createMysqlPool, type MysqlPoolOptions } from '../../src/mysql/pool.js'
import { createPgPool } from '../../src/pg/pool.js'
import { createRedis, redisReady } from '../../src/redis.js'

export const quietLogger = createLogger({ level: 'error' }, 'test')

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

export interface TestTopic {
  readonly topic: string
  readonly dlqTopic: string
  readonly group: string
  readonly kafka: KafkaConfig
  /** Environment for a spawned producer-api or consumer that uses this topic and group. */
  readonly env: Readonly<Record<string, string>>
}

/** A fresh topic + DLQ + group name, deleted after the test. */
export async function createTestTopic(t: TestContext, partitions = 3): Promise<TestTopic> {
  const topic = uniqueName('test-events')
  const group = uniqueName('test-sink')
  const env = {
    KAFKA_TOPIC: topic,
    KAFKA_TOPIC_PARTITIONS: String(partitions),
    SINK_GROUP_ID: group,
    LAG_GROUPS: group,
    // The broker's minimum: a consumer killed with -9 leaves the group within seconds.
    SINK_SESSION_TIMEOUT_MS: '6000',
  }
  const kafka = parseKafkaConfig({ ...process.env, ...env }, 'test')
  const admin = createKafka(kafka, quietLogger).admin()
  await admin.connect()
  t.after(async () => {
    // KEEP_TEST_TOPICS=1 keeps them for a post-mortem.
    if (process.env.KEEP_TEST_TOPICS === undefined) await admin.deleteTopics({ topics: [kafka.topic, kafka.dlqTopic] }).catch(() => undefined)
    await admin.disconnect()
  })
  await ensureTopics(admin, kafka)
  return { topic, dlqTopic: kafka.dlqTopic, group: env.SINK_GROUP_ID, kafka, env }
}

export async function connectAdmin(t: TestContext, config: KafkaConfig = parseKafkaConfig(process.env, 'test')): Promise<Admin> {
  const admin = createKafka(config, quietLogger).admin()
  await admin.connect()
  t.after(() => admin.disconnect())
  return admin
}

export function testPool(t: TestContext): pg.Pool {
  const pool = createPgPool(parsePostgresConfig(process.env), quietLogger, 'test')
  t.after(() => pool.end())
  return pool
}

export function testMysqlPool(t: TestContext) {
  const pool = createMysqlPool(parseMysqlConfig(process.env))
  t.after(() => pool.end())
  return pool
}

/** A connected Redis client of the local stack; `keyPrefix` keeps a test's keys apart. */
export async function testRedis(t: TestContext, keyPrefix = `${uniqueName('test')}:`) {
  const redis = createRedis({ ...parseRedisConfig(process.env), keyPrefix }, quietLogger)
  t.after(() => redis.disconnect())
  await redisReady(redis)
  return redis
}

/**
 * A MySQL database of its own (`<db>_t_<random>`, migrated, dropped after the test), for tests
 * that empty or bulk-load the read model: the shared one may hold a developer's 10 M users.
 * `env` points a spawned script at it.
 */
export async function testMysqlDatabase(t: TestContext, options: MysqlPoolOptions = {}) {
  const scratch = await createScratchDatabase(parseMysqlConfig(process.env))
  const pool = createMysqlPool(scratch.config, options)
  t.after(async () => {
    await pool.end()
    await scratch.drop()
  })
  return { pool, url: scratch.config.url, env: { MYSQL_URL: scratch.config.url } as Readonly<Record<string, string>> }
}

/** A user id no other test run uses (the read model is shared by every test). */
export function uniqueUserId(): number {
  return 1_000_000_000 + Math.floor(Math.random() * 8_000_000_000_000)
}

/** How many rows each id has in `events` (absent ids are missing from the map). */
export { countByEventId }

/** Polls until `check` returns true; fails with `message` and the last state after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, { timeoutMs = 20_000, intervalMs = 100, message = 'condition' } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** Waits until every id is in Postgres, then asserts each is there exactly once. */
export async function assertExactlyOnce(pool: pg.Pool, ids: readonly string[], timeoutMs = 30_000): Promise<void> {
  let counts = new Map<string, number>()
  await waitFor(async () => {
    counts = await countByEventId(pool, ids)
    return counts.size === new Set(ids).size
  }, { timeoutMs, message: `${ids.length} acknowledged events in Postgres (have ${counts.size})` }).catch((err: Error) => {
    const missing = ids.filter((id) => !counts.has(id))
    const file = join(PROJECT_ROOT, '.local', 'logs', 'test', `missing-${Date.now()}.txt`)
    writeFileSync(file, missing.join('\n'))
    throw new Error(`${err.message}; missing ${missing.length} (listed in ${file}), e.g. ${missing.slice(0, 3).join(', ')}`)
  })
  const duplicated = [...counts].filter(([, n]) => n !== 1)
  if (duplicated.length > 0) throw new Error(`${duplicated.length} events stored more than once, e.g. ${duplicated[0]?.[0]}`)
}
