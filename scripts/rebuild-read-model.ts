/**
 * npm run read-model:rebuild — empties the MySQL read model and the projector's positions,
 * resets the projector group to the start of the log and clears the cached entries, so that
 * the next projector start folds the whole log again. Refuses while the group has live members
 * (stop the projector first). See docs/read-model.md.
 */
import { parseKafkaConfig, parseLogConfig, parseMysqlConfig, parseRedisConfig } from '../lib/src/config.js'
import { createKafka } from '../lib/src/kafka/client.js'
import { createLogger } from '../lib/src/logger.js'
import { createMysqlPool } from '../lib/src/mysql/pool.js'
import { createRedis, redisReady } from '../lib/src/redis.js'
import { parseGroupConfig } from '../consumer/src/config.js'

const logger = createLogger(parseLogConfig(process.env), 'rebuild-read-model')
const kafkaConfig = parseKafkaConfig(process.env, 'rebuild-read-model')
const { groupId } = parseGroupConfig(process.env, 'PROJECTOR', 'user-recap-projector')
const redisConfig = parseRedisConfig(process.env)
const admin = createKafka(kafkaConfig, logger).admin()
const pool = createMysqlPool(parseMysqlConfig(process.env))
// No key prefix on this client: SCAN patterns and the keys it returns are full names.
const redis = createRedis({ ...redisConfig, keyPrefix: '' }, logger)
let code = 0
try {
  await admin.connect()
  const { groups } = await admin.describeGroups([groupId])
  const members = groups[0]?.members.length ?? 0
  if (members > 0) {
    console.error(`${groupId} has ${members} live member(s): stop the projector first`)
    code = 2
  } else {
    await pool.query('TRUNCATE TABLE user_recap_data')
    await pool.query('TRUNCATE TABLE user_recap_categories')
    await pool.query('TRUNCATE TABLE user_recap_applied')
    await pool.query('DELETE FROM projector_offsets WHERE consumer_group = ? AND topic = ?', [groupId, kafkaConfig.topic])
    await admin.resetOffsets({ groupId, topic: kafkaConfig.topic, earliest: true })
    let cleared = 0
    await redisReady(redis)
    for await (const keys of redis.scanStream({ match: `${redisConfig.keyPrefix}user-data*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) cleared += await redis.del(...keys)
    }
    logger.info({ group: groupId, topic: kafkaConfig.topic, cacheKeysCleared: cleared }, 'read model emptied; the projector folds the log from its start when it runs next')
  }
} finally {
  await admin.disconnect()
  await pool.end()
  redis.disconnect()
}
process.exit(code)
