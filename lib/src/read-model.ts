/**
 * What user-recap-projector (writer) and query-api (reader) agree on about the cached read
 * model. Each user's cache entry has a generation counter beside it: the projector bumps it
 * after every commit that touches the user, and a reader stores what it read from MySQL only
 * if the generation is still the one it saw before reading, so a read that raced a commit
 * can never put the older row back into the cache.
 */
import type { Redis } from 'ioredis'

export const USER_DATA_PREFIX = 'user-data:'
export const userDataKey = (userId: number): string => `${USER_DATA_PREFIX}${userId}`
export const userGenerationKey = (userId: number): string => `user-data-gen:${userId}`

/** Generation counters outlive any read in flight, and then expire (users are unbounded). */
export const GENERATION_TTL_SECONDS = 24 * 60 * 60

/**
 * After a commit that changed `users`' rows: bump each generation and drop each entry, in one
 * MULTI. The projector does it after every batch, generate:test-data for users it merged.
 */
export async function invalidateUsers(redis: Pick<Redis, 'multi'>, users: readonly number[]): Promise<void> {
  if (users.length === 0) return
  const tx = redis.multi()
  for (const user of users) tx.incr(userGenerationKey(user)).expire(userGenerationKey(user), GENERATION_TTL_SECONDS).del(userDataKey(user))
  await tx.exec()
}
