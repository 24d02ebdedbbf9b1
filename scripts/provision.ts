/**
 * Creates what the pipeline needs and does not create by itself: Postgres and MySQL
 * migrations, the topic and its DLQ with explicit settings (replicated to every broker up to 3,
 * min.insync.replicas 2, unless KAFKA_REPLICATION_FACTOR / KAFKA_MIN_INSYNC_REPLICAS say otherwise).
 * Idempotent. `npm start` runs it; so can an operator (`node --import tsx scripts/provision.ts`).
 */
import { parseKafkaConfig, parseLogConfig, parseMysqlConfig, parsePostgresConfig } from '../lib/src/config.js'
import { createKafka } from '../lib/src/kafka/client.js'
import { ensureTopics } from '../lib/src/kafka/topics.js'
import { createLogger } from '../lib/src/logger.js'
import { applyMysqlMigrations } from '../lib/src/mysql/migrate.js'
import { createMysqlPool } from '../lib/src/mysql/pool.js'
import { applyMigrations } from '../lib/src/pg/migrate.js'
import { createPgPool } from '../lib/src/pg/pool.js'

const logger = createLogger(parseLogConfig(process.env), 'provision')
const kafkaConfig = parseKafkaConfig(process.env, 'provision')
const pool = createPgPool(parsePostgresConfig(process.env), logger, 'provision')
const mysqlPool = createMysqlPool(parseMysqlConfig(process.env), { multipleStatements: true })
const admin = createKafka(kafkaConfig, logger).admin()
try {
  const migrations = await applyMigrations(pool)
  const mysqlMigrations = await applyMysqlMigrations(mysqlPool)
  await admin.connect()
  const topics = await ensureTopics(admin, kafkaConfig)
  for (const { topic, replicas } of topics.underReplicated) {
    logger.warn({ topic, replicas, wanted: topics.replication.factor },
      'topic kept with fewer replicas than a new one would get: raise it with a partition reassignment (README, growing onto a cluster)')
  }
  logger.info({ migrations, mysqlMigrations, ...topics }, 'provisioned')
} finally {
  await admin.disconnect()
  await pool.end()
  await mysqlPool.end()
}
