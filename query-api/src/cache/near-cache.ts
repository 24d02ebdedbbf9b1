/**
 * A bounded in-process copy of hot cache entries, kept exact by Redis itself (server-assisted
 * client-side caching, https://redis.io/docs/latest/develop/reference/client-side-caching/):
 * the data connection runs `CLIENT TRACKING ON REDIRECT <id> BCAST PREFIX <user-data:>`, so
 * every change of a user-data key (the projector's invalidation, a query-api's fill, an expiry,
 * an eviction, a FLUSHALL) is pushed to a second connection
 * subscribed to `__redis__:invalidate`, and the local copy is dropped. A hit then costs no
 * Redis round trip: under the Zipf-like read load most requests are answered from here.
 *
 * Exactness rests on three rules:
 * - an entry is kept only while both connections are up with tracking on: when either drops,
 *   everything local is forgotten and the cache stays off until tracking is on again;
 * - a value read from Redis is kept only if no invalidation of its key arrived while the read
 *   was in flight (the read's reply and the invalidation come over different sockets, in any
 *   order): `begin` before sending, `complete` with the value;
 * - entries also age out after `maxAgeMs`, a bound for the one failure no socket reports (a
 *   data connection silently cut off, after which Redis stops tracking it).
 */
import type { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import type { Logger } from '../../../lib/src/logger.js'

export interface NearCacheConfig {
  /** Entries kept (0: no near cache). */
  readonly maxEntries: number
  readonly maxAgeMs: number
}

/** A read in flight: kept only if nothing invalidated its key (or everything) since `begin`. */
export interface NearRead {
  readonly key: string
  dirty: boolean
}

export interface NearCache {
  get(key: string): string | undefined
  begin(key: string): NearRead | undefined
  /** The value `read` got from Redis; kept if nothing invalidated it meanwhile. */
  complete(read: NearRead | undefined, value: string): void
  /** The read ended without a value to keep. */
  abandon(read: NearRead | undefined): void
  /** Drops `keys` (without the client's keyPrefix), or everything (null). */
  invalidate(keys: readonly string[] | null): void
  readonly active: boolean
  readonly size: number
  close(): void
}

const INVALIDATE_CHANNEL = '__redis__:invalidate'

/** The local state, without Redis: what invalidations and reads do to it (unit-tested alone). */
export function createNearState(config: NearCacheConfig, o: { readonly now?: () => number } = {}): NearCache & { setActive(on: boolean): void } {
  const entries = new LRUCache<string, string>({ max: Math.max(1, config.maxEntries), ttl: config.maxAgeMs, ...(o.now ? { perf: { now: o.now }, ttlResolution: 0 } : {}) })
  const reads = new Map<string, Set<NearRead>>()
  let active = false
  const forget = (read: NearRead | undefined): void => {
    if (read === undefined) return
    const set = reads.get(read.key)
    set?.delete(read)
    if (set?.size === 0) reads.delete(read.key)
  }
  const state = {
    get: (key: string) => (active ? entries.get(key) : undefined),
    begin(key: string): NearRead | undefined {
      if (!active) return undefined
      const read: NearRead = { key, dirty: false }
      const set = reads.get(key)
      if (set === undefined) reads.set(key, new Set([read]))
      else set.add(read)
      return read
    },
    complete(read: NearRead | undefined, value: string): void {
      if (read === undefined) return
      forget(read)
      if (active && !read.dirty) entries.set(read.key, value)
    },
    abandon: forget,
    invalidate(keys: readonly string[] | null): void {
      if (keys === null) {
        entries.clear()
        for (const set of reads.values()) for (const read of set) read.dirty = true
        return
      }
      for (const key of keys) {
        entries.delete(key)
        const set = reads.get(key)
        if (set !== undefined) for (const read of set) read.dirty = true
      }
    },
    setActive(on: boolean): void {
      if (!on) state.invalidate(null)
      active = on && config.maxEntries > 0
    },
    get active() { return active },
    get size() { return entries.size },
    close(): void {
      state.setActive(false)
    },
  }
  return state
}

/**
 * The near cache over `redis` (the data connection, which must not be in subscriber mode), for
 * keys under `prefix` (as the caller names them, without the client's keyPrefix): opens the
 * invalidation connection, turns tracking on, and on again after either connection reconnects.
 */
export function createNearCache(redis: Redis, o: { readonly prefix: string; readonly config: NearCacheConfig; readonly logger: Logger }): NearCache {
  const state = createNearState(o.config)
  if (o.config.maxEntries === 0) return state
  const keyPrefix = redis.options.keyPrefix ?? ''
  const tracked = keyPrefix + o.prefix
  // RESP2 on purpose: to a RESP3 connection Redis sends invalidations as `invalidate` push
  // frames, which ioredis drops; to a RESP2 one they are messages on INVALIDATE_CHANNEL.
  const sub = redis.duplicate({ autoResubscribe: false, protocol: 2 })
  let subId: number | undefined
  let closed = false
  let starting: Promise<void> | undefined

  const off = (why: string): void => {
    if (state.active) o.logger.warn(`near cache off (${why}): reads go to Redis until tracking is on again`)
    state.setActive(false)
  }

  async function trackingOn(): Promise<void> {
    if (closed || subId === undefined || redis.status !== 'ready') return
    // Off first: a connection still tracking for a closed redirect would refuse a new ON.
    await redis.call('CLIENT', 'TRACKING', 'OFF')
    await redis.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(subId), 'BCAST', 'PREFIX', tracked)
    if (!closed && redis.status === 'ready' && sub.status === 'ready') {
      state.setActive(true)
      o.logger.info({ prefix: tracked, maxEntries: o.config.maxEntries, maxAgeMs: o.config.maxAgeMs }, 'near cache on (Redis tracking)')
    }
  }
  const start = (): void => {
    starting = (starting ?? Promise.resolve()).then(trackingOn).catch((err: unknown) => o.logger.warn({ err }, 'near cache: CLIENT TRACKING failed; reads go to Redis'))
  }

  sub.on('messageBuffer', (channel: Buffer, message: unknown) => {
    if (channel.toString() !== INVALIDATE_CHANNEL) return
    // RESP2: the keys as an array, or null when the whole database was flushed.
    const keys = Array.isArray(message) ? message.map(String) : message === null ? null : [String(message)]
    state.invalidate(keys === null ? null : keys.map((k) => (k.startsWith(keyPrefix) ? k.slice(keyPrefix.length) : k)))
  })
  sub.on('ready', () => {
    void (async () => {
      subId = undefined
      const id = await sub.client('ID')
      await sub.subscribe(INVALIDATE_CHANNEL)
      subId = Number(id)
      start()
    })().catch((err: unknown) => o.logger.warn({ err }, 'near cache: invalidation connection not set up; reads go to Redis'))
  })
  sub.on('error', () => undefined) // the data connection logs Redis being away
  sub.on('close', () => { subId = undefined; off('invalidation connection closed') })
  redis.on('close', () => off('data connection closed'))
  redis.on('ready', start)

  return {
    get: state.get,
    begin: state.begin,
    complete: state.complete,
    abandon: state.abandon,
    invalidate: state.invalidate,
    get active() { return state.active },
    get size() { return state.size },
    close(): void {
      if (closed) return
      closed = true
      state.close()
      sub.disconnect()
    },
  }
}
