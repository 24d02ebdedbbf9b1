/**
 * Warms query-api's caches with the realistic scenario's users as fast as it answers (closed
 * loop: `connections` requests in flight, each sent again when answered), until the hit rate of
 * the last few seconds reaches `targetHitRate` or `maxSeconds` pass.
 *
 * Why a warm-up this long: with Zipf s = 1.1 over 10 M users, even a cache that never forgets
 * answers only 83 % of a 450,000-request window after 0.9 M requests, and 90 % after about 5.4 M
 * (a simulation of the scenario's own draws), because the long tail keeps bringing users never
 * asked for before. A 60 s warm-up at 15,000/s measures a cache still filling, not the steady
 * state the old targets describe.
 */
import { DEFAULTS, createRandom, createUserPicker, hitRate } from '../../k6/lib/scenarios.js'
import { cacheDelta, scrapeCacheCounters } from './cache-counters.js'
import { runClosedLoop } from './closed-loop.js'
import { createUserDataDriver } from './http-driver.js'
import { createSigner } from './signer.js'

export interface WarmCacheOptions {
  readonly queryUrl: string
  readonly secret: string
  readonly users: number
  readonly seed: number
  readonly targetHitRate?: number
  readonly maxSeconds?: number
  readonly connections?: number
  readonly log?: (line: string) => void
}

export interface WarmCacheFigures {
  readonly requests: number
  readonly seconds: number
  /** The hit rate of the last window; null when /metrics did not answer. */
  readonly lastHitRate: number | null
  readonly reachedTarget: boolean
}

const WINDOW_SECONDS = 5

export async function warmCache(o: WarmCacheOptions): Promise<WarmCacheFigures> {
  const target = o.targetHitRate ?? 0.9
  const maxSeconds = o.maxSeconds ?? 600
  const connections = o.connections ?? 256
  const log = o.log ?? (() => undefined)
  const pick = createUserPicker({ users: o.users, distribution: 'zipf', zipfS: DEFAULTS.zipfS, random: createRandom(o.seed, 0) })
  const driver = createUserDataDriver({ queryUrl: o.queryUrl, connections, timeoutMs: 10_000, signer: createSigner(o.secret, false) })
  const started = performance.now()
  let requests = 0
  const stop = new AbortController()
  const loop = runClosedLoop({
    vus: connections, startAt: started, durationMs: maxSeconds * 1000, clock: () => performance.now(), signal: stop.signal,
    iterate: (done) => driver.send(pick(), 0, () => {
      requests++
      done()
    }),
  })
  try {
    let previous = await scrapeCacheCounters(o.queryUrl)
    let lastHitRate: number | null = null
    let counted = 0
    for (;;) {
      await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000))
      const now = await scrapeCacheCounters(o.queryUrl)
      lastHitRate = now !== undefined && previous !== undefined ? hitRate(cacheDelta(previous, now)) : null
      previous = now ?? previous
      const seconds = (performance.now() - started) / 1000
      log(`warm-up ${Math.round(seconds)} s: ${requests.toLocaleString('en')} requests, ${Math.round((requests - counted) / WINDOW_SECONDS).toLocaleString('en')}/s, ` +
        `hit rate of the last ${WINDOW_SECONDS} s ${lastHitRate === null ? 'n/a' : `${(100 * lastHitRate).toFixed(1)} %`} (until ${(100 * target).toFixed(0)} % or ${maxSeconds} s)`)
      counted = requests
      const reachedTarget = lastHitRate !== null && lastHitRate >= target
      if (reachedTarget || seconds >= maxSeconds) return { requests, seconds: Math.round(seconds), lastHitRate, reachedTarget }
    }
  } finally {
    stop.abort()
    await loop
    await driver.close()
  }
}
