/**
 * npm run read-model:rebuild [-- --drop-generated] — empties the MySQL read model and the
 * projector's positions, resets the projector group to the start of the log and clears the
 * cached entries, so that the next projector start folds the whole log again. Generated users
 * (npm run generate:test-data) are loaded again first, the same rows from the same seed, unless
 * --drop-generated says to forget them. Refuses while the group has live members (stop the
 * projector first). See docs/read-model.md.
 */
import { parseArgs } from 'node:util'
import { parseKafkaConfig, parseLogConfig, parseMysqlConfig, parseRedisConfig } from '../lib/src/config.js'
import { createKafka } from '../lib/src/kafka/client.js'
import { createLogger } from '../lib/src/logger.js'
import { createMysqlPool } from '../lib/src/mysql/pool.js'
import { createRedis, redisReady } from '../lib/src/redis.js'
import { parseGroupConfig } from '../consumer/src/config.js'
import { FixtureConflictError, loadGeneratedUsers } from '../load-test/src/generate/load.js'
import { emptyReadModel } from '../load-test/src/generate/reset.js'
import { createProgress } from '../load-test/src/progress.js'

const { values } = parseArgs({ options: { 'drop-generated': { type: 'boolean', default: false } } })
const logger = createLogger(parseLogConfig(process.env), 'rebuild-read-model')
const kafkaConfig = parseKafkaConfig(process.env, 'rebuild-read-model')
const { groupId } = parseGroupConfig(process.env, 'PROJECTOR', 'user-recap-projector')
const redisConfig = parseRedisConfig(process.env)
const admin = createKafka(kafkaConfig, logger).admin()
const pool = createMysqlPool(parseMysqlConfig(process.env), { localFiles: true })
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
    const reset = await emptyReadModel(pool, { groupId, topic: kafkaConfig.topic, keepGenerated: !values['drop-generated'] })
    await admin.resetOffsets({ groupId, topic: kafkaConfig.topic, earliest: true })
    let cleared = 0
    await redisReady(redis)
    for await (const keys of redis.scanStream({ match: `${redisConfig.keyPrefix}user-data*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) cleared += await redis.del(...keys)
    }
    console.log(`read model emptied (${cleared} cache keys cleared); ${groupId} folds ${kafkaConfig.topic} from its start when the projector runs next`)
    if (reset.dropped !== undefined) {
      console.log(`generated users dropped: ${reset.dropped.users.toLocaleString('en')} users of seed ${reset.dropped.seed} (--drop-generated)`)
    }
    if (reset.kept !== undefined) {
      const { seed, users } = reset.kept
      console.log(`generated users kept: loading users 1..${users.toLocaleString('en')} of seed ${seed} again (--drop-generated forgets them)`)
      const progress = createProgress({ label: 'loading', total: users, unit: 'users' })
      const report = await loadGeneratedUsers({ pool, onProgress: (p) => progress.update(p.loadedUsers) }, { seed, users })
      progress.finish()
      console.log(`loaded ${report.loadedUsers.toLocaleString('en')} generated users in ${report.seconds.toFixed(1)} s`)
    }
  }
} catch (err) {
  // A fixture this generator cannot make again (another generator version made it): say so, no stack trace.
  if (!(err instanceof FixtureConflictError)) throw err
  console.error(`the generated users cannot be loaded again: ${err.message}`)
  code = 2
} finally {
  await admin.disconnect()
  await pool.end()
  redis.disconnect()
}
process.exit(code)
