/**
 * Cache-aside over Redis for one kind of entry, keyed by user:
 * - a hit is one MGET (the entry and its generation, see lib/src/read-model.ts);
 * - on a miss, concurrent requests for the same user share one load (one MySQL query);
 * - what was loaded is stored with a TTL spread by ± jitter (entries written together do not
 *   expire together), and only if the generation did not move during the load, so a load
 *   that raced the projector's commit never caches the older row;
 * - "no such user" is cached too, shorter, so unknown ids cannot hammer MySQL;
 * - Redis unavailable: answered from MySQL (bypass), never an error of its own;
 * - with a near cache (./near-cache.ts), hot entries are answered from the process (local),
 *   kept exact by Redis's invalidations.
 */
import type { Redis } from 'ioredis'
import type { QueryMetrics } from '../../../lib/src/metrics.js'
import { userDataKey, userGenerationKey } from '../../../lib/src/read-model.js'
import type { NearCache } from './near-cache.js'

export interface CacheConfig {
  readonly ttlSeconds: number
  /** 0–1: each TTL is ttlSeconds × (1 ± jitter). */
  readonly jitter: number
  readonly notFoundTtlSeconds: number
}

export interface CacheAside {
  /**
   * The user's entry as JSON text, or undefined when there is none. Text, not an object: a hit
   * is answered as stored, without parsing it and serializing it again.
   */
  getJson(userId: number): Promise<string | undefined>
}

export interface CacheAsideDeps<T> {
  readonly redis: Pick<Redis, 'mget' | 'defineCommand'>
  readonly load: (userId: number) => Promise<T | undefined>
  readonly config: CacheConfig
  readonly metrics?: QueryMetrics
  readonly random?: () => number
  /** In-process copies of hot entries; none: every lookup goes to Redis. */
  readonly near?: NearCache
}

export const CACHE_RESULTS = ['local', 'hit', 'miss', 'shared', 'bypass'] as const

const NOT_FOUND = 'null'

/**
 * SET KEYS[1] = ARGV[1] EX ARGV[3], only if KEYS[2] (the generation) still equals ARGV[2].
 * Defined as a command (EVALSHA, the script sent once): EVAL sent its text with every miss.
 */
interface SetIfGeneration {
  userDataSetIfGeneration(key: string, generationKey: string, value: string, generation: string, ttlSeconds: number): Promise<unknown>
}
const SET_IF_GENERATION = `
if (redis.call('GET', KEYS[2]) or '') == ARGV[2] then
  return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
end
return 0`

export function createCacheAside<T>(deps: CacheAsideDeps<T>): CacheAside {
  const random = deps.random ?? Math.random
  deps.redis.defineCommand('userDataSetIfGeneration', { numberOfKeys: 2, lua: SET_IF_GENERATION })
  const redis = deps.redis as CacheAsideDeps<T>['redis'] & SetIfGeneration
  const inFlight = new Map<number, Promise<string | undefined>>()
  const near = deps.near
  const counters = new Map(CACHE_RESULTS.map((result) => [result, deps.metrics?.cache.labels({ result })]))
  const count = (result: typeof CACHE_RESULTS[number]) => counters.get(result)?.inc()

  function ttl(found: boolean): number {
    const base = found ? deps.config.ttlSeconds : deps.config.notFoundTtlSeconds
    return Math.max(1, Math.round(base * (1 + deps.config.jitter * (2 * random() - 1))))
  }

  async function loadAndStore(userId: number, generation: string | undefined): Promise<string | undefined> {
    const value = await deps.load(userId)
    const text = value === undefined ? undefined : JSON.stringify(value)
    if (generation !== undefined) {
      // Best effort: a failed write only means the next read loads again.
      await redis.userDataSetIfGeneration(userDataKey(userId), userGenerationKey(userId), text ?? NOT_FOUND, generation, ttl(text !== undefined))
        .catch(() => undefined)
    }
    return text
  }

  return {
    async getJson(userId) {
      const key = userDataKey(userId)
      const local = near?.get(key)
      if (local !== undefined) {
        count('local')
        return local === NOT_FOUND ? undefined : local
      }
      const read = near?.begin(key)
      let generation: string | undefined
      try {
        const [cached, gen] = await redis.mget(key, userGenerationKey(userId))
        if (typeof cached === 'string') {
          near?.complete(read, cached)
          count('hit')
          return cached === NOT_FOUND ? undefined : cached
        }
        generation = gen ?? ''
      } catch {
        generation = undefined // Redis unavailable: load, but do not store
      }
      // The near cache keeps only what it read from Redis: a fill is a change of the key, whose
      // invalidation Redis sends to us too (scripts are not covered by NOLOOP); the next read,
      // a Redis hit, is kept.
      near?.abandon(read)
      const running = inFlight.get(userId)
      if (running !== undefined) {
        count('shared')
        return running
      }
      count(generation === undefined ? 'bypass' : 'miss')
      const load = loadAndStore(userId, generation).finally(() => inFlight.delete(userId))
      inFlight.set(userId, load)
      return load
    },
  }
}
