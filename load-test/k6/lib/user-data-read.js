/* global console */
// What both k6 read scripts do (k6-test.js, k6-realistic-test.js): read the environment, send
// one signed GET /api/user-data, and measure query-api's cache hit rate from its /metrics
// counters between setup() and teardown() (k6 cannot see hits in the answers).
import http from 'k6/http'
import { check } from 'k6'
import { hmac } from 'k6/crypto'
import { b64encode } from 'k6/encoding'
import { Trend } from 'k6/metrics'
import { DEFAULTS, createRandom, createUserPicker, hitRate, parseCacheCounters, signedHeaders } from './scenarios.js'

const LOCAL_SECRET = 'local-development-signing-secret' // query-api's default for `npm start`
const TAGS = { endpoint: 'user-data', name: 'GET /api/user-data' }

const cacheHitRate = new Trend('cache_hit_rate')

/** "90", "90s", "1500ms", "2m" or "1h" → seconds (undefined when absent). */
export function parseSeconds(text) {
  if (text === undefined || text === '') return undefined
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim())
  if (m === null) throw new Error(`not a duration: "${text}" (e.g. 90, 90s, 2m)`)
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's']
}

/** A positive number from the environment, or undefined when absent. */
export function parseNumber(name, text) {
  if (text === undefined || text === '') return undefined
  const n = Number(text)
  if (!(n > 0)) throw new Error(`${name} must be a positive number, got "${text}"`)
  return n
}

/** The settings shared by both scripts, from k6's __ENV. */
export function readConfig(env) {
  return {
    baseUrl: (env.BASE_URL || 'http://127.0.0.1:3002').replace(/\/$/, ''),
    secret: env.SECRET || LOCAL_SECRET,
    legacy: env.LEGACY === 'true',
    users: parseNumber('MAX_USER_ID', env.MAX_USER_ID) ?? DEFAULTS.maxUserId,
    firstUserId: parseNumber('FIRST_USER_ID', env.FIRST_USER_ID) ?? 1,
    seed: parseNumber('SEED', env.SEED),
  }
}

/**
 * Returns the function a VU runs per iteration. Each VU draws its own users: from SEED and
 * its VU number when SEED is set (reproducible runs), else from Math.random.
 */
export function createReader(config, plan) {
  let pick
  return function readOnce() {
    if (pick === undefined) {
      const random = config.seed !== undefined ? createRandom(config.seed, __VU) : Math.random
      pick = createUserPicker({ users: config.users, firstUserId: config.firstUserId, distribution: plan.users, zipfS: plan.zipfS, random })
    }
    const headers = signedHeaders(pick(), Date.now(), {
      legacy: config.legacy,
      hmacHex: (message) => hmac('sha256', config.secret, message, 'hex'),
      base64: (text) => b64encode(text),
    })
    const res = http.get(`${config.baseUrl}/api/user-data`, { headers, tags: TAGS })
    check(res, { 'status is 200': (r) => r.status === 200 }, { endpoint: 'user-data' })
  }
}

function scrapeCache(config) {
  const res = http.get(`${config.baseUrl}/metrics`, { tags: { endpoint: 'metrics' } })
  return res.status === 200 ? parseCacheCounters(res.body) : undefined
}

/** setup(): query-api's cache counters before the load. */
export function cacheBefore(config) {
  return { cache: scrapeCache(config) }
}

/** teardown(): the hit rate over the run, as the one sample of the cache_hit_rate Trend. */
export function cacheAfter(config, data) {
  const after = scrapeCache(config)
  if (data === undefined || data.cache === undefined || after === undefined) {
    console.warn('query-api /metrics unreachable: no cache hit rate')
    return
  }
  const delta = {}
  for (const key of Object.keys(after)) delta[key] = after[key] - (data.cache[key] ?? 0)
  const rate = hitRate(delta)
  console.log(`query-api cache: ${JSON.stringify(delta)}, hit rate ${rate === null ? 'n/a' : (rate * 100).toFixed(1) + ' %'} (target > 90 %, > 80 % acceptable)`)
  if (rate !== null) cacheHitRate.add(rate)
}
